"""The contract's safe relative path (A7): workspace files, artifacts and output files.

No ``..``, no absolute paths, no backslashes, no empty segments, no NUL or control characters,
no name (segment) over 255 bytes, and no name disguised as one of these: percent-encoded
(``%2e%2e``, ``a%2fb``) or drawn with Unicode look-alikes (fullwidth ``．．``, ``／``, the
division slash ``∕``), which a tool that decodes or normalises names would take for them.
The client side (sync, runner) and the local platform (store, runtime) apply this one rule: a
rule on the text of a path only. A file input's field name (:func:`file_field_reason`) is such a
path of one name: the runtime writes the file under it. Where such a path becomes a file on disk,
:func:`evalkit.safe_paths.join_inside` applies it and keeps the file, links followed, inside its
folder.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

MAX_PATH_LENGTH = 1024
#: The longest folder or file name most file systems store (ext4, APFS, NTFS: 255 bytes or
#: units). A longer name is accepted by nothing that has to write it to disk, so it is refused
#: at the door rather than failing every run of the agent later.
MAX_NAME_BYTES = 255
#: drawn like a slash or a backslash; NFKC keeps them (it maps only the fullwidth forms)
_SLASH_LOOKALIKES = frozenset("\u2044\u2215\u2216\u29f8\u29f9\ufe68")
#: a NUL or another C0 control character, or DEL
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def unsafe_path_reason(path: str) -> str | None:
    """Why ``path`` is not a safe relative path, or None when it is."""
    if not path:
        return "the path is empty"
    if len(path) > MAX_PATH_LENGTH:
        return f"the path is longer than {MAX_PATH_LENGTH} characters"
    if _CONTROL.search(path):
        return "the path contains a NUL or control character"
    if "\\" in path:
        return "the path contains a backslash; use '/' between folders"
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        return "the path is absolute; give it relative to its folder"
    segments = path.split("/")
    if "" in segments:
        return "the path has an empty segment ('//' or a trailing '/')"
    if "." in segments or ".." in segments:
        return "the path contains a '.' or '..' segment"
    ascii_only = path.isascii()
    if any(_name_bytes(segment, ascii_only) > MAX_NAME_BYTES for segment in segments):
        return f"a folder or file name in the path is longer than {MAX_NAME_BYTES} bytes"
    if ascii_only and "%" not in path:
        # Nothing to decode, and NFKC leaves ASCII as it is: no segment can be disguised (the
        # usual case, checked for every file of a sync and every upload: kept cheap).
        return None
    for segment in segments:
        if _disguised(segment):
            return (
                f"the name {segment!r} reads as '.', '..', a slash or a control character once "
                "percent-decoded or Unicode-normalised; rename it"
            )
    return None


def file_field_reason(field: str) -> str | None:
    """Why ``field`` cannot name a file input (one multipart file field, contract A4), or None
    when it can: the runtime writes the file as ``input/<field><extension>``, so the field is
    one name, without ``/``, and a safe relative path."""
    if "/" in field:
        return "it contains '/'"
    return unsafe_path_reason(field)


def _name_bytes(segment: str, ascii_only: bool) -> int:
    return len(segment) if ascii_only else len(segment.encode("utf-8", "surrogatepass"))


def _disguised(segment: str) -> bool:
    """Whether ``segment``, percent-decoded up to twice and NFKC-normalised (in either order),
    is a traversal."""
    forms = {segment, unicodedata.normalize("NFKC", segment)}
    for _ in range(2):
        forms |= {unquote(form) for form in forms}
    for form in forms:
        normal = unicodedata.normalize("NFKC", form)
        if normal in (".", "..") or "/" in normal or "\\" in normal:
            return True
        if any(ord(char) < 32 or ord(char) == 127 or char in _SLASH_LOOKALIKES for char in normal):
            return True
    return False
