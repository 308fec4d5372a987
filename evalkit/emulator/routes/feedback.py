"""``/agents/executions/{id}/feedback``: get, update, clear (contract A5; B8)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from evalkit.emulator.platform import Platform
from evalkit.emulator.problems import invalid
from evalkit.emulator.render import AnswerResponse, feedback_detail_wire
from evalkit.emulator.routes.common import API, PlatformDep, parse_json_object, platform_in
from evalkit.emulator.store.executions import ExecutionRecord
from evalkit.emulator.store.feedback import UNSET, FeedbackChange

router = APIRouter()

RATINGS = ("pass", "fail", "partial")
STATUSES = ("open", "resolved", "ignored")
#: (field, its two spellings) -- each pair is one field (contract A5)
SPELLINGS = (("body", "feedback"), ("rating", "feedbackRating"), ("status", "feedbackStatus"))


def detail(platform: Platform, record: ExecutionRecord) -> dict[str, Any]:
    return feedback_detail_wire(record, platform.executions.files(record.id, "expected"))


@router.get(f"{API}/agents/executions/{{execution_id}}/feedback")
def get_feedback(platform: PlatformDep, execution_id: str) -> AnswerResponse:
    return AnswerResponse(detail(platform, platform.executions.get(execution_id)))


# Reads its parameters itself, as the other hot routes do (routes/executions.py).
@router.patch(f"{API}/agents/executions/{{execution_id}}/feedback")
async def update_feedback(request: Request) -> AnswerResponse:
    platform = platform_in(request)
    execution_id: str = request.path_params["execution_id"]
    change = feedback_change(parse_json_object(await request.body(), "body"))
    # A few short SQLite statements: cheaper on the event loop than a trip to the thread pool.
    return AnswerResponse(detail(platform, platform.reviews.update_feedback(execution_id, change)))


@router.delete(f"{API}/agents/executions/{{execution_id}}/feedback")
def clear_feedback(platform: PlatformDep, execution_id: str) -> AnswerResponse:
    return AnswerResponse(detail(platform, platform.reviews.clear(execution_id)))


def feedback_change(raw: dict[str, Any]) -> FeedbackChange:
    """Merge the two spellings of each field; check values (rating null or "none" = no rating)."""
    values: dict[str, Any] = {}
    for name, other in SPELLINGS:
        present = [key for key in (name, other) if key in raw]
        if len(present) == 2 and raw[name] != raw[other]:
            raise invalid(f"body.{other}", f"'{name}' and '{other}' are one field but disagree")
        if present:
            values[name] = raw[present[0]]
    body = values.get("body", UNSET)
    if body is not UNSET and body is not None and not isinstance(body, str):
        raise invalid("body.body", "body must be a string or null")
    rating = values.get("rating", UNSET)
    if rating == "none":
        rating = None
    if rating is not UNSET and rating is not None and rating not in RATINGS:
        raise invalid("body.rating", f"rating must be one of {', '.join(RATINGS)}, or null")
    status = values.get("status", UNSET)
    if status is not UNSET and status is not None and status not in STATUSES:
        raise invalid("body.status", f"status must be one of {', '.join(STATUSES)}, or null")
    promoted = raw.get("promotedExampleName", UNSET)
    if promoted is not UNSET and promoted is not None and not isinstance(promoted, str):
        raise invalid("body.promotedExampleName", "promotedExampleName must be a string or null")
    return FeedbackChange(
        body=body,
        rating=rating,
        status=status,
        expected=raw.get("expected", UNSET),
        promoted_example_name=promoted,
    )
