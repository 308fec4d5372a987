"""The shape of a user's regex, read without running it: how large it compiles, how deep its
groups nest, and whether it is known to backtrack catastrophically.

The patterns are Python syntax (``re``; the ``regex`` package that matches them reads the same
syntax and a little more), read by ``regex_syntax``.

Limits (errors, checked before compiling: the ``regex`` package expands counted repeats when it
compiles, so ``(?:a|bc){1000}`` nested twice takes seconds and, larger, crashes the process):

- ``MAX_SIZE`` elements once counted repeats are expanded (``x{3}`` counts 3, ``(ab){2}`` 4);
- ``MAX_DEPTH`` groups nested in one another.

Backtracking (a warning: ``backtracking``). A repeated group (``*``, ``+``, ``{m,}``) is
ambiguous, and can take exponential time to fail, when the text it matches can be split into
iterations in many ways:

- something inside it repeats a variable number of times (``a+``, ``.*``, ``\\d{1,3}``) and
  what may follow that inside the group, or the group's next iteration, can start with a
  character it also matches: ``(a+)+``, ``(.*)*``, ``(\\w+\\s?)+``, ``(x+x+)+``, ``(.+,)*``;
  but not ``(ab+)+`` (each iteration starts with ``a``) nor ``([^,]+,)*``;
- two of its alternatives can match the same text, alone or followed by more rounds:
  ``(a|a)*``, ``(a|aa)+``, ``(\\r\\n|\\r)+``; but not ``(ab|ac)*`` nor ``(k1|k10)+``.
  Alternatives are compared character by character while both are plain characters; past a
  group or a quantifier, they clash when what comes next can start alike (a heuristic; in a
  group of hundreds of alternatives, the first ``_MOST_PAIRS`` pairs only).

Possessive quantifiers (``a++``) and atomic groups (``(?>a+)``) never backtrack and are not
flagged. Character sets are compared on a sample of characters (ASCII, some accented, Cyrillic,
CJK, Arabic digits, white space, an emoji, and the pattern's literals).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import regex  # type: ignore[import-untyped]

from evalkit.compare.regex_syntax import (
    MAX_DEPTH,
    AnyText,
    Atom,
    Char,
    Group,
    Item,
    Reader,
    RegexTooLarge,
)

__all__ = [
    "MAX_DEPTH",
    "MAX_SIZE",
    "Backtracking",
    "RegexShape",
    "RegexTooLarge",
    "quoted",
    "read_shape",
]

MAX_SIZE = 20_000

_MOST_PAIRS = 5000  # pairs of alternatives compared in one group, at most
_MOST_LITERALS = 256  # literals of the pattern added to the sample characters
_SAMPLES = "\u00a0\u00e9\u00c9\u00df\u0416\u0436\u4e2d\u0663\u2028\u3000\U0001f600\ufffd"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def quoted(pattern: str) -> str:
    """A pattern (or part of one) as the manifest holds it, between quotes: ``'(\\w+)!'``, with
    single backslashes (a repr doubles them, and the text no longer reads as the pattern); only
    a control character is escaped."""
    return "'" + _CONTROL.sub(lambda found: repr(found.group())[1:-1], pattern) + "'"


@dataclass(frozen=True)
class Backtracking:
    """Why a repeated group can backtrack catastrophically."""

    group: str  # the repeated group as written, quantifier included
    reason: str

    def describe(self) -> str:
        return f"the repeated group {quoted(self.group)} {self.reason}"


@dataclass(frozen=True)
class RegexShape:
    """A pattern read without running it; ``read`` builds one."""

    pattern: str
    size: int
    _root: Group = field(repr=False, compare=False)
    _chars: _CharSets = field(repr=False, compare=False)

    @classmethod
    def read(cls, pattern: str) -> RegexShape:
        """Read a pattern; ``RegexTooLarge`` when it is over a limit."""
        reader = Reader(pattern)
        if "(?" in pattern:
            # inline flags, wherever written, apply to all of it: (?x) changes how it reads
            probe = Reader(pattern)
            probe.read()
            reader.verbose, reader.flags = probe.verbose, probe.flags
        root = reader.read()
        size = _size(root)
        if size > MAX_SIZE:
            raise RegexTooLarge(
                f"its counted repeats expand to {size} elements, over {MAX_SIZE}: use fewer "
                "or smaller counts, or '+', '*' and '{m,}'"
            )
        literals = sorted(reader.literals)[:_MOST_LITERALS]
        universe = frozenset(_SAMPLES) | {chr(code) for code in range(128)} | set(literals)
        return cls(pattern, size, root, _CharSets(reader.flags, universe))

    def backtracking(self) -> list[Backtracking]:
        """The repeated groups that can backtrack catastrophically, in pattern order."""
        found: list[Backtracking] = []
        for item in _items(self._root):
            if not item.repeats_freely or item.possessive:
                continue
            if not isinstance(item.atom, Group) or item.atom.atomic or item.atom.zero_width:
                continue
            reason = self._ambiguity(item.atom)
            if reason:
                found.append(Backtracking(self.pattern[item.start : item.end], reason))
        return found

    def _ambiguity(self, group: Group) -> str | None:
        next_round = self._first_of_group(group)
        for inner, frames in _inside(group):
            if not inner.varies or inner.possessive:
                continue
            chars = self._first(inner.atom)
            if chars & self._follow(frames, next_round):
                text = self.pattern[inner.start : inner.end]
                return f"repeats {quoted(text)} inside it: the same text splits in many ways"
        branches = group.branches
        pairs = ((a, b) for i, a in enumerate(branches) for b in branches[i + 1 :])
        for left, right in itertools.islice(pairs, _MOST_PAIRS):
            if self._clash(left, right, next_round):
                first, second = _written(self.pattern, left), _written(self.pattern, right)
                return (
                    f"has alternatives that can match the same text ({quoted(first)}, "
                    f"{quoted(second)})"
                )
        return None

    def _clash(self, left: list[Item], right: list[Item], next_round: frozenset[str]) -> bool:
        """Can two alternatives of a repeated group match the same text, alone or followed by
        more rounds? Compared character by character while both are plain characters
        (``ab`` and ``ac`` cannot; ``a`` and ``aa`` can, ``a`` then ``a`` again); anything
        else is taken as a clash if their first characters overlap."""
        for position in range(max(len(left), len(right))):
            mine = left[position] if position < len(left) else None
            theirs = right[position] if position < len(right) else None
            if mine is None or theirs is None:  # one ended: the next round goes on
                longer = theirs or mine
                assert longer is not None
                return bool(next_round & self._first_of_sequence([longer]))
            if not (_plain(mine) and _plain(theirs)):
                later_left, later_right = left[position:], right[position:]
                return bool(
                    self._first_of_sequence(later_left) & self._first_of_sequence(later_right)
                )
            if not self._first(mine.atom) & self._first(theirs.atom):
                return False
        return True  # the same length, every character overlapping

    def _follow(
        self, frames: list[tuple[list[Item], int, Item | None]], next_round: frozenset[str]
    ) -> frozenset[str]:
        """What can come right after an item inside a repeated group: the rest of each
        sequence around it, outwards while that can match nothing, then the next round."""
        follow: frozenset[str] = frozenset()
        for sequence, index, owner in reversed(frames):
            for item in sequence[index + 1 :]:
                follow |= self._first(item.atom)
                if not _nullable(item):
                    return follow
            if owner is not None and owner.max != 1 and isinstance(owner.atom, Group):
                follow |= self._first_of_group(owner.atom)
        return follow | next_round

    def _first(self, atom: Atom) -> frozenset[str]:
        if isinstance(atom, Char):
            return self._chars.of(atom.text)
        if isinstance(atom, AnyText):
            return self._chars.universe
        if isinstance(atom, Group) and not atom.zero_width:
            return self._first_of_group(atom)
        return frozenset()

    def _first_of_group(self, group: Group) -> frozenset[str]:
        found: frozenset[str] = frozenset()
        for branch in group.branches:
            found |= self._first_of_sequence(branch)
        return found

    def _first_of_sequence(self, items: list[Item]) -> frozenset[str]:
        found: frozenset[str] = frozenset()
        for item in items:
            found |= self._first(item.atom)
            if not _nullable(item):
                break
        return found


class _CharSets:
    """The sample characters each single-character atom matches, under the pattern's flags."""

    def __init__(self, flags: int, universe: frozenset[str]) -> None:
        self.flags = flags
        self.universe = universe
        self._known: dict[str, frozenset[str]] = {}

    def of(self, text: str) -> frozenset[str]:
        known = self._known.get(text)
        if known is None:
            known = self._known[text] = self._match(text)
        return known

    def _match(self, text: str) -> frozenset[str]:
        try:
            compiled = regex.compile(text, self.flags)
        except (regex.error, ValueError, OverflowError):
            return self.universe  # not understood alone: any character
        return frozenset(c for c in self.universe if compiled.fullmatch(c))


def _plain(item: Item) -> bool:
    """One character, exactly once."""
    return isinstance(item.atom, Char) and item.min == item.max == 1


def _nullable(item: Item) -> bool:
    return item.min == 0 or _atom_nullable(item.atom)


def _atom_nullable(atom: Atom) -> bool:
    if isinstance(atom, Char):
        return False
    if isinstance(atom, Group) and not atom.zero_width:
        return any(all(_nullable(item) for item in branch) for branch in atom.branches)
    return True


def _size(group: Group) -> int:
    total = 1
    for branch in group.branches:
        for item in branch:
            atom = _size(item.atom) if isinstance(item.atom, Group) else 1
            total += atom * max(item.min, 1)
            if total > MAX_SIZE:
                return total
    return total


def _items(group: Group) -> Iterator[Item]:
    """Every item of a group and the groups inside it, in pattern order."""
    for branch in group.branches:
        for item in branch:
            yield item
            if isinstance(item.atom, Group):
                yield from _items(item.atom)


def _inside(
    group: Group, frames: list[tuple[list[Item], int, Item | None]] | None = None
) -> Iterator[tuple[Item, list[tuple[list[Item], int, Item | None]]]]:
    """Every item inside a repeated group that backtracking can reach (not inside atomic
    groups), with the sequences that hold it, outermost first, and the item owning each."""
    frames = frames or []
    owner = frames[-1][0][frames[-1][1]] if frames else None
    for branch in group.branches:
        for index, item in enumerate(branch):
            here = [*frames, (branch, index, owner)]
            yield item, here
            atom = item.atom
            if isinstance(atom, Group) and not (atom.atomic or atom.zero_width):
                yield from _inside(atom, here)


def _written(pattern: str, items: list[Item]) -> str:
    return pattern[items[0].start : items[-1].end] if items else ""


@lru_cache(maxsize=1024)
def read_shape(pattern: str) -> RegexShape:
    """``RegexShape.read``, cached (patterns are read at load, validate and compare time)."""
    return RegexShape.read(pattern)
