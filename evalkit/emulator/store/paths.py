"""Workspace and artifact names: safe relative paths only (contract A7)."""

from __future__ import annotations

from evalkit.api.paths import unsafe_path_reason
from evalkit.emulator.problems import invalid

__all__ = ["check_path", "unsafe_path_reason"]


def check_path(path: str, field: str) -> str:
    """Return ``path`` if it is safe, else raise a 400 problem naming ``field``."""
    reason = unsafe_path_reason(path)
    if reason is not None:
        raise invalid(field, f"invalid path {path!r}: {reason}")
    return path
