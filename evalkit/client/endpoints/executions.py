"""Agent executions: listing, feedback, and expected artifacts (contract A5)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from evalkit.api import (
    EXECUTION_LIST_QUERY,
    AgentExecutionFeedbackDetail,
    ExecutionEnvelope,
    ExecutionListParams,
    ExpectedArtifacts,
    ExpectedNameResponse,
    Include,
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
from evalkit.client.retry import RetryPolicy

if TYPE_CHECKING:  # annotations only: no runtime need for typing_extensions
    from typing_extensions import Unpack


class Unset(Enum):
    """The type of ``UNSET``: "leave this field out", where ``None`` means JSON null."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET


def list_executions(
    agent_id: str, **params: Unpack[ExecutionListParams]
) -> ApiRequest[ListAgentExecutionsResponse]:
    return ApiRequest(
        "GET",
        api_path("agents", agent_id, "executions"),
        model(ListAgentExecutionsResponse),
        params=EXECUTION_LIST_QUERY.render(params),
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
