"""Runs and executions: run, list, get, cancel, rerun, file downloads (contract A3, A5; B3-B6)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field, TypeAdapter
from starlette.concurrency import run_in_threadpool

from evalkit.api import EXECUTION_LIST_QUERY, FileKind
from evalkit.emulator.paging import page_from_query
from evalkit.emulator.platform import Platform
from evalkit.emulator.render import EXECUTION_INCLUDES, AnswerResponse, answer_json, execution_wire
from evalkit.emulator.routes.common import (
    API,
    PlatformDep,
    parse_include,
    platform_in,
    query_param,
)
from evalkit.emulator.routes.query import include_text, parse_query
from evalkit.emulator.routes.run_input import read_run_request
from evalkit.emulator.store.executions import ExecutionRecord, StoredFile
from evalkit.emulator.store.ids import new_execution_id
from evalkit.emulator.store.listing import list_executions
from evalkit.emulator.store.paths import check_path

router = APIRouter()
MAX_HOLD_SECONDS = 600


#: the hold window, checked as a declared ``Query(ge=0, le=...)`` parameter would be
HOLD_WINDOW: TypeAdapter[int | None] = TypeAdapter(
    Annotated[int | None, Field(ge=0, le=MAX_HOLD_SECONDS)]
)


# The hot routes (a run, its execution, its feedback: three requests per example of a run)
# read their parameters from the request themselves: FastAPI's parameter machinery cost more
# than the rest of the request. ``query_param`` checks a value as a declared parameter would.
@router.post(f"{API}/agents/{{agent_ref}}/run", status_code=202)
async def run_agent(request: Request) -> JSONResponse:
    platform = platform_in(request)
    agent_ref: str = request.path_params["agent_ref"]
    wait_for_completion = query_param(request, "wait_for_completion", HOLD_WINDOW)
    run_request = await read_run_request(request)
    execution_id = new_execution_id()
    # Watch before the run can end, so the end is never missed.
    ended = platform.holds.watch(execution_id) if wait_for_completion is not None else None
    try:
        if run_request.input_files:  # their bytes are written to disk: not on the event loop
            await run_in_threadpool(
                platform.queue_run, agent_ref, run_request, execution_id=execution_id
            )
        else:  # a few short SQLite statements: cheaper here than a trip to the thread pool
            platform.queue_run(agent_ref, run_request, execution_id=execution_id)
    except BaseException:
        if ended is not None:
            platform.holds.forget(execution_id, ended)
        raise
    if ended is None or wait_for_completion is None:
        return JSONResponse({"executionId": execution_id, "status": "pending"}, status_code=202)
    await platform.holds.hold(execution_id, ended, wait_for_completion)
    return AnswerResponse(run_result(platform.executions.get(execution_id)), status_code=202)


def run_result(record: ExecutionRecord) -> dict[str, Any]:
    """Rendered by ``AnswerResponse``: the output goes in as its stored text."""
    if not record.is_terminal:
        return {"executionId": record.id, "status": "timeout"}
    schema_valid = None if record.schema_valid is None else bool(record.schema_valid)
    return {
        "executionId": record.id,
        "status": record.status,
        "output": answer_json(record.output),
        "schemaValid": schema_valid,
        "error": record.error,
        "cost": record.json_column("cost") or {},
    }


@router.get(f"{API}/agents/{{agent_ref}}/executions")
def list_agent_executions(
    platform: PlatformDep, agent_ref: str, request: Request
) -> AnswerResponse:
    agent = platform.agents.get(agent_ref)
    filters = parse_query(EXECUTION_LIST_QUERY, request.query_params)
    include = parse_include(include_text(filters.get("include")), EXECUTION_INCLUDES)
    page = page_from_query(filters.get("limit"), filters.get("offset"))
    found = list_executions(platform.db, agent.id, filters, limit=page.limit, offset=page.offset)
    files = _files_for(platform, [r.id for r in found.records], include)
    body: dict[str, Any] = {
        "executions": [
            execution_wire(r, {kind: files.get((r.id, kind), []) for kind in _KINDS}, include)
            for r in found.records
        ],
        "total": found.total,
        "limit": page.limit,
        "offset": page.offset,
        "scanLimited": found.scan_limited,
    }
    if found.no_resolved_anchor:
        body["noResolvedAnchor"] = True
    return AnswerResponse(body)


# async: reads by key are cheaper on the event loop than a trip to the thread pool
@router.get(f"{API}/agents/executions/{{execution_id}}")
async def get_execution(request: Request) -> AnswerResponse:
    platform = platform_in(request)
    execution_id: str = request.path_params["execution_id"]
    asked = parse_include(request.query_params.get("include"), EXECUTION_INCLUDES)
    if asked & FILE_INCLUDES:
        record, files = platform.executions.get_with_files(execution_id)
        by_kind = {kind: files.get(kind, []) for kind in _KINDS}
        return AnswerResponse({"execution": execution_wire(record, by_kind, asked)})
    record = platform.executions.get(execution_id)
    return AnswerResponse({"execution": execution_answer(platform, record, asked)})


@router.post(f"{API}/agents/executions/{{execution_id}}/cancel")
def cancel_execution(platform: PlatformDep, execution_id: str) -> AnswerResponse:
    record = platform.cancel(execution_id)
    return AnswerResponse({"execution": execution_answer(platform, record)})


@router.post(f"{API}/agents/executions/{{execution_id}}/rerun", status_code=202)
def rerun_execution(platform: PlatformDep, execution_id: str) -> JSONResponse:
    record = platform.rerun(execution_id)
    body = {"executionId": record.id, "sourceExecutionId": execution_id, "status": record.status}
    return JSONResponse(body, status_code=202)


@router.get(f"{API}/agents/executions/{{execution_id}}/files/{{kind}}/{{filename:path}}")
def download_file(
    platform: PlatformDep, execution_id: str, kind: FileKind, filename: str
) -> Response:
    check_path(filename, "path.filename")  # a name that escapes is a bad request, not a 404
    record = platform.executions.get(execution_id)
    content = platform.executions.file_content(record.id, kind.value, filename)
    return Response(content, media_type="application/octet-stream")


def execution_answer(
    platform: Platform, record: ExecutionRecord, include: frozenset[str] = frozenset()
) -> dict[str, Any]:
    files = _files_for(platform, [record.id], include)
    by_kind = {kind: files.get((record.id, kind), []) for kind in _KINDS}
    return execution_wire(record, by_kind, include)


_KINDS = ("input", "output", "issues", "trace", "expected")
#: the includes that need the execution's files read
FILE_INCLUDES = frozenset({"files", "expected"})


def _files_for(
    platform: Platform, ids: list[str], include: frozenset[str]
) -> dict[tuple[str, str], list[StoredFile]]:
    if not include & FILE_INCLUDES:
        return {}
    return platform.executions.files_by_kind(ids)
