"""Workspace paths: the platform's safe relative form (contract A7), and where they land on disk."""

from __future__ import annotations

from pathlib import Path

from evalkit.api.paths import unsafe_path_reason
from evalkit.errors import PlanError
from evalkit.safe_paths import UnsafePath, join_inside

EXAMPLES_DIR = "examples"


def check_workspace_path(path: str, *, where: str) -> str:
    """``path`` unchanged when it is safe; otherwise a :class:`PlanError` naming ``where``."""
    reason = unsafe_path_reason(path)
    if reason:
        raise PlanError(
            f"{where}: workspace path {path!r} is not allowed because {reason} "
            "(use a relative path with '/' separators and no '..')"
        )
    return path


def local_target(root: Path, path: str, *, where: str) -> Path:
    """Where workspace ``path`` is written under ``root``; never outside it."""
    check_workspace_path(path, where=where)
    try:
        return join_inside(root, path).resolve()
    except UnsafePath as err:  # a symlinked folder could still lead out
        raise PlanError(f"{where}: {path!r} would be written outside {root}") from err


def example_name(path: str) -> str | None:
    """The example a workspace path belongs to (``examples/<name>/...``), else ``None``."""
    parts = path.split("/")
    if len(parts) >= 3 and parts[0] == EXAMPLES_DIR:
        return parts[1]
    return None
