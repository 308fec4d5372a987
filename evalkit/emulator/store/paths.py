"""Workspace and artifact names: safe relative paths only (contract A7)."""

from __future__ import annotations

from evalkit.emulator.problems import invalid

MAX_PATH_LENGTH = 1024


def unsafe_path_reason(path: str) -> str | None:
    """Why ``path`` is not a safe relative path, or None when it is."""
    if not path:
        return "the path is empty"
    if len(path) > MAX_PATH_LENGTH:
        return f"the path is longer than {MAX_PATH_LENGTH} characters"
    if any(ord(char) < 32 or ord(char) == 127 for char in path):
        return "the path contains a NUL or control character"
    if "\\" in path:
        return "the path contains a backslash; use '/' between folders"
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        return "the path is absolute; give it relative to the workspace root"
    segments = path.split("/")
    if any(segment == "" for segment in segments):
        return "the path has an empty segment ('//' or a trailing '/')"
    if any(segment in (".", "..") for segment in segments):
        return "the path contains a '.' or '..' segment"
    return None


def check_path(path: str, field: str) -> str:
    """Return ``path`` if it is safe, else raise a 400 problem naming ``field``."""
    reason = unsafe_path_reason(path)
    if reason is not None:
        raise invalid(field, f"invalid path {path!r}: {reason}")
    return path
