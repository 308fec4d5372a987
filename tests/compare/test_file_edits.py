"""``file_edits``: an accepted text or CSV file is its old text with only what differs
changed: lines and rows kept as written, the file's line endings, quoting, byte-order mark and
final line ending (or its absence) kept."""

from __future__ import annotations

import pytest

from evalkit.compare.file_edits import edited_csv, edited_text
from evalkit.compare.file_formats import csv_record, csv_records, csv_rows
from evalkit.compare.rules import TextNormalisation


@pytest.mark.parametrize(
    ("expected", "actual", "edited"),
    [
        (b"a\r\nb\r\n", b"a\nc\n", b"a\r\nc\r\n"),  # the file's line ending
        (b"a\nb", b"a\nb\nc\n", b"a\nb\nc"),  # no final line ending stays so
        (b"a", b"a\n\n", b"a\n\n"),  # a last empty line keeps its ending
        (b"\xef\xbb\xbfa\nb\n", b"a\nB\n", b"\xef\xbb\xbfa\nB\n"),  # the byte-order mark
    ],
)
def test_a_text_file_keeps_its_layout(expected: bytes, actual: bytes, edited: bytes) -> None:
    assert edited_text(expected, actual, ()) == edited


def test_text_lines_equal_under_the_rule_keep_their_text() -> None:
    edited = edited_text(b"  One\nTwo\n", b"one\nthree\n", (TextNormalisation.CASEFOLD,))
    assert edited == b"one\nthree\n"
    strip = (TextNormalisation.STRIP, TextNormalisation.CASEFOLD)
    assert edited_text(b"  One\nTwo\n", b"one\nthree\n", strip) == b"  One\nthree\n"


def accepted_csv(expected: bytes, keep: list[int], new: list[dict[str, str]]) -> bytes | None:
    """The CSV text holding the old rows ``keep`` (their records, unchanged) and ``new``."""
    rows = csv_rows(expected, "the expected file")
    kept = [csv_record(rows[0].cells, row.cells) for row in rows[1:]]
    return edited_csv(expected, rows, kept, [kept[index] for index in keep] + new)


def test_kept_csv_rows_keep_their_text_blank_rows_and_what_follows_the_last_row() -> None:
    expected = b'a,b\n"1",x\n\n2,y\n\n\n'
    assert accepted_csv(expected, [1, 0, 2], [{"a": "3", "b": "z"}]) == (
        b'a,b\n\n"1",x\n2,y\n3,z\n\n\n'
    )


def test_csv_rows_past_or_short_of_the_header_are_written_so() -> None:
    new = [{"a": "1"}, {"a": "2", "b": "x", "#3": "extra"}]
    edited = accepted_csv(b"a,b\r\n", [], new)
    assert edited == b"a,b\r\n1\r\n2,x,extra\r\n"
    assert edited is not None
    assert csv_records(edited, "the file") == new


def test_a_csv_row_that_cannot_be_written_in_the_files_layout_is_left_to_the_caller() -> None:
    """A record without a column between two it has: a row cannot lack a middle cell."""
    new = [{"a": "1", "c": "3"}, {"a": "1", "b": "2", "c": "3"}]
    assert accepted_csv(b"a,b,c\n", [], new) is None


def test_a_column_no_row_has_any_longer_leaves_the_header() -> None:
    assert accepted_csv(b"a,b,c\n1,2,3\n", [], [{"a": "1", "c": "3"}]) == b"a,c\n1,3\n"
