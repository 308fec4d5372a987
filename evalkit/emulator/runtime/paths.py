"""Safe relative paths for files written into a scratch folder (contract A7)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath


class UnsafePathError(ValueError):
    """A workspace or output path that could escape its folder."""


def check_relative_path(path: str) -> str:
    """Return ``path`` if it is a safe relative POSIX path, else raise ``UnsafePathError``.

    Safe means: not empty, not absolute, no backslash, no empty, ``.`` or ``..`` segment,
    and no NUL byte. The store validates paths too; this is the runtime's own check, so a
    bad path in storage still cannot write outside the scratch folder.
    """
    if not path:
        raise UnsafePathError("empty path")
    if "\\" in path or "\x00" in path:
        raise UnsafePathError(f"path {path!r} contains a backslash or NUL byte")
    if path.startswith("/") or PurePosixPath(path).is_absolute():
        raise UnsafePathError(f"path {path!r} is absolute")
    for segment in path.split("/"):
        if segment in ("", ".", ".."):
            raise UnsafePathError(f"path {path!r} has an empty, '.' or '..' segment")
    return path


def resolve_inside(root: Path, path: str) -> Path:
    """The file ``root/path`` after checking that it stays inside ``root``."""
    target = root.joinpath(*check_relative_path(path).split("/"))
    resolved_root = root.resolve()
    # Catches escapes through symlinks already present under root, not only through "..".
    if not target.resolve().is_relative_to(resolved_root):
        raise UnsafePathError(f"path {path!r} leaves its folder")
    return target
