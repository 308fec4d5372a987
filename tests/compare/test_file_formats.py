"""Reading output and expected files in their mode: JSON within evalkit's depth limit, CSV
headers that name each column once, blank lines at a CSV file's end."""

from __future__ import annotations

import pytest

from evalkit.compare.file_formats import (
    MAX_DEPTH,
    RepeatedColumn,
    UnreadableFile,
    csv_records,
    parse_json,
)
from evalkit.manifest import limits


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_the_depth_limit_is_the_one_of_the_project_files_and_is_read() -> None:
    assert MAX_DEPTH == limits.MAX_DEPTH
    value = parse_json(nested(MAX_DEPTH), "the output file")
    for _ in range(MAX_DEPTH - 1):
        [value] = value
    assert value == []


@pytest.mark.parametrize(
    "data",
    [
        nested(MAX_DEPTH + 1),
        b'{"a": ' * (MAX_DEPTH + 1) + b"1" + b"}" * (MAX_DEPTH + 1),
        nested(5000),  # past Python's own recursion limit
        b"[" * 5000,  # never closed: the parser recurses before it finds out
    ],
)
def test_json_nested_past_the_limit_is_unreadable(data: bytes) -> None:
    with pytest.raises(UnreadableFile) as caught:
        parse_json(data, "the output file")
    assert str(caught.value) == (
        f"the output file nests lists and objects more than {MAX_DEPTH} deep "
        f"(evalkit reads at most {MAX_DEPTH} levels; flatten it)"
    )


def test_a_number_with_too_many_digits_is_unreadable() -> None:
    with pytest.raises(UnreadableFile, match="the expected file holds a number with more than"):
        parse_json(b"1" * 5000, "the expected file")


def test_a_csv_header_naming_a_column_twice_is_refused() -> None:
    with pytest.raises(RepeatedColumn) as caught:
        csv_records(b"id,a,b,a\n1,9,3,2\n", "the output file")
    assert str(caught.value) == (
        "the output file's header names the column 'a' twice (columns 2 and 4): each cell is "
        "compared by its column's name, so give each column its own name"
    )


@pytest.mark.parametrize("ending", [b"\n\n", b"\n\n\n", b"\r\n\r\n\r\n"])
def test_blank_lines_at_the_end_of_a_csv_file_are_no_rows(ending: bytes) -> None:
    assert csv_records(b"a\n1" + ending, "the output file") == [{"a": "1"}]
    # elsewhere a blank line is still an (empty) row; csv writers write a row holding one
    # empty cell as '""', never as a blank line
    assert csv_records(b"a\n\n1" + ending, "the output file") == [{}, {"a": "1"}]
    assert csv_records(b'a\n1\n""' + ending, "the output file") == [{"a": "1"}, {"a": ""}]
