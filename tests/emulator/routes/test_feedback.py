"""Feedback on executions: get, update with both spellings, clear (contract A5; B8)."""

from __future__ import annotations

from typing import Any

import pytest

from ..helpers import TestClient, create_agent, issue, run_and_wait

FEEDBACK_KEYS = {
    "body",
    "rating",
    "status",
    "createdAt",
    "createdBy",
    "createdByEmail",
    "updatedAt",
    "resolvedAt",
    "resolvedBy",
    "resolvedByEmail",
    "resolvedBySessionId",
    "promotedExampleName",
}


@pytest.fixture
def execution_id(client: TestClient) -> str:
    create_agent(client, "e")
    return str(run_and_wait(client, "e", {"input": {"a": 1}})["executionId"])


def patch(client: TestClient, execution_id: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.patch(f"/api/v1/agents/executions/{execution_id}/feedback", json=body)
    assert response.status_code == 200, response.text
    detail: dict[str, Any] = response.json()
    return detail


def test_no_feedback_at_first(client: TestClient, execution_id: str) -> None:
    detail = client.get(f"/api/v1/agents/executions/{execution_id}/feedback").json()
    assert detail == {"feedback": None, "expected": None, "expectedFiles": []}


def test_first_patch_creates_open_feedback_with_every_key(
    client: TestClient, execution_id: str
) -> None:
    detail = patch(client, execution_id, {"body": "looks off", "rating": "fail"})
    feedback = detail["feedback"]
    assert set(feedback) == FEEDBACK_KEYS
    assert (feedback["body"], feedback["rating"], feedback["status"]) == (
        "looks off",
        "fail",
        "open",
    )
    assert feedback["createdAt"] == feedback["updatedAt"]
    assert feedback["resolvedAt"] is None


def test_the_other_spellings_work_and_must_agree(client: TestClient, execution_id: str) -> None:
    detail = patch(
        client,
        execution_id,
        {"feedback": "alt", "feedbackRating": "partial", "feedbackStatus": "ignored"},
    )
    assert detail["feedback"]["body"] == "alt"
    assert detail["feedback"]["rating"] == "partial"
    assert detail["feedback"]["status"] == "ignored"
    response = client.patch(
        f"/api/v1/agents/executions/{execution_id}/feedback",
        json={"rating": "pass", "feedbackRating": "fail"},
    )
    assert response.status_code == 400
    assert issue(response)["field"] == "body.feedbackRating"


def test_resolving_stamps_resolved_at_and_reopening_clears_it(
    client: TestClient, execution_id: str
) -> None:
    patch(client, execution_id, {"body": "x"})
    resolved = patch(client, execution_id, {"status": "resolved"})["feedback"]
    assert resolved["resolvedAt"] is not None
    assert resolved["resolvedBy"] == "local"
    again = patch(client, execution_id, {"status": "resolved", "body": "y"})["feedback"]
    assert again["resolvedAt"] == resolved["resolvedAt"]
    reopened = patch(client, execution_id, {"status": "open"})["feedback"]
    assert reopened["resolvedAt"] is None


def test_first_patch_may_give_its_own_status(client: TestClient, execution_id: str) -> None:
    feedback = patch(client, execution_id, {"status": "resolved"})["feedback"]
    assert feedback["status"] == "resolved"
    assert feedback["resolvedAt"] is not None


def test_null_rating_and_empty_body_clear(client: TestClient, execution_id: str) -> None:
    patch(client, execution_id, {"body": "text", "rating": "pass"})
    cleared = patch(client, execution_id, {"body": "", "rating": None})["feedback"]
    assert (cleared["body"], cleared["rating"]) == ("", None)
    assert patch(client, execution_id, {"rating": "none"})["feedback"]["rating"] is None


def test_expected_json_is_set_and_cleared(client: TestClient, execution_id: str) -> None:
    detail = patch(client, execution_id, {"expected": {"total": 3}})
    assert detail["expected"] == {"total": 3}
    untouched = patch(client, execution_id, {"body": "b"})
    assert untouched["expected"] == {"total": 3}
    assert patch(client, execution_id, {"expected": None})["expected"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": "great"}, "body.rating"),
        ({"status": "done"}, "body.status"),
        ({"body": 5}, "body.body"),
        ({"promotedExampleName": 1}, "body.promotedExampleName"),
    ],
)
def test_bad_values_are_400(
    client: TestClient, execution_id: str, body: dict[str, Any], field: str
) -> None:
    response = client.patch(f"/api/v1/agents/executions/{execution_id}/feedback", json=body)
    assert response.status_code == 400
    assert issue(response)["field"] == field


def test_delete_clears_feedback_expected_json_and_files(
    client: TestClient, execution_id: str
) -> None:
    patch(client, execution_id, {"body": "b", "rating": "pass", "expected": [1]})
    client.post(
        f"/api/v1/agents/executions/{execution_id}/expected",
        files={"file": ("e.txt", b"expected", "text/plain")},
    )
    before = client.get(f"/api/v1/agents/executions/{execution_id}/feedback").json()
    assert before["expectedFiles"] == [{"name": "e.txt"}]
    response = client.delete(f"/api/v1/agents/executions/{execution_id}/feedback")
    assert response.status_code == 200
    assert response.json() == {"feedback": None, "expected": None, "expectedFiles": []}
    listing = client.get(f"/api/v1/agents/executions/{execution_id}/expected").json()
    assert listing == {"expected": None, "files": []}


def test_feedback_shows_on_the_execution_with_include(
    client: TestClient, execution_id: str
) -> None:
    patch(client, execution_id, {"body": "seen", "rating": "pass"})
    execution = client.get(
        f"/api/v1/agents/executions/{execution_id}", params={"include": "feedback"}
    ).json()["execution"]
    assert set(execution["feedback"]) == FEEDBACK_KEYS
    assert execution["feedback"]["body"] == "seen"


def test_unknown_execution_feedback_is_404(client: TestClient) -> None:
    assert client.get("/api/v1/agents/executions/exec_x/feedback").status_code == 404
    assert client.patch("/api/v1/agents/executions/exec_x/feedback", json={}).status_code == 404
    assert client.delete("/api/v1/agents/executions/exec_x/feedback").status_code == 404
