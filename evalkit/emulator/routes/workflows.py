"""``/workflows``: list, get, versions, run, executions (contract A6; B5, B11).

The handlers reach the workflows through ``WorkflowsDep`` (``app.state.workflows``), as the
agent routes reach the platform. Query values are parsed from the raw query string, not by
FastAPI, so every bad value answers with the contract's 400 envelope and names the parameter
bare (``limit``), as the workflow API does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from evalkit.api import (
    TERMINAL_STATUSES,
    WORKFLOW_EXECUTION_LIST_QUERY,
    WORKFLOW_LIST_QUERY,
    WORKFLOW_VERSION_LIST_QUERY,
    comma_list,
)
from evalkit.emulator.paging import Page, page_from_query
from evalkit.emulator.problems import invalid
from evalkit.emulator.render import (
    page_wire,
    workflow_detail_wire,
    workflow_execution_status_wire,
    workflow_execution_wire,
    workflow_run_wire,
    workflow_summary_wire,
    workflow_version_wire,
)
from evalkit.emulator.routes.common import API, WorkflowsDep
from evalkit.emulator.routes.query import parse_query
from evalkit.emulator.routes.workflow_run_input import read_run_body
from evalkit.emulator.workflows.dates import parse_date_filter
from evalkit.emulator.workflows.engine import RunRequest
from evalkit.emulator.workflows.store import ExecutionQuery

_T = TypeVar("_T")
router = APIRouter(tags=["workflows"])
PREFIX = f"{API}/workflows"
#: the longest a run request may be held open (``wait_for_completion``)
MAX_WAIT_SECONDS = 60
_TERMINAL = frozenset(status.value for status in TERMINAL_STATUSES)


@router.get(PREFIX)
def list_workflows(workflows: WorkflowsDep, request: Request) -> dict[str, Any]:
    params = parse_query(WORKFLOW_LIST_QUERY, request.query_params, prefix="")
    page = page_from_query(params.get("limit"), params.get("offset"))
    search, name, kind = params.get("search"), params.get("name"), params.get("kind")
    matches = [
        w
        for w in workflows.workflows
        if (name is None or w.name == name)
        and (kind is None or w.kind == kind)
        and (not search or search.casefold() in w.name.casefold())
    ]
    data = [workflow_summary_wire(w, workflows.seen) for w in _slice(matches, page)]
    return page_wire(data, len(matches), page)


@router.get(PREFIX + "/executions/{execution_id}")
def get_execution(
    workflows: WorkflowsDep,
    execution_id: str,
    include_steps: Annotated[str | None, Query(alias="includeSteps")] = None,
) -> dict[str, Any]:
    steps = _bool(include_steps, "includeSteps")
    row = workflows.execution(execution_id)
    return workflow_execution_status_wire(row, include_steps=steps)


@router.post(PREFIX + "/executions/{execution_id}/cancel")
def cancel_execution(workflows: WorkflowsDep, execution_id: str) -> dict[str, Any]:
    row = workflows.execution(execution_id)
    answer = workflows.engine.cancel(row.id, row.status)
    return {"executionId": row.id, "status": answer, "wasStatus": row.status}


@router.get(PREFIX + "/{workflow_id}")
def get_workflow(workflows: WorkflowsDep, workflow_id: str) -> dict[str, Any]:
    return workflow_detail_wire(workflows.workflow(workflow_id), workflows.seen)


@router.get(PREFIX + "/{workflow_id}/versions")
def list_versions(workflows: WorkflowsDep, workflow_id: str, request: Request) -> dict[str, Any]:
    workflow = workflows.workflow(workflow_id)
    params = parse_query(WORKFLOW_VERSION_LIST_QUERY, request.query_params, prefix="")
    page = page_from_query(params.get("limit"), params.get("offset"))
    data = [workflow_version_wire(v, workflows.seen) for v in _slice(workflow.versions, page)]
    return page_wire(data, len(workflow.versions), page)


@router.post(PREFIX + "/{workflow_id}/run", status_code=201)
async def run_workflow(
    workflows: WorkflowsDep,
    workflow_id: str,
    request: Request,
    version: str | None = None,
    wait_for_completion: str | None = None,
) -> JSONResponse:
    workflow = workflows.workflow(workflow_id)
    chosen = workflows.version(workflow, version)
    wait = _int(wait_for_completion, "wait_for_completion") or 0
    if not 0 <= wait <= MAX_WAIT_SECONDS:
        raise invalid(
            "wait_for_completion",
            f"wait_for_completion must be between 0 and {MAX_WAIT_SECONDS} seconds, got {wait}",
        )
    body = await read_run_body(request, max_part_size=workflows.max_part_bytes)
    step_ids = {step.id for step in chosen.spec.steps}
    for step_id in body.step_overrides:
        if step_id not in step_ids:
            raise invalid(
                f"overrides.steps.{step_id}",
                f"workflow {workflow.name!r} ({chosen.label}) has no step {step_id!r}",
                hint=f"its steps are: {', '.join(sorted(step_ids))}",
            )
    run = RunRequest(
        workflow=workflow,
        version=chosen,
        input=body.input,
        files=body.files,
        overrides=body.step_overrides,
        trigger=body.trigger,
        example_id=body.example_id,
    )
    row = workflows.engine.start(run)
    if wait:
        future = workflows.engine.holds.watch(row.id)
        row = workflows.execution(row.id)
        if row.status not in _TERMINAL:
            await workflows.engine.holds.hold(row.id, future, wait)
            row = workflows.execution(row.id)
    return JSONResponse(workflow_run_wire(row), status_code=201)


@router.get(PREFIX + "/{workflow_id}/executions")
def list_executions(workflows: WorkflowsDep, workflow_id: str, request: Request) -> dict[str, Any]:
    workflow = workflows.workflow(workflow_id)
    params = parse_query(WORKFLOW_EXECUTION_LIST_QUERY, request.query_params, prefix="")
    page = page_from_query(params.get("limit"), params.get("offset"))
    from_date, to_date = params.get("from_date"), params.get("to_date")
    query = ExecutionQuery(
        workflow_id=workflow.id,
        statuses=comma_list(params.get("status")),
        created_from=parse_date_filter(from_date, "fromDate") if from_date else None,
        created_to=parse_date_filter(to_date, "toDate") if to_date else None,
        example_id=params.get("example_id"),
        limit=page.limit,
        offset=page.offset,
    )
    rows, total = workflows.store.query(query)
    return page_wire([workflow_execution_wire(row) for row in rows], total, page)


def _int(value: str | None, field: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise invalid(field, f"{field} must be a whole number, got {value!r}") from None


def _bool(value: str | None, field: str) -> bool:
    if value is None or value == "false":
        return False
    if value == "true":
        return True
    raise invalid(field, f"{field} must be true or false, got {value!r}")


def _slice(items: Sequence[_T], page: Page) -> list[_T]:
    return list(items[page.offset : page.offset + page.limit])
