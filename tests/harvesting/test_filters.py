"""Harvest filters: the contract's list query, and ``--since`` as a time or a span."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from evalkit.api import EXECUTION_LIST_QUERY
from evalkit.harvesting import HarvestError, HarvestFilters
from evalkit.harvesting.filters import since_timestamp

NOW = datetime(2026, 3, 8, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", "2026-03-01T12:00:00.000Z"),
        ("12h", "2026-03-08T00:00:00.000Z"),
        ("30m", "2026-03-08T11:30:00.000Z"),
        ("2026-01-31", "2026-01-31T00:00:00.000Z"),
        ("2026-01-31T12:00:00+01:00", "2026-01-31T11:00:00.000Z"),
    ],
)
def test_since_is_a_time_or_a_span_back_from_now(text: str, expected: str) -> None:
    assert since_timestamp(text, NOW) == expected


@pytest.mark.parametrize("text", ["yesterday", "7 days", "-1d", ""])
def test_a_since_that_is_no_time_is_refused(text: str) -> None:
    with pytest.raises(HarvestError, match="not a time"):
        since_timestamp(text, NOW)


@pytest.mark.parametrize("text", ["99999999d", "2000000000m", "9999999999999999999999d"])
def test_a_span_beyond_the_range_of_dates_is_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(HarvestError, match="out of the range of dates: use an ISO-8601 date"):
        since_timestamp(text, NOW)


def test_the_query_is_the_contracts_and_includes_what_a_draft_needs() -> None:
    filters = HarvestFilters(
        feedback_status="resolved",
        feedback_rating="none",
        has_expected=True,
        since="2026-01-01T00:00:00.000Z",
    )
    wire = EXECUTION_LIST_QUERY.render(filters.query())
    assert wire == {
        "createdAfter": "2026-01-01T00:00:00.000Z",
        "feedbackStatus": "resolved",
        "feedbackRating": "none",
        "hasExpected": "true",
        "include": "feedback,expected,files",
        "scanLimit": "5000",
    }
    EXECUTION_LIST_QUERY.parse(wire)  # the platform's own reading accepts it


@pytest.mark.parametrize(
    "bad",
    [{"feedback_status": "done"}, {"feedback_rating": "great"}, {"limit": 0}],
)
def test_bad_filters_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(HarvestError):
        HarvestFilters(**bad)  # type: ignore[arg-type]
