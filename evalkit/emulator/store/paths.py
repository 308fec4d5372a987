"""Workspace and artifact names: safe relative paths only (contract A7)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from evalkit.api.paths import unsafe_path_reason
from evalkit.emulator.problems import ApiProblem, invalid

__all__ = [
    "check_path",
    "check_tree",
    "folder_taken",
    "folders_of",
    "tree_clash",
    "unsafe_path_reason",
]


def check_path(path: str, field: str) -> str:
    """Return ``path`` if it is safe, else raise a 400 problem naming ``field``."""
    reason = unsafe_path_reason(path)
    if reason is not None:
        raise invalid(field, f"invalid path {path!r}: {reason}")
    return path


def folders_of(path: str) -> list[str]:
    """The folders ``path`` lies in: ``a/b/c`` -> ``a``, ``a/b``."""
    parts = path.split("/")
    return ["/".join(parts[:end]) for end in range(1, len(parts))]


def tree_clash(field: str, path: str, other: str) -> ApiProblem:
    """``path`` and ``other`` cannot both be files: one is the other's folder."""
    folder, inner = (path, other) if other.startswith(path + "/") else (other, path)
    return invalid(
        field,
        f"invalid path {path!r}: {folder!r} would be both a file and the folder of {inner!r};"
        " a workspace path is either a file or a folder",
    )


def folder_taken(path: str, files: Collection[str]) -> str | None:
    """The file of ``files`` that ``path`` needs as one of its folders, or None."""
    return next((folder for folder in folders_of(path) if folder in files), None)


def check_tree(paths: Sequence[str], fields: Sequence[str]) -> None:
    """Refuse a batch of files in which one file is another's folder (``x`` and ``x/y``):
    no folder can hold both, so every run of the agent would fail to lay it out."""
    names = set(paths)
    for path, field in zip(paths, fields, strict=True):
        folder = folder_taken(path, names)
        if folder is not None:
            raise tree_clash(field, path, folder)
