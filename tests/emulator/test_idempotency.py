"""``Idempotency-Key`` on POSTs: a repeat replays the first answer instead of acting twice."""

from __future__ import annotations

from .conftest import ClientFactory
from .helpers import TestClient, create_agent, issue


def test_a_repeated_create_replays_the_first_answer(client: TestClient) -> None:
    headers = {"Idempotency-Key": "create-1"}
    body = {"name": "Once", "slug": "once"}
    first = client.post("/api/v1/agents", json=body, headers=headers)
    second = client.post("/api/v1/agents", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert client.get("/api/v1/agents").json()["total"] == 1


def test_a_repeated_run_starts_one_execution(client: TestClient) -> None:
    create_agent(client, "e")
    headers = {"Idempotency-Key": "run-7"}
    first = client.post("/api/v1/agents/e/run", json={"input": {"n": 1}}, headers=headers)
    second = client.post("/api/v1/agents/e/run", json={"input": {"n": 1}}, headers=headers)
    assert first.json()["executionId"] == second.json()["executionId"]
    assert client.get("/api/v1/agents/e/executions").json()["total"] == 1
    other = client.post("/api/v1/agents/e/run", json={}, headers={"Idempotency-Key": "run-8"})
    assert other.json()["executionId"] != first.json()["executionId"]


def test_the_key_is_scoped_to_the_path(client: TestClient) -> None:
    create_agent(client, "a")
    create_agent(client, "b")
    headers = {"Idempotency-Key": "shared"}
    on_a = client.post("/api/v1/agents/a/run", json={}, headers=headers).json()
    on_b = client.post("/api/v1/agents/b/run", json={}, headers=headers).json()
    assert on_a["executionId"] != on_b["executionId"]


def test_client_errors_are_replayed_too(client: TestClient) -> None:
    headers = {"Idempotency-Key": "bad-1"}
    first = client.post("/api/v1/agents", json={"slug": "x"}, headers=headers)
    second = client.post("/api/v1/agents", json={"name": "n", "slug": "x"}, headers=headers)
    assert first.status_code == second.status_code == 400
    assert second.json() == first.json()
    assert issue(second) == issue(first)  # the header keeps matching the body's requestId


def test_replay_survives_a_restart(make_client: ClientFactory) -> None:
    first_platform = make_client()
    headers = {"Idempotency-Key": "durable"}
    first = first_platform.post("/api/v1/agents", json={"name": "n", "slug": "d"}, headers=headers)
    first_platform.__exit__(None, None, None)
    again = make_client().post("/api/v1/agents", json={"name": "n", "slug": "d"}, headers=headers)
    assert again.status_code == 201
    assert again.json() == first.json()


def test_old_answers_expire(make_client: ClientFactory) -> None:
    client = make_client(idempotency_ttl_seconds=0)
    headers = {"Idempotency-Key": "brief"}
    client.post("/api/v1/agents", json={"name": "n", "slug": "brief"}, headers=headers)
    again = client.post("/api/v1/agents", json={"name": "n", "slug": "brief"}, headers=headers)
    assert again.status_code == 409  # acted again: the slug now exists


def test_an_overlong_key_is_400(client: TestClient) -> None:
    response = client.post(
        "/api/v1/agents", json={"name": "n", "slug": "k"}, headers={"Idempotency-Key": "k" * 256}
    )
    assert response.status_code == 400
    assert issue(response)["field"] == "header.Idempotency-Key"
