"""Read a workflow run request: a JSON body, or multipart with ``_json`` and one field per file."""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.requests import Request

from evalkit.api import RunWorkflowBody
from evalkit.emulator.problems import invalid
from evalkit.emulator.runtime.job import InputFile

JSON_FIELD = "_json"


@dataclass(frozen=True)
class RunBody:
    input: dict[str, Any] = field(default_factory=dict)
    files: list[InputFile] = field(default_factory=list)
    #: step id -> the output that replaces it
    step_overrides: dict[str, Any] = field(default_factory=dict)
    trigger: str = "api"
    #: from ``_metadata.exampleId`` / ``exampleName``: the local platform's label (B4 for workflows)
    example_id: str | None = None


async def read_run_body(request: Request) -> RunBody:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        document, files = await _read_multipart(request)
    else:
        raw = await request.body()
        document = _parse_json(raw, "<body>") if raw.strip() else {}
        files = []
    return _interpret(document, files)


async def _read_multipart(request: Request) -> tuple[dict[str, Any], list[InputFile]]:
    document: dict[str, Any] = {}
    files: list[InputFile] = []
    async with request.form() as form:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                if any(item.field == name for item in files):
                    raise invalid(name, f"file input {name!r} is sent twice")
                files.append(await _input_file(name, value))
            elif name == JSON_FIELD:
                document = _parse_json(value.encode(), JSON_FIELD)
            else:
                raise invalid(
                    name,
                    f"form field {name!r} is not a file; put scalar inputs in {JSON_FIELD}",
                )
    return document, files


async def _input_file(name: str, upload: UploadFile) -> InputFile:
    filename = PurePosixPath((upload.filename or name).replace("\\", "/")).name or name
    content_type = upload.content_type
    if not content_type or content_type == "application/octet-stream":
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return InputFile(name, filename, await upload.read(), content_type)


def _parse_json(raw: bytes, where: str) -> dict[str, Any]:
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise invalid(where, f"{where} is not valid JSON: {err}") from None
    if not isinstance(document, dict):
        raise invalid(where, f"{where} must be a JSON object with input, overrides and trigger")
    return document


def _interpret(document: dict[str, Any], files: list[InputFile]) -> RunBody:
    try:
        body = RunWorkflowBody.model_validate(document)
    except ValidationError as err:
        problem = err.errors()[0]
        path = ".".join(str(part) for part in problem["loc"]) or "<root>"
        raise invalid(path, f"{path}: {problem['msg']}") from None
    scalars = body.input or {}
    for item in files:
        if item.field in scalars:
            raise invalid(f"input.{item.field}", f"input {item.field!r} is both a value and a file")
    return RunBody(
        input=scalars,
        files=files,
        step_overrides=_step_overrides(body.overrides),
        trigger=body.trigger or "api",
        example_id=_example_id(document.get("_metadata")),
    )


def _step_overrides(overrides: dict[str, Any] | None) -> dict[str, Any]:
    if not overrides:
        return {}
    steps = overrides.get("steps") or {}
    if not isinstance(steps, dict):
        raise invalid("overrides.steps", "overrides.steps must be an object of step id -> output")
    return dict(steps)


def _example_id(metadata: Any) -> str | None:
    if not isinstance(metadata, dict):
        return None
    value = metadata.get("exampleId", metadata.get("exampleName"))
    return value if isinstance(value, str) and value else None
