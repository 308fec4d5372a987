"""The contract's safe relative path (A7): workspace files, artifacts and output files.

No ``..``, no absolute paths, no backslashes, no empty segments, no NUL or control characters,
no name (segment) over 255 bytes.
The client side (sync, runner) and the local platform (store, runtime) apply this one rule.
"""

from __future__ import annotations

MAX_PATH_LENGTH = 1024
#: The longest folder or file name most file systems store (ext4, APFS, NTFS: 255 bytes or
#: units). A longer name is accepted by nothing that has to write it to disk, so it is refused
#: at the door rather than failing every run of the agent later.
MAX_NAME_BYTES = 255


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
    if any(len(segment.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES for segment in segments):
        return f"a folder or file name in the path is longer than {MAX_NAME_BYTES} bytes"
    return None
