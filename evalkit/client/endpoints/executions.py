"""Agent executions: listing, feedback, and expected artifacts (contract A5)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import IO, Any, Final, TypedDict

from evalkit.api import (
    AgentExecutionFeedbackDetail,
    ExecutionEnvelope,
    ExpectedArtifacts,
    ExpectedNameResponse,
    ListAgentExecutionsResponse,
    RerunResponse,
)
from evalkit.client._files import FilePart, guess_mime_type
from evalkit.client._request import (
    ApiRequest,
    Multipart,
    api_path,
    drop_none,
    json_body,
    model,
    nothing,
    query,
    raw,
)
from evalkit.client.endpoints.agents import Include
from evalkit.client.retry import RetryPolicy


class Unset(Enum):
    """The type of ``UNSET``: "leave this field out", where ``None`` means JSON null."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET

#: every filter of ``GET /agents/{id}/executions``: Python name -> wire name
EXECUTION_FILTERS: Final[dict[str, str]] = {
    "status": "status",
    "batch_id": "batchId",
    "example_name": "exampleName",
    "example_name_contains": "exampleNameContains",
    "created_after": "createdAfter",
    "created_before": "createdBefore",
    "completed_after": "completedAfter",
    "completed_before": "completedBefore",
    "feedback_status": "feedbackStatus",
    "feedback_rating": "feedbackRating",
    "has_feedback": "hasFeedback",
    "no_feedback": "noFeedback",
    "has_expected": "hasExpected",
    "has_expected_json": "hasExpectedJson",
    "has_expected_files": "hasExpectedFiles",
    "feedback_body_contains": "feedbackBodyContains",
    "feedback_created_after": "feedbackCreatedAfter",
    "feedback_created_before": "feedbackCreatedBefore",
    "feedback_updated_after": "feedbackUpdatedAfter",
    "feedback_updated_before": "feedbackUpdatedBefore",
    "feedback_resolved_after": "feedbackResolvedAfter",
    "feedback_resolved_before": "feedbackResolvedBefore",
    "promoted_to_example": "promotedToExample",
    "promoted_example_name": "promotedExampleName",
    "since_last_resolved": "sinceLastResolved",
    "include": "include",
    "sort": "sort",
    "order": "order",
    "scan_limit": "scanLimit",
    "limit": "limit",
    "offset": "offset",
}


def list_executions(agent_id: str, **filters: Any) -> ApiRequest[ListAgentExecutionsResponse]:
    unknown = sorted(set(filters) - set(EXECUTION_FILTERS))
    if unknown:
        raise TypeError(f"unknown execution filter(s): {', '.join(unknown)}")
    wire = {EXECUTION_FILTERS[name]: value for name, value in filters.items()}
    return ApiRequest(
        "GET",
        api_path("agents", agent_id, "executions"),
        model(ListAgentExecutionsResponse),
        params=query(**wire),
    )


def get_execution(execution_id: str, *, include: Include = None) -> ApiRequest[ExecutionEnvelope]:
    return ApiRequest(
        "GET",
        _execution(execution_id),
        model(ExecutionEnvelope),
        params=query(include=include),
    )


def cancel_execution(execution_id: str) -> ApiRequest[ExecutionEnvelope]:
    # Cancelling twice is harmless, so it retries like a read.
    return ApiRequest("POST", _execution(execution_id, "cancel"), model(ExecutionEnvelope))


def rerun_execution(execution_id: str) -> ApiRequest[RerunResponse]:
    return ApiRequest(
        "POST",
        _execution(execution_id, "rerun"),
        model(RerunResponse),
        retry=RetryPolicy.STARTS_WORK,
    )


def get_feedback(execution_id: str) -> ApiRequest[AgentExecutionFeedbackDetail]:
    return ApiRequest(
        "GET", _execution(execution_id, "feedback"), model(AgentExecutionFeedbackDetail)
    )


def update_feedback(
    execution_id: str,
    *,
    body: str | None = None,
    feedback: str | None = None,
    rating: str | None = None,
    feedback_rating: str | None = None,
    status: str | None = None,
    feedback_status: str | None = None,
    expected: Any = UNSET,
) -> ApiRequest[AgentExecutionFeedbackDetail]:
    """Only given fields are sent; ``expected=None`` clears the expected JSON."""
    payload = drop_none(
        body=body,
        feedback=feedback,
        rating=_value(rating),
        feedbackRating=_value(feedback_rating),
        status=_value(status),
        feedbackStatus=_value(feedback_status),
    )
    if expected is not UNSET:
        payload["expected"] = expected
    return ApiRequest(
        "PATCH",
        _execution(execution_id, "feedback"),
        model(AgentExecutionFeedbackDetail),
        **json_body(payload),
    )


def clear_feedback(execution_id: str) -> ApiRequest[AgentExecutionFeedbackDetail]:
    return ApiRequest(
        "DELETE", _execution(execution_id, "feedback"), model(AgentExecutionFeedbackDetail)
    )


def list_expected(execution_id: str) -> ApiRequest[ExpectedArtifacts]:
    return ApiRequest("GET", _execution(execution_id, "expected"), model(ExpectedArtifacts))


def copy_output_to_expected(
    execution_id: str, *, output_file_name: str, expected_name: str | None = None
) -> ApiRequest[ExpectedNameResponse]:
    body = {"outputFileName": output_file_name, **drop_none(expectedName=expected_name)}
    return ApiRequest(
        "POST",
        _execution(execution_id, "expected"),
        model(ExpectedNameResponse),
        retry=_expected_write_policy(expected_name),
        **json_body(body),
    )


def upload_expected(
    execution_id: str,
    *,
    file: bytes | IO[bytes] | Path,
    filename: str,
    name: str | None = None,
) -> ApiRequest[ExpectedNameResponse]:
    """Multipart: text field ``name`` (the stored path) if given, then file field ``file``."""
    mime_type = guess_mime_type(filename)
    if isinstance(file, Path):
        part = FilePart("file", filename, mime_type, path=file)
    elif isinstance(file, (bytes, bytearray)):
        part = FilePart("file", filename, mime_type, content=bytes(file))
    else:
        part = FilePart("file", filename, mime_type, handle=file)
    fields = [("name", name)] if name is not None else []
    return ApiRequest(
        "POST",
        _execution(execution_id, "expected"),
        model(ExpectedNameResponse),
        multipart=Multipart(fields=fields, files=[part]),
        retry=_expected_write_policy(name),
    )


def _expected_write_policy(name: str | None) -> RetryPolicy:
    """An expected artifact stored under a name the caller chose is written, not added: a
    repeat replaces it with the same bytes, so every failure may be retried. Without a name
    a server may pick a fresh one per attempt, so only attempts it cannot have seen are."""
    return RetryPolicy.SAFE if name is not None else RetryPolicy.STARTS_WORK


def download_expected(execution_id: str, filename: str) -> ApiRequest[Any]:
    return ApiRequest("GET", _execution(execution_id, "expected", filename), raw, expect="bytes")


def rename_expected(
    execution_id: str, filename: str, *, name: str
) -> ApiRequest[ExpectedNameResponse]:
    return ApiRequest(
        "PATCH",
        _execution(execution_id, "expected", filename),
        model(ExpectedNameResponse),
        **json_body({"name": name}),
    )


def delete_expected(execution_id: str, filename: str) -> ApiRequest[None]:
    return ApiRequest(
        "DELETE", _execution(execution_id, "expected", filename), nothing, expect="empty"
    )


def download_file(execution_id: str, kind: str, filename: str) -> ApiRequest[Any]:
    """``kind``: ``input``, ``output``, ``issues`` or ``trace``."""
    return ApiRequest("GET", _execution(execution_id, "files", kind, filename), raw, expect="bytes")


def _execution(execution_id: str, *rest: str) -> str:
    return api_path("agents", "executions", execution_id, *rest)


def _value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


class ExecutionFilters(TypedDict, total=False):
    """The filters of ``agents.executions.list``, for ``iter_list`` (paging is its own)."""

    status: str | None
    batch_id: str | None
    example_name: str | None
    example_name_contains: str | None
    created_after: str | None
    created_before: str | None
    completed_after: str | None
    completed_before: str | None
    feedback_status: str | None
    feedback_rating: str | None
    has_feedback: bool | None
    no_feedback: bool | None
    has_expected: bool | None
    has_expected_json: bool | None
    has_expected_files: bool | None
    feedback_body_contains: str | None
    feedback_created_after: str | None
    feedback_created_before: str | None
    feedback_updated_after: str | None
    feedback_updated_before: str | None
    feedback_resolved_after: str | None
    feedback_resolved_before: str | None
    promoted_to_example: bool | None
    promoted_example_name: str | None
    since_last_resolved: bool | None
    include: str | list[str] | None
    sort: str | None
    order: str | None
    scan_limit: int | None
