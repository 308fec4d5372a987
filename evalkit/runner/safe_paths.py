"""Names from the API become paths on disk only inside the folder they belong to."""

from __future__ import annotations

from pathlib import Path


class UnsafePath(ValueError):
    """A name that would leave its folder, or is not a plain relative path."""


def check_relative(name: str) -> tuple[str, ...]:
    """The segments of a safe relative path: ``/``-separated, no empty, ``.`` or ``..``
    segment, no backslash, no NUL, not absolute."""
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        raise UnsafePath(f"{name!r} is not a safe relative path")
    segments = tuple(name.split("/"))
    if any(segment in ("", ".", "..") for segment in segments):
        raise UnsafePath(f"{name!r} is not a safe relative path")
    if len(segments[0]) >= 2 and segments[0][1] == ":":  # C:foo on Windows
        raise UnsafePath(f"{name!r} is not a safe relative path")
    return segments


def safe_join(root: Path, *names: str) -> Path:
    """``root`` joined with each name (each may hold ``/``); raises ``UnsafePath`` if any
    name is unsafe or the result would not be inside ``root``."""
    target = root
    for name in names:
        target = target.joinpath(*check_relative(name))
    resolved_root = root.resolve()
    if not target.resolve().is_relative_to(resolved_root):
        raise UnsafePath(f"{'/'.join(names)!r} leaves {root}")  # e.g. through a symlink
    return target
