"""Multipart bodies (agent runs, workflow runs, expected uploads), read whole into memory.

The body is size-limited, and already held in memory, before it gets here (``limits``), so the
parts are kept in memory too: Starlette's parser would spool a part over 1 MiB to a temp file and
read and close it in worker threads. Between its parsing and its closing a form then had points
where a cancelled request (a server stopping, a client gone) stopped, leaving its uploads open
(a ``ResourceWarning`` when collected). In memory, every part is read and closed without a pause.
"""

from __future__ import annotations

import mimetypes
import re
import sys
from contextlib import aclosing
from dataclasses import dataclass

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartParser
from starlette.requests import Request

from evalkit.api.paths import file_field_reason, unsafe_path_reason
from evalkit.emulator.problems import invalid
from evalkit.emulator.runtime.job import InputFile

MAX_FORM_PARTS = 1000


@dataclass(frozen=True)
class FormFile:
    filename: str
    content_type: str | None
    content: bytes


class _InMemoryParser(MultiPartParser):
    """Starlette's multipart parser, never spooling a part to disk, and noting whether the
    body reached its closing boundary."""

    spool_max_size = sys.maxsize
    ended = False

    def on_end(self) -> None:
        self.ended = True

    def close_parts(self) -> None:
        for file in self._files_to_close_on_error:  # every part's file, finished or not
            file.close()


async def read_form(request: Request, *, max_part_size: int) -> list[tuple[str, str | FormFile]]:
    """Every part in order, or a 400 saying what is malformed."""
    try:
        async with aclosing(request.stream()) as stream:
            parser = _InMemoryParser(
                request.headers,
                stream,
                max_files=MAX_FORM_PARTS,
                max_fields=MAX_FORM_PARTS,
                max_part_size=max_part_size,
            )
            form = await parser.parse()  # closes the parts itself if it fails
    except Exception as err:  # Starlette raises several kinds for a bad body
        detail = getattr(err, "message", None) or str(err) or type(err).__name__
        raise invalid("body", f"malformed multipart body: {detail}") from err
    if not parser.ended:
        # The parser takes a body cut off in its last part, or with no part at all, without a
        # word, and leaves that part out: the run would start without it.
        parser.close_parts()
        raise invalid(
            "body",
            "malformed multipart body: it ends before its closing boundary"
            " (a body cut off, or not multipart)",
        )
    # No await from here on: nothing can stop this before every part is closed.
    parts: list[tuple[str, str | FormFile]] = []
    try:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                content = value.file.read()
                parts.append((key, FormFile(value.filename or "", value.content_type, content)))
            else:
                parts.append((key, value))
    finally:
        for _, value in form.multi_items():
            if isinstance(value, UploadFile):
                value.file.close()
    return parts


def check_file_field(name: str, field: str) -> str:
    """``name`` if it can name a file input (``file_field_reason``), else a 400 naming
    ``field``: the runtime writes the file as ``input/<name><ext>``, so a name with ``/`` or
    ``..`` would be refused only once the execution had been created, and fail it."""
    reason = file_field_reason(name)
    if reason is not None:
        raise invalid(
            field,
            f"invalid file input field {name!r}: {reason}",
            hint="a file field is named after its input key, a name without '/'",
        )
    return name


def input_file(field: str, upload: FormFile) -> InputFile:
    """A file input: the client's base name and type (guessed from the name if none given)."""
    filename = safe_basename(upload.filename, fallback=field)
    content_type = upload.content_type or mimetypes.guess_type(filename)[0]
    return InputFile(field, filename, upload.content, content_type or "application/octet-stream")


def safe_basename(filename: str, *, fallback: str) -> str:
    """The last path segment, without control characters; ``fallback`` if nothing safe is left."""
    name = re.split(r"[\\/]", filename)[-1]
    name = "".join(char for char in name if ord(char) >= 32 and ord(char) != 127)
    if unsafe_path_reason(name) is not None:  # e.g. '..' or '%2e%2e': not a name to store
        name = re.sub(r"[^A-Za-z0-9._-]", "_", fallback) or "file"
    return name
