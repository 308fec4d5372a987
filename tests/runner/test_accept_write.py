"""Writing an accept's files: all or nothing, never over a file edited since the plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.runner.accept_write import AcceptWriteError, FileWrite, diff_text, write_all


def test_every_file_is_written_added_and_removed(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(b"old")
    (tmp_path / "expected").mkdir()
    (tmp_path / "expected" / "gone.txt").write_bytes(b"x")
    write_all(
        [
            FileWrite(tmp_path / "a.json", b"old", b"new"),
            FileWrite(tmp_path / "expected" / "gone.txt", b"x", None),
            FileWrite(tmp_path / "added" / "b.txt", None, b"b"),
        ]
    )
    assert (tmp_path / "a.json").read_bytes() == b"new"
    assert not (tmp_path / "expected").exists()  # its last file went
    assert (tmp_path / "added" / "b.txt").read_bytes() == b"b"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.json", "added", "b.txt"]


def test_a_file_changed_since_the_plan_stops_everything(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(b"old")
    (tmp_path / "b.json").write_bytes(b"edited meanwhile")
    writes = [
        FileWrite(tmp_path / "a.json", b"old", b"new"),
        FileWrite(tmp_path / "b.json", b"old", b"new"),
    ]
    with pytest.raises(AcceptWriteError, match="changed since the accept was planned"):
        write_all(writes)
    assert (tmp_path / "a.json").read_bytes() == b"old"


def test_a_file_that_cannot_be_written_leaves_every_file_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(b"old")
    (tmp_path / "plain").write_bytes(b"a file, not a folder")
    with pytest.raises(AcceptWriteError, match="nothing was written"):
        write_all(
            [
                FileWrite(tmp_path / "a.json", b"old", b"new"),
                FileWrite(tmp_path / "plain" / "b.json", None, b"new"),
            ]
        )
    assert (tmp_path / "a.json").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.json", "plain"]


def test_the_diff_names_the_file_as_git_does() -> None:
    text = diff_text(FileWrite(Path("x"), b'{"a": 1}\n', b'{"a": 2}\n'), "ex/expected.json")
    assert text.splitlines()[:2] == ["--- a/ex/expected.json", "+++ b/ex/expected.json"]
    assert '-{"a": 1}' in text
    assert '+{"a": 2}' in text
    assert diff_text(FileWrite(Path("x"), None, b"\xff"), "img.bin") == (
        "add img.bin: binary (0 -> 1 bytes)\n"
    )
