"""Reading a workflow run request (A6): a JSON body, or multipart with ``_json`` and one field
per file input (the agent runs' twin is ``run_input.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request

from evalkit.api import RunWorkflowBody
from evalkit.emulator.multipart import FormFile, check_file_field, input_file, read_form
from evalkit.emulator.problems import invalid
from evalkit.emulator.runtime.bounded_json import BoundedJsonError, load_bounded_json
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


async def read_run_body(request: Request, *, max_part_size: int) -> RunBody:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        document, files = await _read_multipart(request, max_part_size)
    else:
        raw = await request.body()
        document = _parse_json(raw, "<body>") if raw.strip() else {}
        files = []
    return _interpret(document, files)


async def _read_multipart(
    request: Request, max_part_size: int
) -> tuple[dict[str, Any], list[InputFile]]:
    document: dict[str, Any] = {}
    files: list[InputFile] = []
    for name, value in await read_form(request, max_part_size=max_part_size):
        if isinstance(value, FormFile):
            check_file_field(name, name)
            if any(item.field == name for item in files):
                raise invalid(name, f"file input {name!r} is sent twice")
            files.append(input_file(name, value))
        elif name == JSON_FIELD:
            document = _parse_json(value.encode(), JSON_FIELD)
        else:
            raise invalid(
                name,
                f"form field {name!r} is not a file; put scalar inputs in {JSON_FIELD}",
            )
    return document, files


def _parse_json(raw: bytes, where: str) -> dict[str, Any]:
    try:
        document = load_bounded_json(raw, where)
    except BoundedJsonError as err:
        raise invalid(where, str(err)) from None
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
