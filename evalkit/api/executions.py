"""Agent runs, executions, feedback and expected artifacts (contract A3, A5; B3, B4, B8)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, with_config
from typing_extensions import TypedDict

from evalkit.api._base import OpenWireModel, WireModel
from evalkit.api.enums import (
    ExecutionSort,
    ExecutionStatus,
    FeedbackRating,
    FeedbackStatus,
    SortOrder,
)
from evalkit.api.query import (
    QUERY_CONFIG,
    Include,
    PageParams,
    QueryShape,
    Timestamp,
    each_one_of,
    one_of,
)

#: the largest ``scanLimit`` (B6)
MAX_SCAN_LIMIT = 5000


@with_config(QUERY_CONFIG)
class ExecutionFilters(TypedDict, total=False):
    """The query of ``GET /agents/{id}/executions`` (A5) but the page: what ``iter_list`` takes.

    Time bounds are inclusive. The review filters (feedback, expected, promoted) look at the
    first ``scan_limit`` executions that pass the others, in the requested order.
    """

    status: Annotated[str | None, each_one_of(ExecutionStatus, what="status")]  # comma list
    batch_id: str | None
    example_name: str | None  # exact
    example_name_contains: str | None  # any case
    created_after: Timestamp
    created_before: Timestamp
    completed_after: Timestamp
    completed_before: Timestamp
    feedback_status: Annotated[str | None, one_of(FeedbackStatus)]
    feedback_rating: Annotated[str | None, one_of([*FeedbackRating, "none"])]  # none: unrated
    has_feedback: bool | None
    no_feedback: bool | None
    has_expected: bool | None  # expected JSON or files
    has_expected_json: bool | None
    has_expected_files: bool | None
    feedback_body_contains: str | None  # any case
    feedback_created_after: Timestamp
    feedback_created_before: Timestamp
    feedback_updated_after: Timestamp
    feedback_updated_before: Timestamp
    feedback_resolved_after: Timestamp
    feedback_resolved_before: Timestamp
    promoted_to_example: bool | None
    promoted_example_name: str | None
    since_last_resolved: bool | None  # created after the newest resolved feedback
    include: Include  # feedback, expected, files (B3)
    sort: Annotated[str | None, one_of(ExecutionSort)]
    order: Annotated[str | None, one_of(SortOrder)]
    scan_limit: Annotated[int | None, Field(ge=1, le=MAX_SCAN_LIMIT)]


@with_config(QUERY_CONFIG)
class ExecutionListParams(ExecutionFilters, PageParams, total=False):
    """Every query parameter of ``GET /agents/{id}/executions``: the filters, then the page."""


EXECUTION_LIST_QUERY = QueryShape(ExecutionListParams, label="execution filter")


class RunAgentBody(OpenWireModel):
    input: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = Field(default=None, alias="_metadata")


class RunAgentResponse(WireModel):
    execution_id: str
    status: ExecutionStatus | Literal["timeout"] | None = None
    output: Any = None
    schema_valid: bool | None = None
    error: str | None = None
    cost: dict[str, Any] | None = None


class ExecutionFileInfo(WireModel):
    """An entry of ``inputFiles``/``resultFiles``/``issueFiles``/``traceFiles`` (B3)."""

    name: str
    size: int | None = None


class ExpectedFileName(WireModel):
    name: str


class AgentExecutionFeedback(WireModel):
    body: str = ""
    rating: FeedbackRating | None = None
    status: FeedbackStatus | None = None
    created_at: str | None = None
    created_by: str | None = None
    created_by_email: str | None = None
    updated_at: str | None = None
    resolved_at: str | None = None
    resolved_by: str | None = None
    resolved_by_email: str | None = None
    resolved_by_session_id: str | None = None
    promoted_example_name: str | None = None


class AgentExecutionSummary(OpenWireModel):
    id: str
    status: ExecutionStatus
    created_at: str
    model: str | None = None
    output: Any = None
    schema_valid: bool | None = None
    error: str | None = None
    example_id: str | None = None
    batch_id: str | None = None
    started_at: str | None = None
    completed_at: str | None = None
    feedback: AgentExecutionFeedback | None = None
    expected: Any = None
    expected_files: list[ExpectedFileName] | None = None
    # ``include=files`` (B3)
    input_json: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    input_files: list[ExecutionFileInfo] | None = None
    result_files: list[ExecutionFileInfo] | None = None
    issue_files: list[ExecutionFileInfo] | None = None
    trace_files: list[ExecutionFileInfo] | None = None


class ExecutionEnvelope(WireModel):
    """``{execution: AgentExecutionSummary}``: the answer of get and cancel."""

    execution: AgentExecutionSummary


class ListAgentExecutionsResponse(WireModel):
    executions: list[AgentExecutionSummary]
    total: int
    limit: int
    offset: int
    scan_limited: bool | None = None
    no_resolved_anchor: bool | None = None


class RerunResponse(WireModel):
    execution_id: str
    source_execution_id: str
    status: ExecutionStatus


class AgentExecutionFeedbackDetail(WireModel):
    feedback: AgentExecutionFeedback | None = None
    expected: Any = None
    expected_files: list[ExpectedFileName] = Field(default_factory=list)


class UpdateFeedbackBody(OpenWireModel):
    """Each pair is two spellings of one field; only the keys that were set are sent."""

    body: str | None = None
    feedback: str | None = None
    rating: FeedbackRating | None = None
    feedback_rating: FeedbackRating | None = None
    status: FeedbackStatus | None = None
    feedback_status: FeedbackStatus | None = None
    expected: Any = None


class ExpectedArtifacts(WireModel):
    expected: Any = None
    files: list[ExpectedFileName] = Field(default_factory=list)


class CopyOutputToExpectedBody(WireModel):
    output_file_name: str
    expected_name: str | None = None


class ExpectedNameResponse(WireModel):
    """``{name}``: the answer of expected create, upload and rename."""

    name: str


class RenameExpectedBody(WireModel):
    name: str
