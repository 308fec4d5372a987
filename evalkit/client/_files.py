"""File inputs (contract A4): detection, naming, and parts that can be sent more than once.

A file input is a ``pathlib.Path``, an open binary handle with ``.name``, or a dict
``{"content": bytes, "filename": str, "mime_type"?: str}``; only top-level input values count.
A ``Path`` is opened afresh for every attempt and streamed, so a large file is never held in
memory and a retry does not need a copy. A handle is sent whole (httpx rewinds a seekable
one to its start); one that cannot rewind is retried only if the connection was never made.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import IO, Any

OCTET_STREAM = "application/octet-stream"


def guess_mime_type(filename: str) -> str:
    mime_type, _ = mimetypes.guess_type(filename)
    return mime_type or OCTET_STREAM


def is_file_input(value: Any) -> bool:
    if isinstance(value, Path):
        return True
    if isinstance(value, Mapping):
        content = value.get("content")
        return isinstance(value.get("filename"), str) and isinstance(content, (bytes, bytearray))
    return hasattr(value, "read") and hasattr(value, "name")


def has_file_input(values: Mapping[str, Any] | None) -> bool:
    return bool(values) and any(is_file_input(v) for v in (values or {}).values())


def basename(name: str) -> str:
    """The last segment of a path written with ``/`` or ``\\``; never empty."""
    return PurePath(name.replace("\\", "/")).name or "file"


@dataclass(frozen=True)
class FilePart:
    """One multipart file field. Holds a path, bytes, or a handle, never a second copy."""

    field: str
    filename: str
    mime_type: str
    path: Path | None = None
    content: bytes | None = None
    handle: IO[bytes] | None = None

    @property
    def replayable(self) -> bool:
        """Whether a second attempt can send the same bytes again."""
        return self.handle is None or _seekable(self.handle)

    def open(self, stack: ExitStack) -> IO[bytes] | bytes:
        """The body for one attempt; files opened here are closed when ``stack`` closes."""
        if self.path is not None:
            return stack.enter_context(self.path.open("rb"))
        if self.handle is not None:
            return self.handle  # httpx rewinds a seekable handle to 0 before sending it
        return self.content or b""


def file_part(field: str, value: Any) -> FilePart:
    """A ``FilePart`` from any accepted file input value."""
    if isinstance(value, Path):
        return FilePart(field, value.name, guess_mime_type(value.name), path=value)
    if isinstance(value, Mapping):
        filename = basename(value["filename"])
        mime_type = value.get("mime_type") or value.get("mimeType") or guess_mime_type(filename)
        return FilePart(field, filename, mime_type, content=bytes(value["content"]))
    name = getattr(value, "name", None)
    filename = basename(name) if isinstance(name, str) else "file"
    return FilePart(field, filename, guess_mime_type(filename), handle=value)


def _seekable(handle: Any) -> bool:
    try:
        return bool(handle.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def split_input(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[FilePart]]:
    """Separate scalar inputs from file inputs (top level only), keeping key order."""
    scalars: dict[str, Any] = {}
    files: list[FilePart] = []
    for key, value in values.items():
        if is_file_input(value):
            files.append(file_part(key, value))
        else:
            scalars[key] = value
    return scalars, files
