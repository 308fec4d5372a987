"""``/agents/{agent}/files``: workspace listing, reads, writes and path safety (A5, A7; B1)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from ..helpers import TestClient, create_agent, issue


def agent_commit(client: TestClient, slug: str) -> tuple[str | None, str]:
    agent = client.get(f"/api/v1/agents/{slug}").json()["agent"]
    return agent["latestCommit"], agent["updatedAt"]


def test_put_then_get_round_trips_bytes(client: TestClient) -> None:
    create_agent(client, "ws")
    raw = bytes(range(256))
    body = {"contentBase64": base64.b64encode(raw).decode(), "contentType": "application/x-bin"}
    response = client.put("/api/v1/agents/ws/files", params={"path": "data/blob.bin"}, json=body)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "path": "data/blob.bin"}
    got = client.get("/api/v1/agents/ws/files", params={"path": "data/blob.bin"}).json()
    assert got["path"] == "data/blob.bin"
    assert base64.b64decode(got["contentBase64"]) == raw
    assert got["contentType"] == "application/x-bin"


def test_text_content_and_guessed_type(client: TestClient) -> None:
    create_agent(client, "ws")
    client.put("/api/v1/agents/ws/files", params={"path": "AGENT.md"}, json={"content": "héllo"})
    got = client.get("/api/v1/agents/ws/files", params={"path": "AGENT.md"}).json()
    assert base64.b64decode(got["contentBase64"]).decode() == "héllo"
    assert got["contentType"] == "text/markdown"


def test_listing_is_sorted_paths_with_prefix(client: TestClient) -> None:
    create_agent(client, "ws")
    paths = ["z.txt", "examples/b/input.json", "a.txt", "examples/a/input.json"]
    files = [{"path": p, "content": p} for p in paths]
    response = client.post("/api/v1/agents/ws/files", json={"files": files})
    assert response.json() == {"ok": True, "files": paths}
    assert client.get("/api/v1/agents/ws/files").json() == {"files": sorted(paths)}
    listed = client.get("/api/v1/agents/ws/files", params={"prefix": "examples/"}).json()
    assert listed == {"files": ["examples/a/input.json", "examples/b/input.json"]}


def test_every_write_gives_a_new_commit(client: TestClient) -> None:
    create_agent(client, "ws")
    first = agent_commit(client, "ws")
    client.put("/api/v1/agents/ws/files", params={"path": "a"}, json={"content": "1"})
    second = agent_commit(client, "ws")
    client.post("/api/v1/agents/ws/files", json={"files": [{"path": "a", "content": "1"}]})
    third = agent_commit(client, "ws")
    commits = [first[0], second[0], third[0]]
    assert commits[0] is None
    assert len(set(commits)) == 3
    assert first[1] <= second[1] <= third[1]
    client.get("/api/v1/agents/ws/files")
    assert agent_commit(client, "ws")[0] == third[0]  # reads change nothing


def test_missing_file_is_404(client: TestClient) -> None:
    create_agent(client, "ws")
    response = client.get("/api/v1/agents/ws/files", params={"path": "nope.txt"})
    assert response.status_code == 404


BAD_PATHS = [
    "../escape.txt",
    "a/../../b",
    "/etc/passwd",
    "C:/windows",
    "a\\b",
    "a//b",
    "trailing/",
    "./a",
    "nul\x00byte",
    "tab\tname",
    "",
    # a name no file system stores: accepted, it would fail every run and could not be deleted
    "x" * 300 + ".md",
    "skills/" + "é" * 128 + "/a.md",
]


@pytest.mark.parametrize("path", BAD_PATHS)
def test_unsafe_paths_are_refused_everywhere(client: TestClient, path: str, tmp_path: Path) -> None:
    create_agent(client, "ws")
    put = client.put("/api/v1/agents/ws/files", params={"path": path}, json={"content": "x"})
    assert put.status_code == 400
    assert issue(put)["field"] == "query.path"
    batch = client.post("/api/v1/agents/ws/files", json={"files": [{"path": path, "content": "x"}]})
    assert batch.status_code == 400
    assert issue(batch)["field"] == "body.files[0].path"
    get = client.get("/api/v1/agents/ws/files", params={"path": path})
    assert get.status_code == 400
    assert client.get("/api/v1/agents/ws/files").json() == {"files": []}
    assert not (tmp_path / "escape.txt").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"content": "a", "contentBase64": "YQ=="}, "body"),
        ({"contentBase64": "not base64!"}, "body.contentBase64"),
    ],
)
def test_bad_file_bodies(client: TestClient, body: dict[str, str], field: str) -> None:
    create_agent(client, "ws")
    response = client.put("/api/v1/agents/ws/files", params={"path": "a"}, json=body)
    assert response.status_code == 400
    assert issue(response)["field"] == field


def test_batch_rejects_duplicates_and_empty(client: TestClient) -> None:
    create_agent(client, "ws")
    twice = [{"path": "a", "content": "1"}, {"path": "a", "content": "2"}]
    response = client.post("/api/v1/agents/ws/files", json={"files": twice})
    assert response.status_code == 400
    assert issue(response)["field"] == "body.files[1].path"
    assert client.post("/api/v1/agents/ws/files", json={"files": []}).status_code == 400


def test_put_without_path_is_400(client: TestClient) -> None:
    create_agent(client, "ws")
    response = client.put("/api/v1/agents/ws/files", json={"content": "x"})
    assert response.status_code == 400
    assert issue(response)["field"] == "query.path"


def stored_state(client: TestClient, slug: str) -> tuple[list[str], str | None]:
    return client.get(f"/api/v1/agents/{slug}/files").json()["files"], agent_commit(client, slug)[0]


@pytest.mark.parametrize(("first", "second"), [("lib", "lib/util.py"), ("lib/util.py", "lib")])
def test_a_file_cannot_be_another_files_folder_across_writes(
    client: TestClient, first: str, second: str
) -> None:
    # Accepted, ``lib`` and ``lib/util.py`` made every run of the agent fail, for good (the API
    # cannot delete a file).
    create_agent(client, "ws")
    client.put("/api/v1/agents/ws/files", params={"path": first}, json={"content": "1"})
    before = stored_state(client, "ws")
    put = client.put("/api/v1/agents/ws/files", params={"path": second}, json={"content": "2"})
    assert put.status_code == 400
    assert issue(put)["field"] == "query.path"
    assert repr(second) in issue(put)["message"]
    assert repr("lib") in issue(put)["message"]
    batch = [{"path": "ok.txt", "content": "x"}, {"path": second, "content": "2"}]
    post = client.post("/api/v1/agents/ws/files", json={"files": batch})
    assert post.status_code == 400
    assert issue(post)["field"] == "body.files[1].path"
    assert stored_state(client, "ws") == before  # nothing stored, no new commit


@pytest.mark.parametrize("paths", [["fd", "fd/g"], ["fd/g", "fd"], ["a/b/c", "x", "a/b"]])
def test_a_file_cannot_be_another_files_folder_in_one_batch(
    client: TestClient, paths: list[str]
) -> None:
    create_agent(client, "ws")
    files = [{"path": path, "content": "x"} for path in paths]
    response = client.post("/api/v1/agents/ws/files", json={"files": files})
    assert response.status_code == 400
    first = issue(response)
    assert first["code"] == "invalid_value"
    assert first["field"].startswith("body.files[")
    assert first["field"].endswith("].path")
    assert "both a file and the folder" in first["message"]
    assert stored_state(client, "ws") == ([], None)


def test_files_sharing_a_folder_or_a_name_prefix_are_fine(client: TestClient) -> None:
    create_agent(client, "ws")
    files = [{"path": p, "content": "x"} for p in ("lib/a.py", "lib/b.py", "lib.py", "lib0/x")]
    assert client.post("/api/v1/agents/ws/files", json={"files": files}).status_code == 200
    put = client.put(
        "/api/v1/agents/ws/files", params={"path": "lib/c/d.py"}, json={"content": "x"}
    )
    assert put.status_code == 200
    again = client.put("/api/v1/agents/ws/files", params={"path": "lib.py"}, json={"content": "y"})
    assert again.status_code == 200  # a file replacing itself
