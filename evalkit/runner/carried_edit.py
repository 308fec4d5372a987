"""Carrying ruamel.yaml's edit of a manifest over to the manifest's own text.

ruamel.yaml writes a whole document again, and not always as it was written: an escape
(``"\\u00c9"``) comes back as its character, an anchor no alias uses is dropped, odd spacing is
evened out. So the edit is taken as the lines in which ruamel.yaml's text of the edited
document differs from its text of the document as read (``base``), and made to the file's own
lines where the base agrees with the file; every other line of the file stays as written. An
edited line the base writes differently from the file (or lines inserted right next to one)
cannot be carried over: ``Unreproduced`` names the file's line, column and what on it ruamel.yaml
does not write back.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

#: what on a line ruamel.yaml may write back differently, found where the line first differs
_CONSTRUCTS = (
    (re.compile(r"\\(?:u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|.)"), "the escape"),
    (re.compile(r"&[^\s,\[\]{}]+"), "the anchor"),
    (re.compile(r"\*[^\s,\[\]{}]+"), "the alias"),
    (re.compile(r"<<"), "the merge key"),
    (re.compile(r"![^\s,\[\]{}]*"), "the tag"),
)


class Unreproduced(Exception):
    """An edited line sits where ruamel.yaml does not write the file back as it stands."""

    def __init__(self, line: int, column: int, construct: str) -> None:
        super().__init__(f"{line}:{column}: {construct}")
        self.line = line  # 1-based, as the column
        self.column = column
        self.construct = construct


@dataclass(frozen=True)
class Carried:
    """The file's text with the edit, and the file's lines it replaced (0-based, end
    excluded: an empty range is a place lines were inserted)."""

    text: str
    replaced: list[tuple[int, int]]


def carried_over(original: str, base: str, edited: str) -> Carried:
    """``original`` with the lines that differ between ``base`` and ``edited`` changed so."""
    old, base_lines, new = (text.splitlines(keepends=True) for text in (original, base, edited))
    agreeing = _Agreement(old, base_lines)
    lines, replaced = list(old), []
    matcher = difflib.SequenceMatcher(None, base_lines, new, autojunk=False)
    for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
        if tag != "equal":
            start, end = agreeing.place(i1, i2)
            lines[start:end] = new[j1:j2]
            replaced.append((start, end))
    return Carried("".join(lines), replaced[::-1])


class _Agreement:
    """Where the lines of ruamel.yaml's text (the base) are in the file, when written alike."""

    def __init__(self, old: list[str], base: list[str]) -> None:
        self.old, self.base = old, base
        self.opcodes = difflib.SequenceMatcher(None, base, old, autojunk=False).get_opcodes()
        self.in_file: list[int | None] = [None] * len(base)
        for tag, i1, i2, j1, _ in self.opcodes:
            if tag == "equal":
                self.in_file[i1:i2] = list(range(j1, j1 + i2 - i1))

    def place(self, start: int, end: int) -> tuple[int, int]:
        """The file's lines that stand for base lines ``start`` to ``end``."""
        if start == end:
            return self._gap(start)
        first = self.in_file[start]
        for line in range(start, end):
            at = self.in_file[line]
            if at is None:
                raise self._blame_base(line)
            if first is not None and at != first + line - start:  # the file has lines between
                raise self._blame_file(first + line - start)
        assert first is not None
        return first, first + end - start

    def _gap(self, at: int) -> tuple[int, int]:
        """Where lines inserted before base line ``at`` go in the file."""
        before = self.in_file[at - 1] if at > 0 else -1
        after = self.in_file[at] if at < len(self.base) else len(self.old)
        if before is None and after is None:
            raise self._blame_base(at)
        if before is not None and after is not None and after != before + 1:
            raise self._blame_file(before + 1)
        place = before + 1 if before is not None else after
        assert place is not None
        return place, place

    def _blame_base(self, line: int) -> Unreproduced:
        """Why base line ``line`` has no line of the file that stands for it."""
        for tag, i1, i2, j1, j2 in self.opcodes:
            if tag != "equal" and i1 <= line < i2:
                if j1 < j2:
                    return self._blame_file(j1)
                added = self.base[line].strip()
                return Unreproduced(j1 + 1, 1, f"a line evalkit's YAML writer adds ({added!r})")
        raise AssertionError(f"base line {line} is in the file")

    def _blame_file(self, line: int) -> Unreproduced:
        """What file line ``line`` has that ruamel.yaml writes back differently."""
        for tag, i1, i2, j1, j2 in self.opcodes:
            if tag != "equal" and j1 <= line < j2:
                written = self.old[line]
                column = _first_difference(written, self.base[i1] if i1 < i2 else "")
                return Unreproduced(line + 1, column + 1, _construct(written, column))
        raise AssertionError(f"file line {line} is in the base")


def _first_difference(left: str, right: str) -> int:
    for index, (a, b) in enumerate(zip(left, right, strict=False)):
        if a != b:
            return index
    return min(len(left), len(right))


def _construct(line: str, column: int) -> str:
    for pattern, what in _CONSTRUCTS:
        found = pattern.match(line, column)
        if found:
            return f"{what} {found.group()}"
    return f"the layout of {line.strip()!r} (spacing, quoting or a comment)"
