"""``/_emulator/reset`` and ``/_emulator/health``."""

from __future__ import annotations

from pathlib import Path

from ..conftest import ClientFactory
from ..helpers import TestClient, create_agent, run_and_wait


def test_reset_wipes_everything(client: TestClient) -> None:
    create_agent(client, "e")
    client.put("/api/v1/agents/e/files", params={"path": "a.txt"}, json={"content": "x"})
    execution_id = run_and_wait(client, "e")["executionId"]
    client.post("/api/v1/agents", json={"name": "n", "slug": "k"}, headers={"Idempotency-Key": "1"})
    response = client.post("/_emulator/reset")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert client.get("/api/v1/agents").json()["total"] == 0
    assert client.get(f"/api/v1/agents/executions/{execution_id}").status_code == 404
    again = client.post(
        "/api/v1/agents", json={"name": "n", "slug": "k"}, headers={"Idempotency-Key": "1"}
    )
    assert "idempotent-replayed" not in again.headers
    create_agent(client, "e")  # the slug is free again
    assert client.get("/api/v1/agents/e/files").json() == {"files": []}


def test_reset_needs_the_key(client: TestClient) -> None:
    create_agent(client, "e")
    response = client.post("/_emulator/reset", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert client.get("/api/v1/agents").json()["total"] == 1


def test_reset_wipes_workflow_executions(make_client: ClientFactory, tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "quick.yaml").write_text("steps: [{id: a, builtin: echo}]\n")
    client = make_client(workflows_dir=flows)
    run = client.post("/api/v1/workflows/quick/run", params={"wait_for_completion": 30}, json={})
    assert run.json()["status"] == "completed", run.text
    assert client.post("/_emulator/reset").status_code == 200
    execution = client.get(f"/api/v1/workflows/executions/{run.json()['executionId']}")
    assert execution.status_code == 404
    assert client.get("/api/v1/workflows/quick/executions").json()["total"] == 0
    assert client.get("/api/v1/workflows").json()["total"] == 1  # definitions stay
