"""Multipart bodies (agent runs, workflow runs, expected uploads), read whole into memory.

Every part is read, then the form is closed at once: Starlette spools large uploads to temp
files, which would otherwise wait for the garbage collector (a ``ResourceWarning``). The body
is size-limited before it gets here, so holding it in memory is bounded.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass

from starlette.datastructures import UploadFile
from starlette.requests import Request

from evalkit.emulator.problems import invalid
from evalkit.emulator.runtime.job import InputFile

MAX_FORM_PARTS = 1000


@dataclass(frozen=True)
class FormFile:
    filename: str
    content_type: str | None
    content: bytes


async def read_form(request: Request, *, max_part_size: int) -> list[tuple[str, str | FormFile]]:
    """Every part in order, or a 400 saying what is malformed."""
    try:
        form = await request.form(
            max_files=MAX_FORM_PARTS, max_fields=MAX_FORM_PARTS, max_part_size=max_part_size
        )
    except Exception as err:  # Starlette raises several kinds for a bad body
        detail = getattr(err, "detail", None) or str(err) or type(err).__name__
        raise invalid("body", f"malformed multipart body: {detail}") from err
    parts: list[tuple[str, str | FormFile]] = []
    try:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                content = await value.read()
                parts.append((key, FormFile(value.filename or "", value.content_type, content)))
            else:
                parts.append((key, value))
    finally:
        await form.close()
    return parts


def input_file(field: str, upload: FormFile) -> InputFile:
    """A file input: the client's base name and type (guessed from the name if none given)."""
    filename = safe_basename(upload.filename, fallback=field)
    content_type = upload.content_type or mimetypes.guess_type(filename)[0]
    return InputFile(field, filename, upload.content, content_type or "application/octet-stream")


def safe_basename(filename: str, *, fallback: str) -> str:
    """The last path segment, without control characters; ``fallback`` if nothing is left."""
    name = re.split(r"[\\/]", filename)[-1]
    name = "".join(char for char in name if ord(char) >= 32 and ord(char) != 127)
    if name in ("", ".", ".."):
        name = re.sub(r"[^A-Za-z0-9._-]", "_", fallback) or "file"
    return name
