"""The text of a ``json_schema:`` path as written in a manifest, checked before any file is
read: relative to the manifest's folder, ``/``-separated. Whether it stays inside the project
(``..``, symbolic links) is decided where the folder is known (``schema_files``, through
``evalkit.safe_paths.resolve_manifest_path``)."""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath


def schema_path_problem(path: str) -> str | None:
    """Why ``path`` cannot name a schema file in the project, or None."""
    if not path.strip():
        return "'json_schema' needs a file, e.g. schemas/answer.json"
    if "\\" in path:
        return f"json_schema {path!r} contains '\\': write paths with '/'"
    if PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute() or ":" in path[:3]:
        return (
            f"json_schema {path!r} is absolute: give a path relative to the manifest's folder, "
            "inside the project (e.g. schemas/answer.json)"
        )
    return None
