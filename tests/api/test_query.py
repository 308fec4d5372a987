"""Query parameters declared once: rendered by the client, parsed by the platform (A1)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from evalkit.api import (
    AGENT_LIST_QUERY,
    EXECUTION_LIST_QUERY,
    WORKFLOW_EXECUTION_LIST_QUERY,
    WORKFLOW_LIST_QUERY,
    WORKFLOW_VERSION_LIST_QUERY,
    ExecutionFilters,
    ExecutionStatus,
    FeedbackStatus,
    PageParams,
    QueryShape,
    SortOrder,
    comma_list,
    query_value,
    wire_name,
)
from evalkit.api.query import parameter_types

SHAPES: list[QueryShape[Any]] = [
    EXECUTION_LIST_QUERY,
    AGENT_LIST_QUERY,
    WORKFLOW_EXECUTION_LIST_QUERY,
    WORKFLOW_LIST_QUERY,
    WORKFLOW_VERSION_LIST_QUERY,
]


def errors_of(shape: QueryShape[Any], query: dict[str, str]) -> list[ErrorDetails]:
    with pytest.raises(ValidationError) as caught:
        shape.parse(query)
    return caught.value.errors(include_url=False)


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (True, "true"),
        (False, "false"),
        (["a", "b"], "a,b"),
        (("a",), "a"),
        ([ExecutionStatus.RUNNING, "completed"], "running,completed"),
        (SortOrder.ASC, "asc"),
        (3, "3"),
        ("a,b", "a,b"),
    ],
)
def test_values_in_wire_form(value: object, wire: str) -> None:
    assert query_value(value) == wire


def test_comma_lists() -> None:
    assert comma_list(" completed , ,failed,") == ["completed", "failed"]
    assert comma_list(["a", "b"]) == ["a", "b"]
    assert comma_list(None) == comma_list("") == []


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.label)
def test_every_list_ends_with_its_page(shape: QueryShape[Any]) -> None:
    assert shape.names[-2:] == ("limit", "offset")
    assert set(parameter_types(PageParams)) <= set(shape.names)


def test_render_sends_the_given_values_by_wire_name_in_declared_order() -> None:
    given = {"offset": 10, "has_feedback": False, "status": "completed", "batch_id": None}
    rendered = EXECUTION_LIST_QUERY.render(given)
    assert list(rendered.items()) == [
        ("status", "completed"),
        ("hasFeedback", "false"),
        ("offset", "10"),
    ]


def test_render_refuses_an_unknown_name() -> None:
    with pytest.raises(TypeError, match=r"unknown execution filter\(s\): batchId"):
        EXECUTION_LIST_QUERY.render({"batchId": "x"})


def test_render_applies_no_rule() -> None:
    # The client sends what it is given; the server judges (scanLimit 0 is a 400 there).
    assert EXECUTION_LIST_QUERY.render({"scan_limit": 0, "sort": "name"}) == {
        "scanLimit": "0",
        "sort": "name",
    }


def test_parse_reads_wire_names_only_and_applies_the_types() -> None:
    parsed = EXECUTION_LIST_QUERY.parse(
        {
            "batchId": "b1",
            "batch_id": "ignored",
            "hasFeedback": "true",
            "scanLimit": "7",
            "limit": "5",
            "unknown": "x",
        }
    )
    assert parsed == {"batch_id": "b1", "has_feedback": True, "scan_limit": 7, "limit": 5}


def test_parse_normalises_time_bounds_to_the_stored_form() -> None:
    parsed = EXECUTION_LIST_QUERY.parse(
        {"createdAfter": "2026-01-01T01:00:00+01:00", "feedbackResolvedBefore": "2026-02-03"}
    )
    assert parsed == {
        "created_after": "2026-01-01T00:00:00.000Z",
        "feedback_resolved_before": "2026-02-03T00:00:00.000Z",
    }


@pytest.mark.parametrize(
    ("query", "wire", "message"),
    [
        ({"status": "done,completed"}, "status", "unknown status done; known: cancelled, "),
        ({"feedbackStatus": "closed"}, "feedbackStatus", "'open', 'resolved' or 'ignored'"),
        ({"feedbackRating": "meh"}, "feedbackRating", "'pass', 'fail', 'partial' or 'none'"),
        ({"sort": "name"}, "sort", "'createdAt', 'completedAt', 'status' or 'exampleName'"),
        ({"order": "up"}, "order", "Input should be 'asc' or 'desc'"),
        ({"scanLimit": "0"}, "scanLimit", "greater than or equal to 1"),
        ({"scanLimit": "5001"}, "scanLimit", "less than or equal to 5000"),
        ({"hasFeedback": "perhaps"}, "hasFeedback", "valid boolean"),
        ({"limit": "abc"}, "limit", "valid integer"),
        ({"createdAfter": "yesterday"}, "createdAfter", "not an ISO-8601 timestamp: 'yesterday'"),
        # Out of range once moved to UTC: a bad value, not a crash.
        ({"completedBefore": "9999-12-31T23:59:59-01:00"}, "completedBefore", "not an ISO-8601"),
    ],
)
def test_parse_names_the_wire_parameter_of_a_bad_value(
    query: dict[str, str], wire: str, message: str
) -> None:
    (error,) = errors_of(EXECUTION_LIST_QUERY, query)
    assert error["loc"] == (wire,)
    assert message in error["msg"]


def test_a_bad_time_bound_carries_a_hint() -> None:
    (error,) = errors_of(EXECUTION_LIST_QUERY, {"feedbackCreatedAfter": "soon"})
    assert error["ctx"]["hint"] == "e.g. 2026-01-01T00:00:00.000Z"


def test_every_bad_value_is_reported_in_declared_order() -> None:
    errors = errors_of(EXECUTION_LIST_QUERY, {"order": "up", "createdAfter": "x", "sort": "y"})
    assert [error["loc"] for error in errors] == [("createdAfter",), ("sort",), ("order",)]


def test_workflow_execution_statuses_are_a_checked_comma_list() -> None:
    parsed = WORKFLOW_EXECUTION_LIST_QUERY.parse({"status": "completed,failed", "fromDate": "x"})
    assert parsed == {"status": "completed,failed", "from_date": "x"}  # dates: the route's
    (error,) = errors_of(WORKFLOW_EXECUTION_LIST_QUERY, {"status": "completed,nope"})
    assert error["loc"] == ("status",)
    assert error["msg"].startswith("unknown status nope; known:")


def test_the_workflow_kind_is_checked_and_the_names_are_the_sdk_keywords() -> None:
    assert WORKFLOW_LIST_QUERY.names == ("search", "name", "kind", "limit", "offset")
    assert WORKFLOW_LIST_QUERY.parse({"kind": "block", "limit": "3"}) == {
        "kind": "block",
        "limit": 3,
    }
    (error,) = errors_of(WORKFLOW_LIST_QUERY, {"kind": "other"})
    assert error["loc"] == ("kind",)
    assert error["msg"] == "Input should be 'workflow' or 'block'"
    assert WORKFLOW_VERSION_LIST_QUERY.names == ("limit", "offset")


def test_the_filters_are_the_list_without_its_page() -> None:
    filters = tuple(parameter_types(ExecutionFilters))
    assert EXECUTION_LIST_QUERY.names == (*filters, "limit", "offset")
    assert wire_name("has_expected_json") == "hasExpectedJson"
    assert (
        FeedbackStatus.OPEN.value
        in EXECUTION_LIST_QUERY.render({"feedback_status": "open"})["feedbackStatus"]
    )
