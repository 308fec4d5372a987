"""Reading file contents for comparison: text lines, CSV records, JSON; bounded unified diffs.

Text: UTF-8 (a byte-order mark is dropped); ``\\r\\n`` and ``\\r`` become ``\\n``; one final
newline is not significant (editors differ on it). Text normalisations apply line by line.

CSV: the first row is the header; each further row becomes a record ``{column: cell}``.
Cells are text and compare as text: ``1.0`` and ``1`` differ unless a numeric rule
(``tolerance``) applies to the column, as in ``/*/amount: {tolerance: 0.01}``. A row longer
than the header keeps its extra cells under ``#<column number>`` (1-based); a shorter row
lacks the missing columns (reported ``missing``). A file with no rows at all has no records.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
from typing import Any

from evalkit.compare.rules import TextNormalisation
from evalkit.compare.values import normalise_text

DIFF_MAX_LINES = 200
DIFF_MAX_CHARS = 16_000
DIFF_MAX_INPUT_LINES = 20_000  # beyond this, difflib gets slow and the diff unreadable


class UnreadableFile(ValueError):
    """The bytes cannot be read in the file's mode (not UTF-8, not JSON, not CSV)."""


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
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise UnreadableFile(
            f"{side} is not valid JSON: {err.msg} at line {err.lineno} column {err.colno}"
        ) from err


def csv_records(data: bytes, side: str) -> list[dict[str, str]]:
    text = decode_text(data, side)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as err:
        raise UnreadableFile(f"{side} is not valid CSV: {err}") from err
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    records = []
    for row in body:
        record = dict(zip(header, row, strict=False))
        for position in range(len(header), len(row)):
            record[f"#{position + 1}"] = row[position]
        records.append(record)
    return records


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
