"""Where an example's problem is written: the line of its first difference in ``expected.json``.

An example's mark (``file:line:col``) says where it is declared: its ``expected.json`` (line 1)
or its entry in the manifest. When the mark is a JSON file and the comparison has differences
with JSON pointers, the location moves to the line of the differing key, so a JUnit test case
and a GitHub annotation point at ``"currency": "GBP"`` rather than at ``1:1``.

``pointer_position`` finds a pointer in JSON text without building the document: it walks the
text along the pointer's segments only (``json`` itself decodes each key, so escapes in keys
and ``~0``/``~1`` in pointers are handled), and a key of the same name at another depth
is never taken for the one asked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalkit.compare.pointers import parse_pointer
from evalkit.runner.results import ExampleResult
from evalkit.safe_paths import is_inside

_SPACE = re.compile(r"[ \t\n\r]*")
_INDEX = re.compile(r"0|[1-9][0-9]*")
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class Location:
    """``file`` as the mark writes it (relative to the folder evalkit ran in, or absolute);
    ``line`` and ``column`` 1-based."""

    file: str
    line: int
    column: int


def pointer_position(text: str, pointer: str) -> tuple[int, int] | None:
    """1-based ``(line, column)`` where the value at ``pointer`` (RFC 6901) is written in the
    JSON ``text``: an object member's key, an array element's first character, the document
    for ``""``. None when the pointer is malformed or not in the text, or the text is not JSON
    along the way."""
    try:
        segments = parse_pointer(pointer)
        offset = _offset(text, segments)
    except (ValueError, IndexError):  # a malformed pointer or text (JSONDecodeError too)
        return None
    return None if offset is None else _line_column(text, offset)


def _offset(text: str, segments: Sequence[str]) -> int | None:
    start = _skip(text, 1 if text.startswith("\ufeff") else 0)
    if start >= len(text):
        return None
    at = value = start
    for segment in segments:
        opening = text[value]
        found = (
            _member(text, value, segment)
            if opening == "{"
            else _element(text, value, segment)
            if opening == "["
            else None
        )
        if found is None:
            return None
        at, value = found
    return at


def _member(text: str, start: int, name: str) -> tuple[int, int] | None:
    """(key offset, value offset) of member ``name`` of the object at ``start``; the last one
    when a key is written twice, as JSON readers keep the last value."""
    found = None
    index = _skip(text, start + 1)
    if text[index] == "}":
        return None
    while True:
        if text[index] != '"':
            raise ValueError("a key must be a string")
        key, end = _DECODER.raw_decode(text, index)
        colon = _skip(text, end)
        if text[colon] != ":":
            raise ValueError("a key must be followed by ':'")
        value = _skip(text, colon + 1)
        if key == name:
            found = (index, value)
        index = _after_value(text, value)
        if text[index] == "}":
            return found
        if text[index] != ",":
            raise ValueError("members are separated by ','")
        index = _skip(text, index + 1)


def _element(text: str, start: int, segment: str) -> tuple[int, int] | None:
    """(offset, offset) of element ``segment`` (a decimal index) of the array at ``start``."""
    if not _INDEX.fullmatch(segment):
        return None  # "-" (past the end) or a key: nothing there
    wanted = int(segment)
    index = _skip(text, start + 1)
    if text[index] == "]":
        return None
    for _ in range(wanted):
        index = _after_value(text, index)
        if text[index] != ",":
            return None  # the array is shorter
        index = _skip(text, index + 1)
    return index, index


def _after_value(text: str, start: int) -> int:
    _, end = _DECODER.raw_decode(text, start)
    return _skip(text, end)


def _skip(text: str, index: int) -> int:
    found = _SPACE.match(text, index)
    return found.end() if found else index


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def difference_position(text: str, differences: Iterable[Any]) -> tuple[int, int] | None:
    """Where the first difference that can be placed is written in the expected JSON ``text``.

    Differences in the expected document (changed, missing, type changed, order) come first;
    an ``unexpected`` value exists only in the actual output, so it is placed at the object or
    array that should not have it."""
    placed: list[str] = []
    later: list[str] = []
    for difference in differences:
        pointer = difference.get("pointer") if isinstance(difference, dict) else None
        if not isinstance(pointer, str):
            continue
        if difference.get("kind") == "unexpected":
            later.append(pointer.rsplit("/", 1)[0] if pointer else pointer)
        else:
            placed.append(pointer)
    for pointer in [*placed, *later]:
        position = pointer_position(text, pointer)
        if position is not None:
            return position
    return None


def parse_location(mark: str | None) -> Location | None:
    """``file:line:col`` as a Location; None when there is no mark or it has no line."""
    if not mark:
        return None
    parts = mark.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    return Location(parts[0], int(parts[1]), int(parts[2]))


def example_location(result: ExampleResult, base: Path | None = None) -> Location | None:
    """Where the example's problem is: its mark, moved to the line of its first difference
    when the mark is a JSON file (its ``expected.json``) that can still be read. Marks are
    read from ``base`` (default: the current folder, as marks are written), and only there:
    a mark is data from a results file, and a file it names elsewhere is never read."""
    location = parse_location(result.mark)
    differences = (result.comparison or {}).get("differences") or []
    if location is None or not differences or not location.file.endswith(".json"):
        return location
    text = _read_inside(Path(location.file), (base or Path.cwd()).resolve())
    position = difference_position(text, differences) if text is not None else None
    return location if position is None else Location(location.file, *position)


def _read_inside(path: Path, root: Path) -> str | None:
    """The text of ``path`` (relative to ``root``) when it is a regular file inside ``root``;
    None otherwise (elsewhere, gone, a pipe, not UTF-8: the report is rendered away from
    the project, or the mark is not one evalkit wrote)."""
    try:
        real = (root / path).resolve()
        if not is_inside(real, root) or not real.is_file():
            return None
        return real.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, RuntimeError):  # RuntimeError: a symlink loop
        return None
