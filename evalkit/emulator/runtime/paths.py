"""Safe relative paths for files written into a scratch folder (contract A7)."""

from __future__ import annotations

from pathlib import Path

from evalkit.api.paths import unsafe_path_reason
from evalkit.safe_paths import UnsafePath, join_inside


class UnsafePathError(ValueError):
    """A workspace or output path that could escape its folder."""


def check_relative_path(path: str) -> str:
    """Return ``path`` if it is a safe relative POSIX path (contract A7), else raise
    ``UnsafePathError``. The store validates paths too; this is the runtime's own check, so a
    bad path in storage still cannot write outside the scratch folder.
    """
    reason = unsafe_path_reason(path)
    if reason is not None:
        raise UnsafePathError(f"path {path!r}: {reason}")
    return path


def resolve_inside(root: Path, path: str) -> Path:
    """The file ``root/path`` after checking that it stays inside ``root`` (through symlinks
    already present under it too: ``evalkit.safe_paths.join_inside``)."""
    check_relative_path(path)
    try:
        return join_inside(root, path)
    except UnsafePath:
        raise UnsafePathError(f"path {path!r} leaves its folder") from None
