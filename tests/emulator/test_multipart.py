"""Multipart parts to file inputs: base names that never carry a path, and content types."""

from __future__ import annotations

import pytest

from evalkit.emulator.multipart import FormFile, input_file, safe_basename


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("march.pdf", "march.pdf"),
        ("dir/sub/march.pdf", "march.pdf"),
        ("C:\\Users\\me\\march.pdf", "march.pdf"),
        ("../../etc/passwd", "passwd"),
        ("bad\x00\x1f\x7fname.txt", "badname.txt"),
        ("", "doc field"),
        ("x/..", "doc field"),
        ("\x01", "doc field"),
    ],
)
def test_safe_basename(sent: str, kept: str) -> None:
    fallback = safe_basename(sent, fallback="doc field")
    assert fallback == kept.replace("doc field", "doc_field")


def test_input_file_keeps_the_declared_type_and_guesses_a_missing_one() -> None:
    declared = input_file("doc", FormFile("a/scan.pdf", "image/png", b"x"))
    assert (declared.field, declared.filename, declared.content_type) == (
        "doc",
        "scan.pdf",
        "image/png",
    )
    guessed = input_file("doc", FormFile("scan.pdf", None, b"x"))
    assert guessed.content_type == "application/pdf"
    unknown = input_file("blob", FormFile("", None, b"\x00"))
    assert (unknown.filename, unknown.content_type) == ("blob", "application/octet-stream")
    assert unknown.content == b"\x00"
