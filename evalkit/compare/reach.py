"""What a rule reaches in example documents: the paths its pattern matches, the kinds of value
there, the keys of it that can never apply, and the path the author probably meant.

``evalkit validate`` uses it to warn about rules that match nothing in the expected JSON (a
typo such as ``/totl``) or whose values never have the kind a key works on (a ``tolerance`` on
text). A rule reaches the paths its pattern matches and, for the keys that govern a subtree
(everything but ``regex`` and ``present``), every path below them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from evalkit.compare.numeric import is_decimal_text
from evalkit.compare.pointers import ANY_DEPTH, ANY_ONE, PointerPattern, escape_segment
from evalkit.compare.values import json_type

#: the kind of a string written as a decimal number (a numeric rule compares two of them)
NUMBER_TEXT = "number as text"


@dataclass(frozen=True)
class KeyNeeds:
    """What a rule key works on: the kinds of value, what to call them, whether it concerns
    its own path only (else its whole subtree), and what to do instead (a hint)."""

    kinds: frozenset[str]
    name: str
    own_only: bool
    hint: str


_TEXT_OR_LIST = frozenset({"string", "array", "null"})
_PHRASES_HINT = (
    "contains, not_contains and contains_any look for phrases in text (or elements of a list); "
    "for numbers, use 'tolerance', a json_schema or a python scorer"
)
_NUMBERS_HINT = "a tolerance compares numbers (and two strings written as numbers)"
#: every key that works on some kinds of value only; the others (``ignore``, ``present``,
#: ``weight``, ``json_schema``, ``python``) work on any value
KEY_NEEDS: dict[str, KeyNeeds] = {
    "tolerance": KeyNeeds(frozenset({"number", NUMBER_TEXT}), "numbers", False, _NUMBERS_HINT),
    "relative_tolerance": KeyNeeds(
        frozenset({"number", NUMBER_TEXT}), "numbers", False, _NUMBERS_HINT
    ),
    "strings_as_numbers": KeyNeeds(
        frozenset({"number", NUMBER_TEXT}),
        "numbers",
        False,
        "it reads strings written as numbers, to compare them with numbers",
    ),
    "text": KeyNeeds(
        frozenset({"string"}), "strings", False, "text normalisations apply to strings"
    ),
    "order": KeyNeeds(frozenset({"array"}), "lists", False, "'order' applies to lists"),
    "regex": KeyNeeds(
        frozenset({"string", "null"}),
        "strings",
        True,
        "a regex accepts only a string as the actual value, so an output like the expected "
        "value fails; for numbers, use 'tolerance'",
    ),
    "similarity": KeyNeeds(
        frozenset({"string", "null"}),
        "strings",
        True,
        "similarity compares texts, so an output like the expected value fails; for numbers, "
        "use 'tolerance'",
    ),
    "contains": KeyNeeds(_TEXT_OR_LIST, "strings or lists", True, _PHRASES_HINT),
    "not_contains": KeyNeeds(_TEXT_OR_LIST, "strings or lists", True, _PHRASES_HINT),
    "contains_any": KeyNeeds(_TEXT_OR_LIST, "strings or lists", True, _PHRASES_HINT),
    "length": KeyNeeds(
        frozenset({"string", "null"}),
        "strings",
        True,
        "length counts the characters or words of a text; for the size of a list or a "
        "number's range, use a json_schema (maxItems, maximum)",
    ),
}
_KIND_NAMES = {
    "null": "null",
    "boolean": "booleans",
    "number": "numbers",
    "string": "strings",
    NUMBER_TEXT: "numbers written as text",
    "object": "objects",
    "array": "lists",
}
_LISTED = 8


@dataclass
class DocumentPaths:
    """Every path of some JSON documents (escaped pointer -> segments), with the kinds of value
    found there across the documents."""

    segments: dict[str, tuple[str, ...]] = field(default_factory=dict)
    kinds: dict[str, set[str]] = field(default_factory=dict)
    documents: int = 0

    @classmethod
    def of(cls, documents: Iterable[Any]) -> DocumentPaths:
        paths = cls()
        for document in documents:
            paths.add(document)
        return paths

    def add(self, document: Any) -> None:
        self.documents += 1
        stack: list[tuple[str, tuple[str, ...], Any]] = [("", (), document)]
        while stack:
            pointer, segments, value = stack.pop()
            kinds = self.kinds.get(pointer)
            if kinds is None:
                kinds = self.kinds[pointer] = set()
                self.segments[pointer] = segments
            kinds.add(json_type(value))
            if is_decimal_text(value):
                kinds.add(NUMBER_TEXT)
            if isinstance(value, dict):
                items: Iterable[tuple[str, Any]] = ((str(k), v) for k, v in value.items())
            elif isinstance(value, list):
                items = ((str(i), v) for i, v in enumerate(value))
            else:
                continue
            for key, item in items:
                stack.append((f"{pointer}/{escape_segment(key)}", (*segments, key), item))


@dataclass(frozen=True)
class Reach:
    """What one pattern reaches in some documents."""

    matched: bool
    #: kinds of value at the matched paths themselves
    own_kinds: frozenset[str]
    #: kinds of value at the matched paths and below them
    subtree_kinds: frozenset[str]


def reach(pattern_text: str, paths: DocumentPaths) -> Reach:
    pattern = PointerPattern.compile(pattern_text)
    own: set[str] = set()
    subtree: set[str] = set()
    for pointer, kinds in paths.kinds.items():
        if pattern.covers(pointer):
            subtree |= kinds
            if pattern.matches(pointer):
                own |= kinds
    return Reach(bool(own), frozenset(own), frozenset(subtree))


@dataclass(frozen=True)
class UnusedKey:
    """A key of a rule that never applies: why (``the expected values there are numbers,
    never strings``) and what to do instead."""

    why: str
    hint: str


def keys_never_applying(fields: Mapping[str, Any], found: Reach) -> dict[str, UnusedKey]:
    """Keys of a rule that reaches some paths but never a value of the kind it works on,
    e.g. ``{"tolerance": UnusedKey("the expected values there are strings, never numbers",
    ...)}``."""
    unused = {}
    for key, value in fields.items():
        needs = KEY_NEEDS.get(key)
        if needs is None or value is None or value is False:
            continue
        kinds = found.own_kinds if needs.own_only else found.subtree_kinds
        if kinds and not kinds & needs.kinds:
            where = "there" if needs.own_only else "at and below it"
            why = f"the expected values {where} are {_kinds_text(kinds)}, never {needs.name}"
            unused[key] = UnusedKey(why, needs.hint)
    return unused


def suggest_pointer(pattern_text: str, paths: DocumentPaths) -> str:
    """A hint for a pattern that matches nothing: ``did you mean '/total'?``, or what there is
    where the pattern stops matching; ``""`` when there is nothing to say."""
    segments = PointerPattern.compile(pattern_text).segments
    if not paths.documents or not segments:
        return ""
    depth, parents = _deepest_match(segments, paths)
    wrong = segments[depth]
    children = sorted({s[-1] for s in paths.segments.values() if s and s[:-1] in parents})
    if wrong not in (ANY_ONE, ANY_DEPTH):
        close = difflib.get_close_matches(wrong, children, n=1, cutoff=0.6)
        if close:
            fixed = pattern_of((*segments[:depth], close[0], *segments[depth + 1 :]))
            if reach(fixed, paths).matched:
                return f"did you mean {fixed!r}?"
    where = f"under {pattern_of(segments[:depth])!r}" if depth else "at the top"
    if not children:
        return f"the expected JSON has no keys {where}"
    if all(child.isdigit() for child in children):
        longest = max(int(child) for child in children) + 1
        return f"the values {where} are lists of at most {longest}: '*' stands for any element"
    return f"keys {where}: {_listing(children)}"


def _deepest_match(
    segments: tuple[str, ...], paths: DocumentPaths
) -> tuple[int, set[tuple[str, ...]]]:
    """The longest start of the pattern that matches some paths, and those paths."""
    for depth in range(len(segments) - 1, 0, -1):
        prefix = PointerPattern.compile(pattern_of(segments[:depth]))
        parents = {paths.segments[p] for p in paths.kinds if prefix.matches(p)}
        if parents:
            return depth, parents
    return 0, {()}  # the root is always there


def suggest_name(glob: str, names: Iterable[str]) -> str:
    """A hint for a file glob that matches no expected file."""
    known = sorted(set(names))
    if not known:
        return ""
    close = difflib.get_close_matches(glob, known, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"expected files: {_listing(known)}"


def pattern_of(segments: Iterable[str]) -> str:
    """The pattern text for segments (``*`` and ``**`` stay wildcards)."""
    return "".join("/" + (s if s in (ANY_ONE, ANY_DEPTH) else escape_segment(s)) for s in segments)


def _kinds_text(kinds: Iterable[str]) -> str:
    names = [_KIND_NAMES[k] for k in _KIND_NAMES if k in kinds]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _listing(items: list[str]) -> str:
    shown = ", ".join(items[:_LISTED])
    return shown + (f" and {len(items) - _LISTED} more" if len(items) > _LISTED else "")
