"""Workflows, their versions and executions (contract A6; B5, B11)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import with_config
from typing_extensions import TypedDict

from evalkit.api._base import OpenWireModel, WireModel
from evalkit.api.enums import ExecutionStatus, WorkflowCancelStatus, WorkflowKind
from evalkit.api.query import QUERY_CONFIG, PageParams, QueryShape, each_one_of, one_of


@with_config(QUERY_CONFIG)
class WorkflowFilters(TypedDict, total=False):
    """The query of ``GET /workflows`` (A6) but the page: what ``iter_list`` takes."""

    search: str | None  # a part of the name, any case
    name: str | None  # the whole name
    kind: Annotated[str | None, one_of(WorkflowKind)]


@with_config(QUERY_CONFIG)
class WorkflowListParams(WorkflowFilters, PageParams, total=False):
    """Every query parameter of ``GET /workflows``."""


WORKFLOW_LIST_QUERY = QueryShape(WorkflowListParams, label="workflow list parameter")

#: the query of ``GET /workflows/{id}/versions``: the page alone
WORKFLOW_VERSION_LIST_QUERY = QueryShape(PageParams, label="workflow version list parameter")


@with_config(QUERY_CONFIG)
class WorkflowExecutionFilters(TypedDict, total=False):
    """The query of ``GET /workflows/{id}/executions`` (A6) but the page."""

    status: Annotated[str | Sequence[str] | None, each_one_of(ExecutionStatus, what="status")]
    from_date: str | None  # ISO-8601 or now() with an offset, e.g. now()-7d
    to_date: str | None
    example_id: str | None


@with_config(QUERY_CONFIG)
class WorkflowExecutionListParams(WorkflowExecutionFilters, PageParams, total=False):
    """Every query parameter of ``GET /workflows/{id}/executions``."""


WORKFLOW_EXECUTION_LIST_QUERY = QueryShape(
    WorkflowExecutionListParams, label="workflow execution filter"
)


class WorkflowSummary(WireModel):
    id: str
    created_at: str
    name: str | None = None
    version: str | None = None
    updated_at: str | None = None


class WorkflowDetail(WorkflowSummary):
    yaml_content: str | None = None


class ListWorkflowsResponse(WireModel):
    data: list[WorkflowSummary]
    total: int
    limit: int
    offset: int


class WorkflowVersion(WireModel):
    id: str
    workflow_id: str
    version: str | None = None
    yaml_content: str | None = None
    is_current: bool | None = None
    created_at: str | None = None


class ListVersionsResponse(WireModel):
    data: list[WorkflowVersion]
    total: int
    limit: int
    offset: int


class RunWorkflowBody(WireModel):
    input: dict[str, Any] | None = None
    overrides: dict[str, Any] | None = None
    trigger: Literal["api", "cli"] | None = None


class RunWorkflowResponse(WireModel):
    execution_id: str
    status: ExecutionStatus | None = None
    result: Any = None
    error: str | None = None


class WorkflowExecutionStatusResponse(OpenWireModel):
    """``GET /workflows/executions/{id}``; open, since ``includeSteps`` adds the step payload."""

    execution_id: str
    status: ExecutionStatus
    created_at: str
    completed_at: str | None = None
    result: Any = None
    error: str | None = None


class WorkflowRef(WireModel):
    id: str
    name: str | None = None


class WorkflowExecutionSummary(WireModel):
    """``ExecutionSummary`` in the contract: one row of a workflow's execution list."""

    id: str
    workflow_id: str
    status: ExecutionStatus
    created_at: str
    trigger_type: str | None = None
    trigger_input: Any = None
    result: Any = None
    error: str | None = None
    started_at: str | None = None
    completed_at: str | None = None
    duration_ms: int | None = None
    workflow: WorkflowRef | None = None


class ListWorkflowExecutionsResponse(WireModel):
    data: list[WorkflowExecutionSummary]
    total: int
    limit: int
    offset: int


class CancelWorkflowExecutionResponse(WireModel):
    execution_id: str
    status: WorkflowCancelStatus
    was_status: ExecutionStatus
