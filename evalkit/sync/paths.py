"""Workspace paths: the platform's safe relative form (contract A7), and where they land on disk."""

from __future__ import annotations

from pathlib import Path

from evalkit.errors import PlanError

EXAMPLES_DIR = "examples"


def unsafe_reason(path: str) -> str | None:
    """Why ``path`` is not a safe workspace path, or ``None`` when it is."""
    if not path:
        return "it is empty"
    if "\\" in path:
        return "it contains a backslash"
    if path.startswith("/"):
        return "it is absolute"
    if "\x00" in path:
        return "it contains a NUL character"
    segments = path.split("/")
    if any(segment == "" for segment in segments):
        return "it has an empty segment"
    if any(segment in (".", "..") for segment in segments):
        return "it has a '.' or '..' segment"
    return None


def check_workspace_path(path: str, *, where: str) -> str:
    """``path`` unchanged when it is safe; otherwise a :class:`PlanError` naming ``where``."""
    reason = unsafe_reason(path)
    if reason:
        raise PlanError(
            f"{where}: workspace path {path!r} is not allowed because {reason} "
            "(use a relative path with '/' separators and no '..')"
        )
    return path


def local_target(root: Path, path: str, *, where: str) -> Path:
    """Where workspace ``path`` is written under ``root``; never outside it."""
    check_workspace_path(path, where=where)
    base = root.resolve()
    target = (base / path).resolve()
    if not target.is_relative_to(base):  # a symlinked folder could still lead out
        raise PlanError(f"{where}: {path!r} would be written outside {root}")
    return target


def example_name(path: str) -> str | None:
    """The example a workspace path belongs to (``examples/<name>/...``), else ``None``."""
    parts = path.split("/")
    if len(parts) >= 3 and parts[0] == EXAMPLES_DIR:
        return parts[1]
    return None
