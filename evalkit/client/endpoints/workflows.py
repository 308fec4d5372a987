"""Workflows, their versions and executions (contract A6)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from evalkit.api import (
    WORKFLOW_EXECUTION_LIST_QUERY,
    WORKFLOW_LIST_QUERY,
    WORKFLOW_VERSION_LIST_QUERY,
    CancelWorkflowExecutionResponse,
    ListVersionsResponse,
    ListWorkflowExecutionsResponse,
    ListWorkflowsResponse,
    RunWorkflowResponse,
    WorkflowDetail,
    WorkflowExecutionListParams,
    WorkflowExecutionStatusResponse,
    WorkflowListParams,
)
from evalkit.client._files import has_file_input, split_input
from evalkit.client._request import (
    ApiRequest,
    Multipart,
    api_path,
    drop_none,
    json_body,
    model,
    query,
)
from evalkit.client.retry import RetryPolicy

if TYPE_CHECKING:  # annotations only: no runtime need for typing_extensions
    from typing_extensions import Unpack

    from evalkit.api import PageParams

#: the most the server holds a workflow run open (``wait_for_completion``)
MAX_WORKFLOW_HOLD_SECONDS = 60


def list_workflows(**params: Unpack[WorkflowListParams]) -> ApiRequest[ListWorkflowsResponse]:
    return ApiRequest(
        "GET",
        api_path("workflows"),
        model(ListWorkflowsResponse),
        params=WORKFLOW_LIST_QUERY.render(params),
    )


def get_workflow(workflow_id: str) -> ApiRequest[WorkflowDetail]:
    return ApiRequest("GET", api_path("workflows", workflow_id), model(WorkflowDetail))


def run_workflow(
    workflow_id: str,
    input: Mapping[str, Any] | None = None,
    *,
    version: str | None = None,
    wait_for_completion: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    trigger: str | None = None,
) -> ApiRequest[RunWorkflowResponse]:
    """JSON ``{input?, overrides?, trigger?}``; with a file input, multipart: text field
    ``_json`` holding that same object minus the files, then one field per file."""
    common: dict[str, Any] = {
        "params": query(version=version, wait_for_completion=wait_for_completion),
        "retry": RetryPolicy.STARTS_WORK,
        "hold_seconds": float(wait_for_completion or 0),
    }
    path = api_path("workflows", workflow_id, "run")
    extras = drop_none(
        overrides=dict(overrides) if overrides is not None else None, trigger=trigger
    )
    if input is not None and has_file_input(input):
        scalars, files = split_input(input)
        sidecar = {**({"input": scalars} if scalars else {}), **extras}
        fields = [("_json", json.dumps(sidecar))] if sidecar else []
        multipart = Multipart(fields=fields, files=files)
        return ApiRequest("POST", path, model(RunWorkflowResponse), multipart=multipart, **common)
    body = {**drop_none(input=dict(input) if input is not None else None), **extras}
    return ApiRequest("POST", path, model(RunWorkflowResponse), **json_body(body), **common)


def list_versions(
    workflow_id: str, **params: Unpack[PageParams]
) -> ApiRequest[ListVersionsResponse]:
    return ApiRequest(
        "GET",
        api_path("workflows", workflow_id, "versions"),
        model(ListVersionsResponse),
        params=WORKFLOW_VERSION_LIST_QUERY.render(params),
    )


def list_workflow_executions(
    workflow_id: str, **params: Unpack[WorkflowExecutionListParams]
) -> ApiRequest[ListWorkflowExecutionsResponse]:
    return ApiRequest(
        "GET",
        api_path("workflows", workflow_id, "executions"),
        model(ListWorkflowExecutionsResponse),
        params=WORKFLOW_EXECUTION_LIST_QUERY.render(params),
    )


def get_workflow_execution(
    execution_id: str, *, include_steps: bool = False
) -> ApiRequest[WorkflowExecutionStatusResponse]:
    # As in the SDK: ``includeSteps=true`` when asked, otherwise nothing.
    return ApiRequest(
        "GET",
        api_path("workflows", "executions", execution_id),
        model(WorkflowExecutionStatusResponse),
        params=query(includeSteps=True if include_steps else None),
    )


def cancel_workflow_execution(execution_id: str) -> ApiRequest[CancelWorkflowExecutionResponse]:
    # Idempotent by contract (A3), so it retries like a read.
    return ApiRequest(
        "POST",
        api_path("workflows", "executions", execution_id, "cancel"),
        model(CancelWorkflowExecutionResponse),
    )
