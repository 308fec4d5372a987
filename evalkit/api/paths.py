"""The contract's safe relative path (A7): workspace files, artifacts and output files.

No ``..``, no absolute paths, no backslashes, no empty segments, no NUL or control characters.
The client side (sync, runner) and the local platform (store, runtime) apply this one rule.
"""

from __future__ import annotations

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
        return "the path is absolute; give it relative to its folder"
    segments = path.split("/")
    if any(segment == "" for segment in segments):
        return "the path has an empty segment ('//' or a trailing '/')"
    if any(segment in (".", "..") for segment in segments):
        return "the path contains a '.' or '..' segment"
    return None
