"""The workspace shapes a run can get: examples/ never in them, lazy ones opened only on use."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.emulator.runtime.workspace import (
    FilesWorkspace,
    FolderWorkspace,
    LazyWorkspace,
    Workspace,
)


def test_files_leave_out_examples() -> None:
    workspace = FilesWorkspace(
        {"main.py": b"m", "examples/a/expected.json": b"{}", "examples": b""}
    )
    assert workspace.paths() == ["main.py"]
    assert workspace.get("examples/a/expected.json") is None
    assert "main.py" in workspace


def test_a_folder_copy_is_a_new_file(tmp_path: Path) -> None:
    folder = tmp_path / "commit"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "data.txt").write_bytes(b"cached")
    (folder / "sub" / "data.txt").chmod(0o444)
    (folder / "link").symlink_to(folder / "sub" / "data.txt")
    workspace = FolderWorkspace(folder)
    assert workspace.paths() == ["sub/data.txt"]  # symlinks are never part of it
    target = tmp_path / "copy.txt"
    workspace.copy_file("sub/data.txt", target)
    target.write_bytes(b"changed")  # writable, and not the cached file
    assert workspace.get("sub/data.txt") == b"cached"


def test_a_lazy_workspace_opens_on_first_use_only_and_closes_once() -> None:
    opened: list[Workspace] = []
    closed: list[Workspace] = []

    def open_() -> Workspace:
        opened.append(FilesWorkspace({"a": b"1"}))
        return opened[-1]

    unused = LazyWorkspace(open_, closed.append)
    unused.close()
    assert (opened, closed) == ([], [])

    used = LazyWorkspace(open_, closed.append)
    assert used.get("a") == b"1"
    assert used.paths() == ["a"]
    assert len(opened) == 1
    used.close()
    used.close()
    assert closed == opened
    with pytest.raises(RuntimeError, match="after the run ended"):
        used.get("a")
