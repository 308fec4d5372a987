"""Agent runs, executions, feedback and expected artifacts (contract A3, A5; B3, B4, B8)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from evalkit.api._base import OpenWireModel, WireModel
from evalkit.api.enums import ExecutionStatus, FeedbackRating, FeedbackStatus


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
