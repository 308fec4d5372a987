"""Reading file contents for comparison: text lines, CSV records, JSON; bounded unified diffs.

Text: UTF-8 (a byte-order mark is dropped); ``\\r\\n`` and ``\\r`` become ``\\n``; one final
newline is not significant (editors differ on it). Text normalisations apply line by line.

CSV: the first row is the header; each further row becomes a record ``{column: cell}``.
Cells are text and compare as text: ``1.0`` and ``1`` differ unless a numeric rule
(``tolerance``) applies to the column, as in ``/*/amount: {tolerance: 0.01}``. A row longer
than the header keeps its extra cells under ``#<column number>`` (1-based); a shorter row
lacks the missing columns (reported ``missing``). A file with no rows at all has no records.
A header that names a column twice is refused (``UnreadableFile``): records keyed by name would
keep only one of the two cells, and the other would never be compared. Blank lines after the
last row are not rows (they hold no cells, as a final newline holds none); a blank line between
rows is an empty row.

JSON: lists and objects nested more than ``MAX_DEPTH`` deep are refused (``UnreadableFile``), as
a project's own JSON files are, and so are numbers with more digits than Python converts.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import sys
from dataclasses import dataclass
from typing import Any

from evalkit.compare.rules import TextNormalisation
from evalkit.compare.values import normalise_text

DIFF_MAX_LINES = 200
DIFF_MAX_CHARS = 16_000
DIFF_MAX_INPUT_LINES = 20_000  # beyond this, difflib gets slow and the diff unreadable
#: lists and objects nested in one another in a JSON file, counted from its outermost value:
#: evalkit.manifest.limits.MAX_DEPTH, the README's limit (compare imports nothing of manifest,
#: docs/architecture.md; a test keeps the two equal)
MAX_DEPTH = 64


class UnreadableFile(ValueError):
    """The bytes cannot be read in the file's mode (not UTF-8, not JSON, not CSV)."""


class RepeatedColumn(UnreadableFile):
    """A CSV header names a column twice."""


def decode_text(data: bytes, side: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UnreadableFile(f"{side} is not UTF-8 text (byte {err.start})") from err


def text_lines(data: bytes, side: str, normalisations: tuple[TextNormalisation, ...]) -> list[str]:
    text = decode_text(data, side).replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    lines = text.split("\n") if text else []
    if normalisations:
        lines = [normalise_text(line, normalisations) for line in lines]
    return lines


def parse_json(data: bytes, side: str) -> Any:
    text = decode_text(data, side)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise UnreadableFile(
            f"{side} is not valid JSON: {err.msg} at line {err.lineno} column {err.colno}"
        ) from err
    except RecursionError:  # Python's parser recurses once per level: about 1,000 at most
        raise UnreadableFile(_too_deep(side)) from None
    except ValueError:  # int() refused a number with too many digits
        digits = sys.get_int_max_str_digits()
        raise UnreadableFile(f"{side} holds a number with more than {digits:,} digits") from None
    # At most as many levels as brackets: only a document with more must be walked.
    if text.count("[") + text.count("{") > MAX_DEPTH and _deeper(value, MAX_DEPTH):
        raise UnreadableFile(_too_deep(side))
    return value


def _too_deep(side: str) -> str:
    return (
        f"{side} nests lists and objects more than {MAX_DEPTH} deep "
        f"(evalkit reads at most {MAX_DEPTH} levels; flatten it)"
    )


def _deeper(value: Any, limit: int) -> bool:
    """Whether lists and objects nest more than ``limit`` deep in ``value`` (without recursing:
    what compares the value later does, and would crash)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        members = item.values() if isinstance(item, dict) else item
        if depth > limit:
            return True
        stack.extend((m, depth + 1) for m in members if isinstance(m, (dict, list)))
    return False


@dataclass(frozen=True)
class CsvRow:
    """One row of a CSV file: its cells, and its text as written (line ending included)."""

    cells: list[str]
    text: str


def csv_rows(data: bytes, side: str) -> list[CsvRow]:
    """The rows of a CSV file, the header first; blank lines at the end are no rows."""
    text = decode_text(data, side)
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(lines)
    rows, read = [], 0
    try:
        for cells in reader:
            rows.append(CsvRow(cells, "".join(lines[read : reader.line_num])))
            read = reader.line_num
    except csv.Error as err:
        raise UnreadableFile(f"{side} is not valid CSV: {err}") from err
    while rows and not rows[-1].cells:  # blank lines at the end: no cells, no row
        rows.pop()
    return rows


def csv_records(data: bytes, side: str) -> list[dict[str, str]]:
    rows = csv_rows(data, side)
    if not rows:
        return []
    header = rows[0].cells
    _refuse_repeated_columns(header, side)
    return [csv_record(header, row.cells) for row in rows[1:]]


def csv_record(header: list[str], cells: list[str]) -> dict[str, str]:
    """A row as a record: ``{column: cell}``, cells past the header under ``#<position>``."""
    record = dict(zip(header, cells, strict=False))
    for position in range(len(header), len(cells)):
        record[f"#{position + 1}"] = cells[position]
    return record


def _refuse_repeated_columns(header: list[str], side: str) -> None:
    """``UnreadableFile`` at the first column name used twice in the header."""
    first: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if name in first:
            raise RepeatedColumn(
                f"{side}'s header names the column {name!r} twice (columns {first[name]} and "
                f"{position}): each cell is compared by its column's name, so give each column "
                "its own name"
            )
        first[name] = position


def unified_diff(expected: list[str], actual: list[str], name: str) -> str:
    """A unified diff, cut to ``DIFF_MAX_LINES`` lines and ``DIFF_MAX_CHARS`` characters."""
    if len(expected) + len(actual) > DIFF_MAX_INPUT_LINES:
        return f"(diff omitted: {len(expected)} and {len(actual)} lines are too many to show)\n"
    lines = difflib.unified_diff(
        expected, actual, fromfile=f"expected/{name}", tofile=f"actual/{name}", lineterm=""
    )
    shown: list[str] = []
    size = 0
    total = 0
    full = False
    for line in lines:
        total += 1
        full = full or len(shown) >= DIFF_MAX_LINES or size + len(line) + 1 > DIFF_MAX_CHARS
        if not full:
            shown.append(line)
            size += len(line) + 1
    if total > len(shown):
        shown.append(f"... ({total - len(shown)} more diff lines not shown)")
    return "\n".join(shown) + "\n"
