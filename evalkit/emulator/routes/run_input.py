"""Reading a run request: a JSON body ``{input?, _metadata?}`` or multipart (contract A4; B4).

Multipart: one form field per file input, named after its input key; a text field ``_json``
with the scalar input object; an optional text field ``_metadata`` with a JSON object.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from evalkit.api import RunAgentBody
from evalkit.emulator.platform import RunRequest
from evalkit.emulator.problems import invalid
from evalkit.emulator.routes.common import parse_json_object, validation_problem
from evalkit.emulator.runtime.job import InputFile

MAX_FORM_PARTS = 1000


async def read_run_request(request: Request) -> RunRequest:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        return await _from_multipart(request)
    raw = parse_json_object(await request.body(), "body")
    try:
        body = RunAgentBody.model_validate(raw)
    except ValidationError as err:
        raise validation_problem(err, "body") from err
    return RunRequest(body.input or {}, body.metadata, [])


@dataclass(frozen=True)
class FormFile:
    filename: str
    content_type: str | None
    content: bytes


async def read_form(request: Request) -> list[tuple[str, str | FormFile]]:
    """Every part of a multipart body, read into memory (the body is size-limited already),
    or a 400 saying what is malformed."""
    max_part = request.app.state.platform.config.max_body_bytes
    try:
        form = await request.form(
            max_files=MAX_FORM_PARTS, max_fields=MAX_FORM_PARTS, max_part_size=max_part
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


async def _from_multipart(request: Request) -> RunRequest:
    input_json: dict[str, Any] = {}
    metadata: dict[str, Any] | None = None
    files: list[InputFile] = []
    for key, value in await read_form(request):
        if isinstance(value, FormFile):
            if any(item.field == key for item in files):
                raise invalid(f"body.{key}", f"the file field {key!r} appears twice")
            files.append(input_file(key, value))
        elif key == "_json":
            input_json = parse_json_object(value, "body._json")
        elif key == "_metadata":
            metadata = parse_json_object(value, "body._metadata")
        else:
            raise invalid(
                f"body.{key}",
                f"unexpected text field {key!r} in a multipart run",
                hint="put scalar inputs in the '_json' field as one JSON object",
            )
    for item in files:
        if item.field in input_json:
            raise invalid(f"body.{item.field}", f"input {item.field!r} is both a file and in _json")
    return RunRequest(input_json, metadata, files)


def input_file(field: str, upload: FormFile) -> InputFile:
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
