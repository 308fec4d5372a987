"""Safe relative paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.emulator.runtime.paths import UnsafePathError, check_relative_path, resolve_inside


@pytest.mark.parametrize("path", ["a", "a/b.txt", "skills/x/y.md", ".hidden", "a..b"])
def test_safe_paths_pass(path: str) -> None:
    assert check_relative_path(path) == path


@pytest.mark.parametrize(
    "path", ["", "/etc/passwd", "../x", "a/../../x", "a\\b", "a//b", "a/", "./a", "a/./b", "a\x00"]
)
def test_unsafe_paths_are_refused(path: str) -> None:
    with pytest.raises(UnsafePathError):
        check_relative_path(path)


def test_resolve_inside_refuses_a_symlink_that_leaves_the_folder(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(UnsafePathError, match="leaves its folder"):
        resolve_inside(root, "link/escape.txt")
    assert resolve_inside(root, "sub/file.txt") == root / "sub" / "file.txt"
