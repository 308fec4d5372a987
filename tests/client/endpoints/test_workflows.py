"""Every ``workflows.*`` call on the wire (sync and async) and the run body rules."""

from __future__ import annotations

import json

import pytest

from evalkit.api import (
    CancelWorkflowExecutionResponse,
    ListVersionsResponse,
    ListWorkflowExecutionsResponse,
    ListWorkflowsResponse,
    RunWorkflowResponse,
    WorkflowDetail,
    WorkflowExecutionStatusResponse,
)
from evalkit.client import AsyncEigenpalClient, EigenpalClient
from evalkit.client.endpoints import workflows as ep
from evalkit.client.retry import RetryPolicy

from ..cases import Call, run_async, run_sync
from ..conftest import TS, WORKFLOW, FakeApi

STATUS = {"executionId": "wexec_1", "status": "completed", "createdAt": TS, "result": {"ok": 1}}

CALLS = [
    Call(
        "workflows.list",
        kwargs={"search": "fl", "name": "flow", "kind": "block", "limit": 2, "offset": 4},
        path="/api/v1/workflows",
        params={"search": "fl", "name": "flow", "kind": "block", "limit": "2", "offset": "4"},
        answer={"data": [WORKFLOW], "total": 5, "limit": 2, "offset": 4},
        result_type=ListWorkflowsResponse,
    ),
    Call(
        "workflows.get",
        args=("flow",),
        path="/api/v1/workflows/flow",
        answer={**WORKFLOW, "yamlContent": "steps: []"},
        result_type=WorkflowDetail,
    ),
    Call(
        "workflows.run",
        args=("flow", {"x": 1}),
        kwargs={
            "version": "latest",
            "wait_for_completion": 30,
            "overrides": {"steps": {"s1": {"y": 2}}},
            "trigger": "cli",
        },
        method="POST",
        path="/api/v1/workflows/flow/run",
        params={"version": "latest", "wait_for_completion": "30"},
        body={"input": {"x": 1}, "overrides": {"steps": {"s1": {"y": 2}}}, "trigger": "cli"},
        status=201,
        answer={"executionId": "wexec_1", "status": "completed", "result": {"ok": 1}},
        result_type=RunWorkflowResponse,
    ),
    Call(
        "workflows.versions",
        args=("flow",),
        kwargs={"limit": 1, "offset": 0},
        path="/api/v1/workflows/flow/versions",
        params={"limit": "1", "offset": "0"},
        answer={
            "data": [{"id": "wfh_1", "workflowId": "wf_1", "isCurrent": True}],
            "total": 3,
            "limit": 1,
            "offset": 0,
        },
        result_type=ListVersionsResponse,
    ),
    Call(
        "workflows.executions.list",
        args=("flow",),
        kwargs={
            "status": ["running", "completed"],
            "from_date": "now()-7d",
            "to_date": TS,
            "example_id": "ex1",
            "limit": 10,
            "offset": 0,
        },
        path="/api/v1/workflows/flow/executions",
        params={
            "status": "running,completed",
            "fromDate": "now()-7d",
            "toDate": TS,
            "exampleId": "ex1",
            "limit": "10",
            "offset": "0",
        },
        answer={
            "data": [{"id": "wexec_1", "workflowId": "wf_1", "status": "running", "createdAt": TS}],
            "total": 1,
            "limit": 10,
            "offset": 0,
        },
        result_type=ListWorkflowExecutionsResponse,
    ),
    Call(
        "workflows.executions.get",
        args=("wexec_1",),
        kwargs={"include_steps": True},
        path="/api/v1/workflows/executions/wexec_1",
        params={"includeSteps": "true"},
        answer={**STATUS, "steps": [{"id": "s1"}]},
        result_type=WorkflowExecutionStatusResponse,
    ),
    Call(
        "workflows.executions.get",
        args=("wexec_1",),
        path="/api/v1/workflows/executions/wexec_1",
        answer=STATUS,
        result_type=WorkflowExecutionStatusResponse,
    ),
    Call(
        "workflows.executions.cancel",
        args=("wexec_1",),
        method="POST",
        path="/api/v1/workflows/executions/wexec_1/cancel",
        answer={"executionId": "wexec_1", "status": "already-terminal", "wasStatus": "completed"},
        result_type=CancelWorkflowExecutionResponse,
    ),
]


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.id)
def test_sync_call_on_the_wire(call: Call, client: EigenpalClient, api: FakeApi) -> None:
    run_sync(call, client, api)


@pytest.mark.anyio
@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.id)
async def test_async_call_on_the_wire(
    call: Call, aclient: AsyncEigenpalClient, api: FakeApi
) -> None:
    await run_async(call, aclient, api)


def test_run_with_a_file_puts_input_overrides_trigger_in_json_field() -> None:
    request = ep.run_workflow(
        "flow",
        {"doc": {"content": b"%PDF", "filename": "/tmp/in/a.pdf"}, "lang": "en"},
        overrides={"steps": {}},
        trigger="api",
    )
    assert request.multipart is not None
    [(name, text)] = request.multipart.fields
    assert name == "_json"
    assert json.loads(text) == {
        "input": {"lang": "en"},
        "overrides": {"steps": {}},
        "trigger": "api",
    }
    [part] = request.multipart.files
    assert (part.field, part.filename, part.mime_type) == ("doc", "a.pdf", "application/pdf")


def test_run_with_only_a_file_sends_no_json_field() -> None:
    request = ep.run_workflow("flow", {"doc": {"content": b"x", "filename": "x.bin"}})
    assert request.multipart is not None
    assert request.multipart.fields == []


def test_run_without_input_sends_empty_object() -> None:
    request = ep.run_workflow("flow")
    assert (request.json, request.has_json, request.params) == ({}, True, {})
    assert request.retry is RetryPolicy.STARTS_WORK


def test_cancel_is_safe_to_retry() -> None:
    assert ep.cancel_workflow_execution("w").retry is RetryPolicy.SAFE
