"""Reading a run request: a JSON body ``{input?, _metadata?}`` or multipart (contract A4; B4).

Multipart: one form field per file input, named after its input key; a text field ``_json``
with the scalar input object; an optional text field ``_metadata`` with a JSON object.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import ValidationError

from evalkit.api import RunAgentBody
from evalkit.emulator.multipart import FormFile, check_file_field, input_file, read_form
from evalkit.emulator.platform import RunRequest
from evalkit.emulator.problems import invalid
from evalkit.emulator.routes.common import parse_json_object, validation_problem
from evalkit.emulator.runtime.job import InputFile


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


async def _from_multipart(request: Request) -> RunRequest:
    input_json: dict[str, Any] = {}
    metadata: dict[str, Any] | None = None
    files: list[InputFile] = []
    max_part = request.app.state.platform.config.max_body_bytes
    for key, value in await read_form(request, max_part_size=max_part):
        if isinstance(value, FormFile):
            check_file_field(key, f"body.{key}")
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
