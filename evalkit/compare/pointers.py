"""JSON pointers (RFC 6901) and the wildcard patterns rules are written with.

A concrete path is a tuple of segments (object keys, or list indexes written as decimal text).
A pattern is a pointer whose segment ``*`` matches exactly one segment and ``**`` matches any
number of segments, zero included, so ``/**`` matches every path, the root too. A literal
``*`` key cannot be matched on its own: ``*`` and ``**`` are always wildcards.

When several patterns match one path, the most specific wins. ``specificity`` orders them:

1. more literal segments beat fewer (``/items/0/id`` beats ``/items/*/id``);
2. then more segments beat fewer (``/**/id`` beats ``/**``; ``/a/*`` beats ``/a``);
3. then ``*`` beats ``**`` (``/a/*`` beats ``/a/**``).

Patterns that tie are ordered by the caller (rules: later declarations win).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from evalkit.compare.rules import parse_pointer

__all__ = [
    "ANY_DEPTH",
    "ANY_ONE",
    "PointerPattern",
    "escape_segment",
    "format_pointer",
    "is_within",
    "parse_pointer",
    "specificity",
    "unescape_segment",
]

ANY_ONE = "*"
ANY_DEPTH = "**"

# One escaped segment inside an escaped pointer string: anything but "/".
_SEGMENT = "[^/]*"


def escape_segment(segment: str) -> str:
    """Escape one segment for a pointer: ``~`` becomes ``~0``, ``/`` becomes ``~1``."""
    return segment.replace("~", "~0").replace("/", "~1")


def unescape_segment(segment: str) -> str:
    """Undo ``escape_segment`` (``~1`` first would turn ``~01`` into ``/``, so order matters)."""
    return segment.replace("~1", "/").replace("~0", "~")


def format_pointer(segments: Iterable[str | int]) -> str:
    """The pointer for a path: ``("a", 0, "b/c")`` gives ``/a/0/b~1c``; ``()`` gives ``""``."""
    return "".join("/" + escape_segment(str(segment)) for segment in segments)


def is_within(pointer: str, ancestor: str) -> bool:
    """True when ``pointer`` is ``ancestor`` itself or lies below it (escaped pointers)."""
    return pointer == ancestor or pointer.startswith(ancestor + "/") or ancestor == ""


def _segment_regex(segment: str) -> str:
    if segment == ANY_ONE:
        return "/" + _SEGMENT
    if segment == ANY_DEPTH:
        return f"(?:/{_SEGMENT})*"
    return re.escape("/" + escape_segment(segment))


@dataclass(frozen=True)
class PointerPattern:
    """A compiled pattern; it matches escaped pointer strings (as ``format_pointer`` makes)."""

    text: str
    segments: tuple[str, ...]
    _exact: re.Pattern[str] = field(repr=False, compare=False)
    _self_or_ancestor: re.Pattern[str] = field(repr=False, compare=False)

    @classmethod
    def compile(cls, text: str) -> PointerPattern:
        segments = parse_pointer(text)
        body = "".join(_segment_regex(segment) for segment in segments)
        return cls(
            text=text,
            segments=segments,
            _exact=re.compile(body + r"\Z"),
            _self_or_ancestor=re.compile(body + r"(?:/.*)?\Z", re.DOTALL),
        )

    def matches(self, pointer: str) -> bool:
        """The pattern matches this path exactly."""
        return self._exact.match(pointer) is not None

    def covers(self, pointer: str) -> bool:
        """The pattern matches this path or one of its ancestors (rules apply below a path)."""
        return self._self_or_ancestor.match(pointer) is not None

    @property
    def specificity(self) -> tuple[int, int, int]:
        """Higher sorts as more specific; see the module notes for the order."""
        return specificity(self.segments)


def specificity(segments: Sequence[str]) -> tuple[int, int, int]:
    literals = sum(1 for s in segments if s not in (ANY_ONE, ANY_DEPTH))
    singles = sum(1 for s in segments if s == ANY_ONE)
    return (literals, len(segments), singles)
