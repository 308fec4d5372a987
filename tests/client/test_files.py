"""File inputs as in contract A4 and the SDK's ``_files.py``."""

from __future__ import annotations

import io
from contextlib import ExitStack
from pathlib import Path

import pytest

from evalkit.client._files import (
    basename,
    file_part,
    guess_mime_type,
    has_file_input,
    is_file_input,
    split_input,
)


def test_what_counts_as_a_file(tmp_path: Path) -> None:
    handle = io.BytesIO(b"x")
    handle.name = "x.bin"
    assert is_file_input(tmp_path / "a.pdf")
    assert is_file_input(handle)
    assert is_file_input({"content": b"x", "filename": "x.txt"})
    assert is_file_input({"content": bytearray(b"x"), "filename": "x.txt", "mime_type": "a/b"})
    assert not is_file_input({"content": "text", "filename": "x.txt"})
    assert not is_file_input({"filename": "x.txt"})
    assert not is_file_input(io.BytesIO(b"no name"))
    assert not is_file_input("a.pdf")
    assert not is_file_input(b"bytes")


def test_only_top_level_values_count() -> None:
    nested = {"doc": {"inner": {"content": b"x", "filename": "x"}}}
    assert not has_file_input(nested)
    assert not has_file_input(None)
    assert not has_file_input({})


@pytest.mark.parametrize(
    ("name", "mime"),
    [
        ("a.pdf", "application/pdf"),
        ("a.json", "application/json"),
        ("a.csv", "text/csv"),
        ("a.zzz9", "application/octet-stream"),
        ("noext", "application/octet-stream"),
    ],
)
def test_mime_from_extension(name: str, mime: str) -> None:
    assert guess_mime_type(name) == mime


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("/tmp/in/a.pdf", "a.pdf"),
        ("a.pdf", "a.pdf"),
        ("C:\\docs\\b.txt", "b.txt"),
        ("dir/", "dir"),
        ("", "file"),
    ],
)
def test_filename_is_the_basename(name: str, expected: str) -> None:
    assert basename(name) == expected


def test_parts_from_each_kind(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    path.write_bytes(b"png")
    handle = io.BytesIO(b"h")
    handle.name = "/abs/dir/notes.txt"
    scalars, parts = split_input(
        {
            "a": path,
            "n": 1,
            "b": handle,
            "c": {"content": b"c", "filename": "../c.json", "mime_type": "x/y"},
            "d": {"content": b"d", "filename": "d.json", "mimeType": "x/z"},
        }
    )
    assert scalars == {"n": 1}
    assert [(p.field, p.filename, p.mime_type) for p in parts] == [
        ("a", "scan.png", "image/png"),
        ("b", "notes.txt", "text/plain"),
        ("c", "c.json", "x/y"),
        ("d", "d.json", "x/z"),
    ]
    with ExitStack() as stack:
        opened = parts[0].open(stack)
        assert not isinstance(opened, bytes)
        assert opened.read() == b"png"
    assert opened.closed
    assert all(p.replayable for p in parts)


def test_handle_without_a_string_name_is_called_file() -> None:
    handle = io.BytesIO(b"h")
    handle.name = 3
    assert file_part("f", handle).filename == "file"
