"""Writing an accepted expected file into its old text, so that ``git diff`` shows the real
differences and nothing else (``evalkit accept``; ``accepting`` works out what is accepted).

Text: the lines equal to the output's (under the rule's ``text`` normalisations) keep their
text as written; the others are the output's lines. CSV: a row whose record the accept kept
keeps its text as written; a changed or new row is written in the file's style (a cell keeps
its old value where the rules excuse the difference, see ``accepting``). Both keep the file's
byte-order mark, line ending (new lines take the first one the file has) and its final line
ending, or the lack of one. What cannot be written so, a file whose rows do not read back as
the accepted records, is left to the caller (``None``).
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Sequence
from typing import Literal

from evalkit.compare.file_formats import CsvRow, csv_records, decode_text, text_lines
from evalkit.compare.rules import TextNormalisation

_BOM = b"\xef\xbb\xbf"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_ENDINGS = ("\r\n", "\r", "\n")


def edited_text(
    expected: bytes, actual: bytes, normalisations: tuple[TextNormalisation, ...]
) -> bytes | None:
    """The expected text file with the output's lines where they differ."""
    old, new = _lines(expected), _lines(actual)
    old_compared = text_lines(expected, "the expected file", normalisations)
    new_compared = text_lines(actual, "the output file", normalisations)
    if len(old) != len(old_compared) or len(new) != len(new_compared):
        return None  # a file of one empty line, compared as empty: nothing to keep
    ending = _ending(old) or _ending(new) or "\n"
    lines: list[str] = []
    matcher = difflib.SequenceMatcher(None, old_compared, new_compared, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        lines += old[i1:i2] if tag == "equal" else [_bare(line) + ending for line in new[j1:j2]]
    return _bom(expected) + _joined(lines, old, ending).encode("utf-8")


def edited_csv(
    expected: bytes,
    rows: list[CsvRow],
    kept: Sequence[dict[str, str]],
    records: list[dict[str, str]],
) -> bytes | None:
    """The expected CSV file (read as ``rows``, the header first) holding ``records``: those
    that are one of ``kept`` (its rows' records) keep their row's text."""
    header = rows[0]
    columns = _columns(header.cells, records)
    ending = _ending([header.text]) or "\n"
    sample = rows[1] if len(rows) > 1 else header
    quote_all = _written(sample.cells, True, _ending([sample.text])) == sample.text
    texts: dict[int, str] = {}
    if columns[: len(header.cells)] == header.cells:  # the old rows' cells keep their places
        texts = {id(record): row.text for record, row in zip(kept, rows[1:], strict=True)}
    lines = [header.text if columns == header.cells else _written(columns, quote_all, ending)]
    for record in records:
        text = texts.get(id(record))
        lines.append(
            text if text is not None else _written(_cells(record, columns), quote_all, ending)
        )
    text = _joined(lines, [row.text for row in rows], ending) + _after_rows(expected, rows)
    if csv_records(text.encode("utf-8"), "the accepted file") != records:
        return None
    return _bom(expected) + text.encode("utf-8")


def _columns(header: list[str], records: list[dict[str, str]]) -> list[str]:
    """The header's columns some record has, in their old order (column order is no
    difference), then the columns the records add."""
    if not records:
        return header
    named = [key for record in records for key in record if _position(key, header) is None]
    used = set(named)
    return [column for column in header if column in used] + [
        column for column in dict.fromkeys(named) if column not in header
    ]


def _position(key: str, header: list[str]) -> int | None:
    """The position of a cell past the header, from its record key (``#<position>``)."""
    if key in header or not re.fullmatch(r"#[1-9][0-9]*", key):
        return None
    return int(key[1:]) - 1


def _cells(record: dict[str, str], columns: list[str]) -> list[str]:
    cells: list[str | None] = [record.get(column) for column in columns]
    for key, value in record.items():
        position = _position(key, columns)
        if position is not None:
            cells += [None] * (position + 1 - len(cells))
            cells[position] = value
    while cells and cells[-1] is None:
        cells.pop()  # a short row
    return ["" if cell is None else cell for cell in cells]


def _written(cells: list[str], quote_all: bool, ending: str) -> str:
    """One row as the csv module writes it (every cell quoted, or only where needed)."""
    buffer = io.StringIO()
    quoting: Literal[0, 1] = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    csv.writer(buffer, quoting=quoting, lineterminator=ending).writerow(cells)
    return buffer.getvalue()


def _after_rows(expected: bytes, rows: list[CsvRow]) -> str:
    """Blank lines after the last row, as written."""
    text = decode_text(expected, "the expected file")
    return text[sum(len(row.text) for row in rows) :]


def _lines(data: bytes) -> list[str]:
    text = decode_text(data, "the file")
    return _LINE.findall(text)


def _ending(lines: Sequence[str]) -> str:
    """The line ending of the first of ``lines`` that has one (``""`` when none has)."""
    for line in lines:
        for ending in _ENDINGS:
            if line.endswith(ending):
                return ending
    return ""


def _bare(line: str) -> str:
    return line[: len(line) - len(_ending([line]))]


def _joined(lines: list[str], old: list[str], ending: str) -> str:
    """The lines as one text, each ended but the last, which ends as the old text's last
    line did (an empty last line always ends: without its ending it is no line)."""
    if not lines:
        return ""
    *body, last = lines
    text = "".join(line if _ending([line]) else line + ending for line in body)
    if old and not _ending(old[-1:]) and _bare(last):
        return text + _bare(last)
    return text + (last if _ending([last]) else last + ending)


def _bom(expected: bytes) -> bytes:
    return _BOM if expected.startswith(_BOM) else b""
