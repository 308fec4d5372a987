"""``/agents``: create, get by id or slug, list with search and paging, update (A5; B1, B2)."""

from __future__ import annotations

import gc
import json
from typing import Any

import anyio.to_thread
import pytest

from ..helpers import TestClient, create_agent, issue


def test_create_answers_201_with_the_agent(client: TestClient) -> None:
    response = client.post(
        "/api/v1/agents",
        json={"name": "Invoice", "slug": "invoice", "description": "d", "config": {"a": 1}},
    )
    assert response.status_code == 201
    agent = response.json()["agent"]
    assert agent["id"].startswith("awf_")
    assert (agent["slug"], agent["name"], agent["description"]) == ("invoice", "Invoice", "d")
    assert agent["config"] == {"a": 1}
    assert agent["createdAt"].endswith("Z")
    assert len(agent["createdAt"]) == 24
    assert agent["latestCommit"] is None
    assert agent["stats"]["totalExecutions"] == 0


def test_get_accepts_id_or_slug(client: TestClient) -> None:
    agent = create_agent(client, "finder")
    by_id = client.get(f"/api/v1/agents/{agent['id']}").json()["agent"]
    by_slug = client.get("/api/v1/agents/finder").json()["agent"]
    assert by_id == by_slug == agent


def test_unknown_agent_is_404(client: TestClient) -> None:
    response = client.get("/api/v1/agents/awf_missing")
    assert response.status_code == 404
    assert issue(response)["code"] == "not_found"


@pytest.mark.parametrize("slug", ["", "UPPER", "-lead", "trail-", "with space", "a_b", "x" * 65])
def test_bad_slugs_are_refused(client: TestClient, slug: str) -> None:
    response = client.post("/api/v1/agents", json={"name": "n", "slug": slug})
    assert response.status_code == 400
    assert issue(response)["field"] == "body.slug"


def test_duplicate_slug_is_409(client: TestClient) -> None:
    create_agent(client, "twin")
    response = client.post("/api/v1/agents", json={"name": "n", "slug": "twin"})
    assert response.status_code == 409
    assert issue(response)["field"] == "body.slug"


def test_empty_name_is_refused(client: TestClient) -> None:
    response = client.post("/api/v1/agents", json={"name": "  ", "slug": "s"})
    assert response.status_code == 400
    assert issue(response)["field"] == "body.name"


def test_list_pages_and_searches(client: TestClient) -> None:
    for slug in ("alpha", "beta", "gamma"):
        create_agent(client, slug, description=f"the {slug} agent")
    page = client.get("/api/v1/agents", params={"limit": 2, "offset": 1}).json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 1)
    assert [a["slug"] for a in page["data"]] == ["beta", "gamma"]
    found = client.get("/api/v1/agents", params={"search": "GAM"}).json()
    assert [a["slug"] for a in found["data"]] == ["gamma"]
    assert found["total"] == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": "many"}, "query.limit"), ({"limit": 0}, "limit"), ({"offset": -1}, "offset")],
)
def test_bad_list_paging_is_400(client: TestClient, params: dict[str, object], field: str) -> None:
    response = client.get("/api/v1/agents", params=params)
    assert response.status_code == 400
    assert issue(response)["field"] == field


def test_patch_changes_fields_and_bumps_updated_at_only(client: TestClient) -> None:
    agent = create_agent(client, "patchy", description="old")
    client.put("/api/v1/agents/patchy/files", params={"path": "a.txt"}, json={"content": "x"})
    before = client.get("/api/v1/agents/patchy").json()["agent"]
    response = client.patch(
        "/api/v1/agents/patchy", json={"name": "New", "description": None, "config": {"k": 2}}
    )
    assert response.status_code == 200
    after = response.json()["agent"]
    assert (after["name"], after["description"], after["config"]) == ("New", None, {"k": 2})
    assert after["updatedAt"] >= before["updatedAt"]
    assert after["latestCommit"] == before["latestCommit"]  # PATCH is not a workspace write
    assert after["createdAt"] == agent["createdAt"]


def test_patch_leaves_absent_fields_alone(client: TestClient) -> None:
    create_agent(client, "keep", description="stays")
    after = client.patch("/api/v1/agents/keep", json={"name": "Renamed"}).json()["agent"]
    assert after["description"] == "stays"
    assert after["config"] == {"runtime": {"builtin": "echo"}}


def test_patch_rejects_a_null_name_and_bad_types(client: TestClient) -> None:
    create_agent(client, "strict")
    response = client.patch("/api/v1/agents/strict", json={"name": None})
    assert response.status_code == 400
    assert issue(response)["field"] == "body.name"
    response = client.patch("/api/v1/agents/strict", json={"config": [1]})
    assert response.status_code == 400
    assert issue(response)["field"] == "body.config"


def test_include_files_and_dataset(client: TestClient) -> None:
    create_agent(client, "ds")
    files = [
        {"path": "AGENT.md", "content": "hi"},
        {"path": "examples/one/input.json", "content": "{}"},
        {"path": "examples/two/expected.json", "content": "{}"},
        {"path": "examples/README.md", "content": "not an example"},
    ]
    assert client.post("/api/v1/agents/ds/files", json={"files": files}).status_code == 200
    agent = client.get("/api/v1/agents/ds", params={"include": "files,dataset"}).json()["agent"]
    assert agent["files"] == sorted(f["path"] for f in files)
    assert agent["dataset"] == {"examples": ["one", "two"], "total": 2}
    assert agent["stats"]["exampleCount"] == 2
    plain = client.get("/api/v1/agents/ds").json()["agent"]
    assert "files" not in plain
    assert "dataset" not in plain


def test_unknown_include_is_400(client: TestClient) -> None:
    create_agent(client, "inc")
    response = client.get("/api/v1/agents/inc", params={"include": "files,secrets"})
    assert response.status_code == 400
    assert issue(response)["field"] == "query.include"


def test_stats_count_executions(client: TestClient) -> None:
    create_agent(client, "busy")
    for _ in range(2):
        client.post("/api/v1/agents/busy/run", params={"wait_for_completion": 30}, json={})
    stats = client.get("/api/v1/agents/busy").json()["agent"]["stats"]
    assert stats["totalExecutions"] == 2
    assert stats["lastExecutionAt"] is not None
    assert stats["avgDurationMs"] is not None


def test_get_answers_without_the_thread_pool(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run's drift check is the first request of the platform it embeds: a trip to the
    thread pool cost it the import of anyio's backend and a thread start (~30 ms)."""
    create_agent(client, "drift")
    client.post("/api/v1/agents/drift/files", json={"files": [{"path": "a.md", "content": "a"}]})
    trips: list[object] = []
    run_sync = anyio.to_thread.run_sync

    async def counted(*args: Any, **kwargs: Any) -> Any:
        trips.append(args[0])
        return await run_sync(*args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    response = client.get("/api/v1/agents/drift", params={"include": "files"})
    assert response.status_code == 200
    assert response.json()["agent"]["files"] == ["a.md"]
    assert trips == []


def test_a_patched_config_is_let_go_once_stored(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sync PATCHes 400 KB of config: no parsed copy of it is alive while its stored text
    is read back and answered (they came on top of each other)."""
    import evalkit.emulator.routes.agents as routes

    marker = "parsed-copy-marker"
    alive: list[int] = []
    real_answer = routes.agent_answer

    def counting_answer(*args: Any, **kwargs: Any) -> dict[str, Any]:
        alive.append(sum(1 for o in gc.get_objects() if isinstance(o, dict) and marker in o))
        return real_answer(*args, **kwargs)

    create_agent(client, "big")
    monkeypatch.setattr(routes, "agent_answer", counting_answer)
    # as text: the test holds no parsed copy itself (a list in it: a dict gc tracks)
    text = '{"config": {"runtime": {"builtin": "echo"}, "files": {"MARK": ["ab"]}}}'
    text = text.replace("MARK", marker)
    answer = client.patch("/api/v1/agents/big", content=text.encode())
    assert answer.status_code == 200
    assert answer.json()["agent"]["config"] == json.loads(text)["config"]
    assert alive == [0]


@pytest.mark.parametrize(
    ("runtime", "field"),
    [
        ({"env": {"MODE": "a\x00b"}}, "body.config.runtime.env.MODE"),
        ({"command": "python main.py\x00"}, "body.config.runtime.command"),
        ({"command": ["python", "main\x00.py"]}, "body.config.runtime.command"),
    ],
)
def test_a_nul_in_the_runtime_env_or_command_is_refused_when_stored(
    client: TestClient, runtime: dict[str, Any], field: str
) -> None:
    # Stored, it made every run fail with 'internal runtime error: embedded null byte' and a
    # traceback in the log.
    body = {"name": "N", "slug": "nul", "config": {"runtime": runtime}}
    created = client.post("/api/v1/agents", json=body)
    assert created.status_code == 400
    assert issue(created)["field"] == field
    assert "NUL" in issue(created)["message"]
    assert client.get("/api/v1/agents").json()["total"] == 0
    create_agent(client, "nul", config={"runtime": {"command": "python main.py"}})
    patched = client.patch("/api/v1/agents/nul", json={"config": {"runtime": runtime}})
    assert patched.status_code == 400
    assert issue(patched)["field"] == field
    stored = client.get("/api/v1/agents/nul").json()["agent"]["config"]
    assert stored == {"runtime": {"command": "python main.py"}}
