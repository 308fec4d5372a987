"""The content-addressed blob folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from evalkit.emulator.store.blobs import BlobStore


def test_put_is_content_addressed_and_deduplicated(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    digest = blobs.put(b"hello")
    assert digest == hashlib.sha256(b"hello").hexdigest()
    assert blobs.put(b"hello") == digest
    assert blobs.get(digest) == b"hello"
    stored = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
    assert stored == [tmp_path / "blobs" / digest[:2] / digest]


@pytest.mark.parametrize("name", ["../../etc/passwd", "abc", "A" * 64, ""])
def test_names_that_are_not_digests_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="not a blob name"):
        BlobStore(tmp_path).get(name)


def test_wipe_empties_the_folder(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "b")
    blobs.put(b"1")
    blobs.put(b"2")
    blobs.wipe()
    assert list((tmp_path / "b").iterdir()) == []
