"""Expected files: list, copy from output, upload, download, rename, delete (contract A4, A5)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from ..helpers import TestClient, create_agent, issue

FIXED = {"runtime": {"builtin": "fixed", "output": {"ok": True}, "files": {"out/report.txt": "R"}}}


@pytest.fixture
def execution_id(client: TestClient) -> str:
    create_agent(client, "fx", config=FIXED)
    response = client.post("/api/v1/agents/fx/run", params={"wait_for_completion": 30}, json={})
    assert response.json()["status"] == "completed", response.text
    return str(response.json()["executionId"])


def url(execution_id: str, name: str = "") -> str:
    base = f"/api/v1/agents/executions/{execution_id}/expected"
    return f"{base}/{quote(name, safe='')}" if name else base


def test_copy_output_to_expected(client: TestClient, execution_id: str) -> None:
    response = client.post(url(execution_id), json={"outputFileName": "out/report.txt"})
    assert response.status_code == 201
    assert response.json() == {"name": "out/report.txt"}
    renamed = client.post(
        url(execution_id), json={"outputFileName": "out/report.txt", "expectedName": "r.txt"}
    )
    assert renamed.json() == {"name": "r.txt"}
    listing = client.get(url(execution_id)).json()
    assert listing == {"expected": None, "files": [{"name": "out/report.txt"}, {"name": "r.txt"}]}
    download = client.get(url(execution_id, "out/report.txt"))
    assert download.content == b"R"
    assert download.headers["content-type"] == "application/octet-stream"


def test_copy_of_a_missing_output_is_404(client: TestClient, execution_id: str) -> None:
    response = client.post(url(execution_id), json={"outputFileName": "nope.txt"})
    assert response.status_code == 404


def test_upload_with_and_without_a_name(client: TestClient, execution_id: str) -> None:
    plain = client.post(url(execution_id), files={"file": ("/tmp/x/data.csv", b"a,b\n")})
    assert plain.status_code == 201
    assert plain.json() == {"name": "data.csv"}
    named = client.post(
        url(execution_id), files={"file": ("ignored.bin", b"\x00\x01")}, data={"name": "deep/n.bin"}
    )
    assert named.json() == {"name": "deep/n.bin"}
    assert client.get(url(execution_id, "deep/n.bin")).content == b"\x00\x01"


def test_rename_and_delete(client: TestClient, execution_id: str) -> None:
    client.post(url(execution_id), files={"file": ("a.txt", b"A")})
    client.post(url(execution_id), files={"file": ("b.txt", b"B")})
    response = client.patch(url(execution_id, "a.txt"), json={"name": "c.txt"})
    assert response.status_code == 200
    assert response.json() == {"name": "c.txt"}
    clash = client.patch(url(execution_id, "c.txt"), json={"name": "b.txt"})
    assert clash.status_code == 400
    assert issue(clash)["field"] == "body.name"
    assert client.patch(url(execution_id, "zz.txt"), json={"name": "y"}).status_code == 404
    deleted = client.delete(url(execution_id, "c.txt"))
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert client.delete(url(execution_id, "c.txt")).status_code == 404
    assert client.get(url(execution_id)).json()["files"] == [{"name": "b.txt"}]


@pytest.mark.parametrize("name", ["../x", "/abs", "a//b", "back\\slash"])
def test_unsafe_expected_names(client: TestClient, execution_id: str, name: str) -> None:
    upload = client.post(url(execution_id), files={"file": ("a", b"A")}, data={"name": name})
    assert upload.status_code == 400
    assert issue(upload)["field"] == "body.name"
    client.post(url(execution_id), files={"file": ("ok.txt", b"A")})
    rename = client.patch(url(execution_id, "ok.txt"), json={"name": name})
    assert rename.status_code == 400


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"json": {}}, "body.outputFileName"),
        ({"content": b""}, "body"),
        ({"files": {"other": ("a", b"A")}}, "body.other"),
        ({"data": {"name": "x"}, "files": {"file2": ("a", b"A")}}, "body.file2"),
    ],
)
def test_bad_expected_bodies(
    client: TestClient, execution_id: str, kwargs: dict[str, object], field: str
) -> None:
    response = client.post(url(execution_id), **kwargs)
    assert response.status_code == 400
    assert issue(response)["field"] == field


def test_expected_shows_on_the_execution_with_include(
    client: TestClient, execution_id: str
) -> None:
    client.post(url(execution_id), files={"file": ("e.json", b"{}")})
    execution = client.get(
        f"/api/v1/agents/executions/{execution_id}", params={"include": "expected"}
    ).json()["execution"]
    assert execution["expectedFiles"] == [{"name": "e.json"}]
    assert execution["expected"] is None


@pytest.mark.parametrize("name", ["..%2F..%2Fx", "a%2F..%2Fb", "%2e%2e"])
def test_an_expected_name_that_escapes_is_400_naming_it(
    client: TestClient, execution_id: str, name: str
) -> None:
    target = f"{url(execution_id)}/{name}"
    for response in (
        client.get(target),
        client.patch(target, json={"name": "b.txt"}),
        client.delete(target),
    ):
        assert response.status_code == 400, response.request.method
        assert issue(response)["field"] == "path.filename"
