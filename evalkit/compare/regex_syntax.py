"""Reading a Python-syntax regex into a small tree, without running it (see ``regex_shape``).

The reader is lenient: what it does not understand it takes as one character or as "any text",
and a broken pattern is left for the compiler to report. Inline flags, wherever written, are
taken as applying to the whole pattern (enough to judge character sets and verbose mode).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import regex  # type: ignore[import-untyped]

MAX_DEPTH = 100


_ANCHORS = frozenset("bBAZzGmMK")  # zero-width escapes (\b, \A, \Z...; \m \M in regex)
_CLASSES = frozenset("dDwWsShHvV")
_ANY_ESCAPES = frozenset("X")  # a grapheme cluster: any text
_FLAG_LETTERS = frozenset("aiLmsuxVbeEfpwr0123456789-")


class RegexTooLarge(ValueError):
    """The pattern is over a limit (``MAX_DEPTH`` here, ``regex_shape.MAX_SIZE``): compiling it
    could take too long."""


@dataclass
class Char:
    """One character from a set: a literal, an escape, a class, ``.``."""

    text: str


@dataclass
class Zero:
    """Matches without consuming: anchors, lookarounds, flags, comments."""


@dataclass
class AnyText:
    """Matches some text we do not model: a backreference, a recursion, ``\\X``."""


@dataclass
class Group:
    branches: list[list[Item]]
    atomic: bool = False
    #: a lookaround: it tests what comes next (or before) and consumes nothing
    zero_width: bool = False


Atom = Char | Zero | AnyText | Group


@dataclass
class Item:
    atom: Atom
    start: int
    end: int
    min: int = 1
    max: int | None = 1
    possessive: bool = False

    @property
    def repeats_freely(self) -> bool:
        return self.max is None

    @property
    def varies(self) -> bool:
        """Repeats a variable number of times, more than once at most (``?`` alone is not a
        repetition that can split text in several ways)."""
        return self.max is None or (self.max > self.min and self.max > 1)


@dataclass
class Reader:
    pattern: str
    pos: int = 0
    verbose: bool = False
    flags: int = 0
    depth: int = 0
    literals: set[str] = field(default_factory=set)

    def read(self) -> Group:
        group = self._branches()
        while self.pos < len(self.pattern):  # an unbalanced ')': the compiler reports it
            self.pos += 1
            group.branches.append(self._sequence())
        return group

    def _branches(self) -> Group:
        branches = [self._sequence()]
        while self.pos < len(self.pattern) and self.pattern[self.pos] == "|":
            self.pos += 1
            branches.append(self._sequence())
        return Group(branches)

    def _sequence(self) -> list[Item]:
        items: list[Item] = []
        text = self.pattern
        while self.pos < len(text) and text[self.pos] not in "|)":
            char = text[self.pos]
            if self.verbose and char.isspace():
                self.pos += 1
            elif self.verbose and char == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end + 1
            elif char in "*+?{" and items and self._quantify(items[-1]):
                continue
            else:
                start = self.pos
                atom = self._atom()
                items.append(Item(atom, start, self.pos))
        return items

    def _quantify(self, item: Item) -> bool:
        """Read a quantifier onto ``item``; False when ``{`` does not start one (a literal)."""
        text, start = self.pattern, self.pos
        char = text[start]
        if char == "{":
            close = text.find("}", start)
            bounds = text[start + 1 : close].split(",") if close > 0 else []
            if not 1 <= len(bounds) <= 2 or not all(b.isdigit() or b == "" for b in bounds):
                return False
            if bounds == [""] or bounds == ["", ""]:
                return False
            low = int(bounds[0] or 0)
            high = int(bounds[-1]) if bounds[-1] else None
            quantity: tuple[int, int | None] = (low, low if len(bounds) == 1 else high)
            self.pos = close + 1
        else:
            quantity = {"*": (0, None), "+": (1, None), "?": (0, 1)}[char]
            self.pos += 1
        if item.min != 1 or item.max != 1:  # a quantifier on a quantifier: 'a*{2}'
            inner = Item(item.atom, item.start, item.end, item.min, item.max, item.possessive)
            item.atom = Group([[inner]])
            item.possessive = False
        item.min, item.max = quantity
        if self.pos < len(text) and text[self.pos] in "?+":
            item.possessive = text[self.pos] == "+"
            self.pos += 1
        item.end = self.pos
        return True

    def _atom(self) -> Atom:
        text, start = self.pattern, self.pos
        char = text[start]
        self.pos += 1
        if char == "(":
            return self._group()
        if char == "[":
            return self._class(start)
        if char in "^$":
            return Zero()
        if char == "\\":
            return self._escape(start)
        if char != ".":
            self.literals.add(char)
        return Char(char)

    def _escape(self, start: int) -> Atom:
        text = self.pattern
        if self.pos >= len(text):
            return Char("\\\\")
        char = text[self.pos]
        self.pos += 1
        if char in _ANCHORS:
            return Zero()
        if char in _ANY_ESCAPES:
            return AnyText()
        if char == "g" and text.startswith("<", self.pos):
            self.pos = _after(text, ">", self.pos)
            return AnyText()
        if char in "pPN" and text.startswith("{", self.pos):
            self.pos = _after(text, "}", self.pos)
        elif char in "pP" and self.pos < len(text):
            self.pos += 1  # \pL
        elif char in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[char]
            self.pos = min(len(text), self.pos + width)
        elif char.isdigit():
            # \0, \0oo and \ooo are characters (octal); \1 to \99 are backreferences
            octal = _digits(text, self.pos, 2, "01234567")
            if char == "0" or (char in "01234567" and len(octal) == 2):
                self.pos += len(octal)
                return Char(text[start : self.pos])
            self.pos += len(_digits(text, self.pos, 1, "0123456789"))
            return AnyText()
        elif char not in _CLASSES and not char.isalnum():
            self.literals.add(char)
        return Char(text[start : self.pos])

    def _class(self, start: int) -> Atom:
        text = self.pattern
        if text.startswith("^", self.pos):
            self.pos += 1
        if text.startswith("]", self.pos):
            self.pos += 1
        while self.pos < len(text) and text[self.pos] != "]":
            if text[self.pos] == "\\":
                self.pos += 2
            elif text.startswith("[:", self.pos) and ":]" in text[self.pos :]:
                self.pos = text.index(":]", self.pos) + 2
            else:
                self.literals.add(text[self.pos])
                self.pos += 1
        self.pos = min(len(text), self.pos + 1)
        return Char(text[start : self.pos])

    def _group(self) -> Atom:
        text = self.pattern
        if not text.startswith("?", self.pos):
            return self._inner()
        rest = text[self.pos + 1 :]
        if rest.startswith("#"):
            self.pos = _after(text, ")", self.pos)
            return Zero()
        if rest[:1] in ("=", "!") or rest[:2] in ("<=", "<!"):
            self.pos += 2 if rest[0] in "=!" else 3
            lookaround = self._inner()
            if isinstance(lookaround, Group):
                lookaround.zero_width = True
            return lookaround
        recursion = rest[:1] in ("+", "-") and rest[1:2].isdigit()
        if recursion or rest.startswith(("P=", "P>", "&", "R)")) or rest[:1].isdigit():
            self.pos = _after(text, ")", self.pos)
            return AnyText()
        if rest.startswith(">"):
            self.pos += 2
            group = self._inner()
            if isinstance(group, Group):
                group.atomic = True
            return group
        if rest.startswith(("P<", "<", "'")):
            close = {"P": ">", "<": ">", "'": "'"}[rest[0]]
            self.pos = _after(text, close, self.pos + 2)
            return self._inner()
        if rest.startswith(("|", ":")):
            self.pos += 2
            return self._inner()
        if rest.startswith("("):  # a conditional: (?(1)yes|no)
            self.pos = _after(text, ")", self.pos + 1)
            return self._inner()
        end = self.pos + 1
        while end < len(text) and text[end] in _FLAG_LETTERS:
            end += 1
        self._set_flags(text[self.pos + 1 : end])
        if text.startswith(")", end):
            self.pos = end + 1
            return Zero()
        self.pos = end + 1 if text.startswith(":", end) else end
        return self._inner()

    def _inner(self) -> Atom:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise RegexTooLarge(f"it nests groups more than {MAX_DEPTH} deep")
        group = self._branches()
        self.depth -= 1
        if self.pos < len(self.pattern):
            self.pos += 1  # ')'
        return group

    def _set_flags(self, letters: str) -> None:
        on = letters.split("-", 1)[0]
        # Flags set anywhere are taken as global: good enough to judge character sets.
        self.verbose = self.verbose or "x" in on
        for letter, flag in (("i", regex.IGNORECASE), ("s", regex.DOTALL), ("a", regex.ASCII)):
            if letter in on:
                self.flags |= flag


def _after(text: str, close: str, start: int) -> int:
    end = text.find(close, start)
    return len(text) if end < 0 else end + 1


def _digits(text: str, start: int, most: int, allowed: str) -> str:
    found = ""
    while len(found) < most and start + len(found) < len(text):
        char = text[start + len(found)]
        if char not in allowed:
            break
        found += char
    return found
