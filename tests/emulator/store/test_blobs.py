"""The content-addressed blob folder."""

from __future__ import annotations

import hashlib
import sys
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


def test_blob_names_are_never_interned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The interpreter's table of interned strings never shrinks: a slot per blob ever stored
    or read (``pathlib`` interns every part of a path) would grow with the files synced."""
    interned: list[str] = []
    intern = sys.intern

    def recording(text: str) -> str:
        interned.append(text)
        return intern(text)

    blobs = BlobStore(tmp_path / "blobs")
    monkeypatch.setattr(sys, "intern", recording)
    digest = blobs.put(b"hello")
    blobs.put(b"hello")
    assert blobs.get(digest) == b"hello"
    monkeypatch.undo()
    assert digest not in interned
    assert digest[:2] not in interned
