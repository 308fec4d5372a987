"""HTTP routes of the workflow API (contract A6). Query values are parsed here, not by FastAPI,
so every bad value answers with the contract's 400 envelope and names the parameter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from evalkit.api import TERMINAL_STATUSES, WORKFLOW_EXECUTION_LIST_QUERY, comma_list
from evalkit.emulator.paging import Page, page_from_query
from evalkit.emulator.problems import invalid
from evalkit.emulator.routes.query import parse_query
from evalkit.emulator.workflows import wire
from evalkit.emulator.workflows.dates import parse_date_filter
from evalkit.emulator.workflows.engine import RunRequest
from evalkit.emulator.workflows.run_body import read_run_body
from evalkit.emulator.workflows.store import ExecutionQuery

if TYPE_CHECKING:
    from evalkit.emulator.workflows.service import WorkflowService

_T = TypeVar("_T")
PREFIX = "/api/v1/workflows"
MAX_WAIT_SECONDS = 60
_TERMINAL = frozenset(status.value for status in TERMINAL_STATUSES)
_KINDS = ("workflow", "block")


def build_router(service: WorkflowService) -> APIRouter:
    router = APIRouter(tags=["workflows"])

    @router.get(PREFIX)
    def list_workflows(
        search: str | None = None,
        name: str | None = None,
        kind: str | None = None,
        limit: str | None = None,
        offset: str | None = None,
    ) -> dict[str, Any]:
        page = page_from_query(_int(limit, "limit"), _int(offset, "offset"))
        if kind is not None and kind not in _KINDS:
            raise invalid("kind", f"kind must be one of {', '.join(_KINDS)}, got {kind!r}")
        matches = [
            w
            for w in service.workflows
            if (name is None or w.name == name)
            and (kind is None or w.kind == kind)
            and (not search or search.casefold() in w.name.casefold())
        ]
        data = [wire.workflow_summary(w, service.seen) for w in _slice(matches, page)]
        return {"data": data, "total": len(matches), "limit": page.limit, "offset": page.offset}

    @router.get(PREFIX + "/executions/{execution_id}")
    def get_execution(
        execution_id: str, include_steps: str | None = Query(None, alias="includeSteps")
    ) -> dict[str, Any]:
        steps = _bool(include_steps, "includeSteps")
        return wire.execution_status(service.execution(execution_id), include_steps=steps)

    @router.post(PREFIX + "/executions/{execution_id}/cancel")
    def cancel_execution(execution_id: str) -> dict[str, Any]:
        row = service.execution(execution_id)
        answer = service.engine.cancel(row.id, row.status)
        return {"executionId": row.id, "status": answer, "wasStatus": row.status}

    @router.get(PREFIX + "/{workflow_id}")
    def get_workflow(workflow_id: str) -> dict[str, Any]:
        return wire.workflow_detail(service.workflow(workflow_id), service.seen)

    @router.get(PREFIX + "/{workflow_id}/versions")
    def list_versions(
        workflow_id: str, limit: str | None = None, offset: str | None = None
    ) -> dict[str, Any]:
        workflow = service.workflow(workflow_id)
        page = page_from_query(_int(limit, "limit"), _int(offset, "offset"))
        data = [wire.workflow_version(v, service.seen) for v in _slice(workflow.versions, page)]
        return {
            "data": data,
            "total": len(workflow.versions),
            "limit": page.limit,
            "offset": page.offset,
        }

    @router.post(PREFIX + "/{workflow_id}/run", status_code=201)
    async def run_workflow(
        workflow_id: str,
        request: Request,
        version: str | None = None,
        wait_for_completion: str | None = None,
    ) -> JSONResponse:
        workflow = service.workflow(workflow_id)
        chosen = service.version(workflow, version)
        wait = _int(wait_for_completion, "wait_for_completion") or 0
        if not 0 <= wait <= MAX_WAIT_SECONDS:
            raise invalid(
                "wait_for_completion",
                f"wait_for_completion must be between 0 and {MAX_WAIT_SECONDS} seconds, got {wait}",
            )
        body = await read_run_body(request, max_part_size=service.max_part_bytes)
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
        row = service.engine.start(run)
        if wait:
            future = service.engine.holds.watch(row.id)
            row = service.execution(row.id)
            if row.status not in _TERMINAL:
                await service.engine.holds.hold(row.id, future, wait)
                row = service.execution(row.id)
        return JSONResponse(wire.run_answer(row), status_code=201)

    @router.get(PREFIX + "/{workflow_id}/executions")
    def list_executions(workflow_id: str, request: Request) -> dict[str, Any]:
        workflow = service.workflow(workflow_id)
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
        rows, total = service.store.query(query)
        data = [wire.execution_summary(row) for row in rows]
        return {"data": data, "total": total, "limit": page.limit, "offset": page.offset}

    return router


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
