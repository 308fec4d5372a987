"""The execution list: every filter, sort and paging case of contract A5 and B6."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from evalkit.emulator.app import create_app
from evalkit.emulator.config import PlatformConfig

from ..helpers import API_KEY, AUTH, TestClient, create_agent, issue, run_and_wait

NAMES = ["ex-alpha", "ex-beta", "ex-gamma", "other-delta", "ex-epsilon"]
BATCHES = ["b1", "b1", "b2", "b2", None]


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, list[str]]]:
    """One platform for the read-only tests of this module (they only list)."""
    config = PlatformConfig(data_dir=tmp_path_factory.mktemp("listing"), api_keys=(API_KEY,))
    with TestClient(create_app(config), headers=AUTH) as client:
        yield client, make_executions(client)


@pytest.fixture
def client(shared: tuple[TestClient, list[str]]) -> TestClient:
    return shared[0]


@pytest.fixture
def ids(shared: tuple[TestClient, list[str]]) -> list[str]:
    return shared[1]


def make_executions(client: TestClient) -> list[str]:
    """Five executions, oldest first; the last one failed; reviews on the first three."""
    create_agent(client, "e")
    made = []
    for index, (name, batch) in enumerate(zip(NAMES, BATCHES, strict=True)):
        if index == 4:
            client.patch("/api/v1/agents/e", json={"config": {"runtime": {"builtin": "fail"}}})
        meta: dict[str, Any] = {"exampleName": name}
        if batch:
            meta["batchId"] = batch
        made.append(run_and_wait(client, "e", {"input": {"i": index}, "_metadata": meta}))
    assert [r["status"] for r in made] == ["completed"] * 4 + ["failed"]
    execution_ids = [str(r["executionId"]) for r in made]
    feedback = [
        {"rating": "pass", "status": "resolved", "body": "All good", "expected": {"i": 0}},
        {"rating": "fail", "body": "Wrong TOTAL"},
        {"status": "ignored", "promotedExampleName": "promo-1"},
    ]
    for execution_id, body in zip(execution_ids, feedback, strict=False):
        url = f"/api/v1/agents/executions/{execution_id}/feedback"
        assert client.patch(url, json=body).status_code == 200
    upload = client.post(
        f"/api/v1/agents/executions/{execution_ids[1]}/expected",
        files={"file": ("e.txt", b"x")},
    )
    assert upload.status_code == 201
    return execution_ids


def listed(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/agents/e/executions", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def indexes(ids: list[str], body: dict[str, Any]) -> list[int]:
    return [ids.index(e["id"]) for e in body["executions"]]


def test_default_is_newest_first_with_paging_fields(client: TestClient, ids: list[str]) -> None:
    body = listed(client)
    assert indexes(ids, body) == [4, 3, 2, 1, 0]
    assert (body["total"], body["limit"], body["offset"], body["scanLimited"]) == (5, 50, 0, False)
    assert "noResolvedAnchor" not in body


def test_paging(client: TestClient, ids: list[str]) -> None:
    body = listed(client, limit=2, offset=1, order="asc")
    assert indexes(ids, body) == [1, 2]
    assert body["total"] == 5
    assert indexes(ids, listed(client, offset=10)) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"offset": -1}, "offset"),
        ({"scanLimit": 0}, "query.scanLimit"),
        ({"scanLimit": 5001}, "query.scanLimit"),
        ({"sort": "name"}, "query.sort"),
        ({"order": "up"}, "query.order"),
        ({"status": "done"}, "query.status"),
        ({"feedbackStatus": "closed"}, "query.feedbackStatus"),
        ({"feedbackRating": "meh"}, "query.feedbackRating"),
        ({"hasFeedback": "perhaps"}, "query.hasFeedback"),
        ({"createdAfter": "yesterday"}, "query.createdAfter"),
        ({"feedbackResolvedBefore": "2026-13-01"}, "query.feedbackResolvedBefore"),
        # valid ISO-8601, but past year 9999 in UTC: was a 500
        ({"createdAfter": "9999-12-31T23:59:59-01:00"}, "query.createdAfter"),
        ({"include": "secrets"}, "query.include"),
    ],
)
def test_bad_queries_are_400(
    client: TestClient, ids: list[str], params: dict[str, Any], field: str
) -> None:
    response = client.get("/api/v1/agents/e/executions", params=params)
    assert response.status_code == 400
    assert issue(response)["field"] == field


def test_a_bad_query_names_every_bad_value_and_hints_at_the_time_format(
    client: TestClient,
) -> None:
    response = client.get(
        "/api/v1/agents/e/executions", params={"order": "up", "createdAfter": "yesterday"}
    )
    assert response.status_code == 400
    body = response.json()
    assert [i["field"] for i in body["issues"]] == ["query.createdAfter", "query.order"]
    assert body["issues"][0]["message"] == "not an ISO-8601 timestamp: 'yesterday'"
    assert body["hint"] == "e.g. 2026-01-01T00:00:00.000Z"


def test_only_the_wire_names_are_read(client: TestClient, ids: list[str]) -> None:
    # The contract's exact camelCase names: a snake_case spelling is an unknown parameter.
    assert listed(client, batch_id="b2")["total"] == 5
    assert listed(client, batchId="b2")["total"] == 2


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sort": "createdAt", "order": "asc"}, [0, 1, 2, 3, 4]),
        ({"sort": "exampleName", "order": "asc"}, [0, 1, 4, 2, 3]),
        ({"sort": "exampleName"}, [3, 2, 4, 1, 0]),
        ({"sort": "status", "order": "asc"}, [0, 1, 2, 3, 4]),
        ({"sort": "status", "order": "desc"}, [4, 3, 2, 1, 0]),
        ({"sort": "completedAt", "order": "asc"}, [0, 1, 2, 3, 4]),
    ],
)
def test_sorts(
    client: TestClient, ids: list[str], params: dict[str, str], expected: list[int]
) -> None:
    assert indexes(ids, listed(client, **params)) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "failed"}, [4]),
        ({"status": "completed,failed"}, [0, 1, 2, 3, 4]),
        ({"status": "running"}, []),
        ({"batchId": "b2"}, [2, 3]),
        ({"exampleName": "ex-beta"}, [1]),
        ({"exampleName": "ex-bet"}, []),
        ({"exampleNameContains": "EX-"}, [0, 1, 2, 4]),
        ({"feedbackStatus": "open"}, [1]),
        ({"feedbackStatus": "resolved"}, [0]),
        ({"feedbackStatus": "ignored"}, [2]),
        ({"feedbackRating": "pass"}, [0]),
        ({"feedbackRating": "fail"}, [1]),
        ({"feedbackRating": "partial"}, []),
        ({"feedbackRating": "none"}, [2, 3, 4]),
        ({"hasFeedback": "true"}, [0, 1, 2]),
        ({"hasFeedback": "false"}, [3, 4]),
        ({"noFeedback": "true"}, [3, 4]),
        ({"hasExpected": "true"}, [0, 1]),
        ({"hasExpected": "false"}, [2, 3, 4]),
        ({"hasExpectedJson": "true"}, [0]),
        ({"hasExpectedFiles": "true"}, [1]),
        ({"feedbackBodyContains": "total"}, [1]),
        ({"promotedToExample": "true"}, [2]),
        ({"promotedToExample": "false"}, [0, 1, 3, 4]),
        ({"promotedExampleName": "promo-1"}, [2]),
        ({"batchId": "b1", "feedbackRating": "fail"}, [1]),
    ],
)
def test_filters(
    client: TestClient, ids: list[str], params: dict[str, str], expected: list[int]
) -> None:
    body = listed(client, order="asc", **params)
    assert indexes(ids, body) == expected
    assert body["total"] == len(expected)


def execution(client: TestClient, execution_id: str) -> dict[str, Any]:
    url = f"/api/v1/agents/executions/{execution_id}"
    found: dict[str, Any] = client.get(url, params={"include": "feedback"}).json()["execution"]
    return found


def test_time_ranges_are_inclusive(client: TestClient, ids: list[str]) -> None:
    second, fourth = execution(client, ids[1]), execution(client, ids[3])
    body = listed(
        client, order="asc", createdAfter=second["createdAt"], createdBefore=fourth["createdAt"]
    )
    assert indexes(ids, body) == [1, 2, 3]
    body = listed(client, order="asc", completedAfter=fourth["completedAt"])
    assert indexes(ids, body) == [3, 4]
    body = listed(client, order="asc", completedBefore=second["completedAt"])
    assert indexes(ids, body) == [0, 1]


def test_feedback_time_ranges(client: TestClient, ids: list[str]) -> None:
    first, second = execution(client, ids[0]), execution(client, ids[1])
    resolved_at = first["feedback"]["resolvedAt"]
    assert indexes(ids, listed(client, feedbackResolvedAfter=resolved_at)) == [0]
    assert indexes(ids, listed(client, feedbackResolvedBefore="2000-01-01T00:00:00Z")) == []
    created = second["feedback"]["createdAt"]
    body = listed(client, order="asc", feedbackCreatedAfter=created)
    assert indexes(ids, body) == [1, 2]
    body = listed(client, order="asc", feedbackUpdatedBefore=second["feedback"]["updatedAt"])
    assert indexes(ids, body) == [0, 1]


def test_since_last_resolved(make_client: Any) -> None:
    client = make_client()
    make_executions(client)
    # The anchor is when the first execution's feedback was resolved: after all five ran.
    body = listed(client, sinceLastResolved="true")
    assert body["executions"] == []
    assert "noResolvedAnchor" not in body
    newer = run_and_wait(client, "e")["executionId"]
    assert [e["id"] for e in listed(client, sinceLastResolved="true")["executions"]] == [newer]


def test_since_last_resolved_without_any_resolution(make_client: Any) -> None:
    client = make_client()
    create_agent(client, "e")
    run_and_wait(client, "e")
    body = listed(client, sinceLastResolved="true")
    assert body["executions"] == []
    assert body["total"] == 0
    assert body["noResolvedAnchor"] is True


def test_scan_limit_bounds_review_filters(client: TestClient, ids: list[str]) -> None:
    # Newest first, a window of 3 holds executions 4, 3, 2: only 2 has feedback.
    body = listed(client, hasFeedback="true", scanLimit=3)
    assert indexes(ids, body) == [2]
    assert body["scanLimited"] is True
    full = listed(client, hasFeedback="true", scanLimit=5)
    assert indexes(ids, full) == [2, 1, 0]
    assert full["scanLimited"] is False
    plain = listed(client, scanLimit=1)  # no review filter: the window does not apply
    assert plain["total"] == 5
    assert plain["scanLimited"] is False


def test_include_on_the_list(client: TestClient, ids: list[str]) -> None:
    body = listed(client, include="feedback,expected,files", order="asc")
    first, second = body["executions"][0], body["executions"][1]
    assert first["feedback"]["rating"] == "pass"
    assert first["expected"] == {"i": 0}
    assert second["expectedFiles"] == [{"name": "e.txt"}]
    assert first["inputJson"] == {"i": 0}
    assert first["metadata"] == {"exampleName": "ex-alpha", "batchId": "b1"}


def test_list_of_unknown_agent_is_404(client: TestClient) -> None:
    assert client.get("/api/v1/agents/ghost/executions").status_code == 404
