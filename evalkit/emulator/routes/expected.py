"""``/agents/executions/{id}/expected``: expected files and JSON (contract A4, A5)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from evalkit.api import CopyOutputToExpectedBody, RenameExpectedBody
from evalkit.emulator.multipart import FormFile, read_form, safe_basename
from evalkit.emulator.problems import invalid
from evalkit.emulator.render import expected_names
from evalkit.emulator.routes.common import (
    API,
    PlatformDep,
    parse_json_object,
    validation_problem,
)
from evalkit.emulator.store.paths import check_path

router = APIRouter()
EXPECTED = f"{API}/agents/executions/{{execution_id}}/expected"


@router.get(EXPECTED)
def list_expected(platform: PlatformDep, execution_id: str) -> JSONResponse:
    record = platform.executions.get(execution_id)
    names = expected_names(platform.executions.files(record.id, "expected"))
    return JSONResponse(
        {"expected": record.json_column("expected"), "files": [n.to_wire() for n in names]}
    )


@router.post(EXPECTED, status_code=201)
async def create_expected(
    platform: PlatformDep, execution_id: str, request: Request
) -> JSONResponse:
    """JSON ``{outputFileName, expectedName?}`` copies an output file; multipart uploads one."""
    await run_in_threadpool(platform.executions.get, execution_id)
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        name, content = await _read_upload(request, platform.config.max_body_bytes)
        check_path(name, "body.name")
        await run_in_threadpool(platform.reviews.add_expected, execution_id, name, content)
        return JSONResponse({"name": name}, status_code=201)
    raw = parse_json_object(await request.body(), "body", empty_ok=False)
    try:
        body = CopyOutputToExpectedBody.model_validate(raw)
    except ValidationError as err:
        raise validation_problem(err, "body") from err
    check_path(body.output_file_name, "body.outputFileName")
    name = body.expected_name or body.output_file_name
    check_path(name, "body.expectedName")
    await run_in_threadpool(platform.reviews.copy_output, execution_id, body.output_file_name, name)
    return JSONResponse({"name": name}, status_code=201)


@router.get(f"{EXPECTED}/{{filename:path}}")
def download_expected(platform: PlatformDep, execution_id: str, filename: str) -> Response:
    check_path(filename, "path.filename")
    record = platform.executions.get(execution_id)
    content = platform.executions.file_content(record.id, "expected", filename)
    return Response(content, media_type="application/octet-stream")


@router.patch(f"{EXPECTED}/{{filename:path}}")
def rename_expected(
    platform: PlatformDep, execution_id: str, filename: str, body: RenameExpectedBody
) -> JSONResponse:
    check_path(filename, "path.filename")
    check_path(body.name, "body.name")
    platform.reviews.rename_expected(execution_id, filename, body.name)
    return JSONResponse({"name": body.name})


@router.delete(f"{EXPECTED}/{{filename:path}}", status_code=204)
def delete_expected(platform: PlatformDep, execution_id: str, filename: str) -> Response:
    check_path(filename, "path.filename")
    platform.reviews.delete_expected(execution_id, filename)
    return Response(status_code=204)


async def _read_upload(request: Request, max_part_size: int) -> tuple[str, bytes]:
    upload: FormFile | None = None
    name: str | None = None
    for key, value in await read_form(request, max_part_size=max_part_size):
        if key == "file" and isinstance(value, FormFile):
            if upload is not None:
                raise invalid("body.file", "give one 'file' per upload")
            upload = value
        elif key == "name" and isinstance(value, str):
            name = value
        else:
            raise invalid(
                f"body.{key}", f"unexpected form field {key!r}; expected 'file' and 'name'"
            )
    if upload is None:
        raise invalid("body.file", "the multipart upload has no 'file' field")
    return name or safe_basename(upload.filename, fallback="expected"), upload.content
