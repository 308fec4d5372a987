"""The execution-list query string (contract A5, exact camelCase names; B6 limits)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from evalkit.api import ExecutionSort, ExecutionStatus, FeedbackStatus, SortOrder
from evalkit.emulator.problems import invalid
from evalkit.emulator.routes.common import timestamp_param
from evalkit.emulator.store.listing import ExecutionFilters

DEFAULT_SCAN_LIMIT = 500
MAX_SCAN_LIMIT = 5000


class ExecutionListQuery(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    status: str | None = None
    batch_id: str | None = None
    example_name: str | None = None
    example_name_contains: str | None = None
    created_after: str | None = None
    created_before: str | None = None
    completed_after: str | None = None
    completed_before: str | None = None
    feedback_status: FeedbackStatus | None = None
    feedback_rating: Literal["pass", "fail", "partial", "none"] | None = None
    has_feedback: bool | None = None
    no_feedback: bool | None = None
    has_expected: bool | None = None
    has_expected_json: bool | None = None
    has_expected_files: bool | None = None
    feedback_body_contains: str | None = None
    feedback_created_after: str | None = None
    feedback_created_before: str | None = None
    feedback_updated_after: str | None = None
    feedback_updated_before: str | None = None
    feedback_resolved_after: str | None = None
    feedback_resolved_before: str | None = None
    promoted_to_example: bool | None = None
    promoted_example_name: str | None = None
    since_last_resolved: bool | None = None
    include: str | None = None
    sort: ExecutionSort = ExecutionSort.CREATED_AT
    order: SortOrder = SortOrder.DESC
    scan_limit: int = Field(DEFAULT_SCAN_LIMIT, ge=1, le=MAX_SCAN_LIMIT)
    limit: int | None = None
    offset: int | None = None


def parse_statuses(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    known = {status.value for status in ExecutionStatus}
    asked = tuple(part.strip() for part in raw.split(",") if part.strip())
    unknown = [part for part in asked if part not in known]
    if unknown:
        raise invalid(
            "query.status",
            f"unknown status {', '.join(unknown)}; known: {', '.join(sorted(known))}",
        )
    return asked


def filters_from_query(query: ExecutionListQuery) -> ExecutionFilters:
    stamp = timestamp_param
    return ExecutionFilters(
        statuses=parse_statuses(query.status),
        batch_id=query.batch_id,
        example_name=query.example_name,
        example_name_contains=query.example_name_contains,
        created_after=stamp(query.created_after, "createdAfter"),
        created_before=stamp(query.created_before, "createdBefore"),
        completed_after=stamp(query.completed_after, "completedAfter"),
        completed_before=stamp(query.completed_before, "completedBefore"),
        since_last_resolved=bool(query.since_last_resolved),
        feedback_status=query.feedback_status.value if query.feedback_status else None,
        feedback_rating=query.feedback_rating,
        has_feedback=query.has_feedback,
        no_feedback=query.no_feedback,
        has_expected=query.has_expected,
        has_expected_json=query.has_expected_json,
        has_expected_files=query.has_expected_files,
        feedback_body_contains=query.feedback_body_contains,
        feedback_ranges={
            "created": (
                stamp(query.feedback_created_after, "feedbackCreatedAfter"),
                stamp(query.feedback_created_before, "feedbackCreatedBefore"),
            ),
            "updated": (
                stamp(query.feedback_updated_after, "feedbackUpdatedAfter"),
                stamp(query.feedback_updated_before, "feedbackUpdatedBefore"),
            ),
            "resolved": (
                stamp(query.feedback_resolved_after, "feedbackResolvedAfter"),
                stamp(query.feedback_resolved_before, "feedbackResolvedBefore"),
            ),
        },
        promoted_to_example=query.promoted_to_example,
        promoted_example_name=query.promoted_example_name,
        sort=query.sort.value,
        order=query.order.value,
        scan_limit=query.scan_limit,
    )
