"""Multipart bodies (agent runs, expected uploads): every uploaded temp file is closed,
whether the request is accepted or refused."""

from __future__ import annotations

import json

import pytest

from ..helpers import SPOOLED_TO_DISK, TestClient, create_agent, issue, no_unclosed_files

FIXED = {"runtime": {"builtin": "fixed", "output": {"ok": True}}}


def test_a_multipart_run_closes_its_uploads(client: TestClient) -> None:
    create_agent(client, "e")
    with no_unclosed_files():
        response = client.post(
            "/api/v1/agents/e/run",
            params={"wait_for_completion": 30},
            files={"doc": ("big.bin", SPOOLED_TO_DISK), "other": ("b.bin", SPOOLED_TO_DISK)},
            data={"_json": json.dumps({"lang": "en"})},
        )
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "completed"
    execution_id = response.json()["executionId"]
    execution = client.get(
        f"/api/v1/agents/executions/{execution_id}", params={"include": "files"}
    ).json()["execution"]
    sizes = {item["name"]: item["size"] for item in execution["inputFiles"]}
    assert sizes == {"big.bin": len(SPOOLED_TO_DISK), "b.bin": len(SPOOLED_TO_DISK)}


def test_a_refused_multipart_run_closes_its_uploads(client: TestClient) -> None:
    create_agent(client, "e")
    with no_unclosed_files():
        response = client.post(
            "/api/v1/agents/e/run",
            files={"doc": ("big.bin", SPOOLED_TO_DISK)},
            data={"stray": "x"},
        )
    assert response.status_code == 400
    assert response.json()["issues"][0]["field"] == "body.stray"


def test_a_malformed_multipart_run_closes_its_uploads(client: TestClient) -> None:
    create_agent(client, "e")
    boundary = "b0undary"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="doc"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    # The second part has no name: the parser gives up after spooling the first to disk.
    nameless = "Content-Disposition: form-data\r\n\r\nx\r\n--b0undary--\r\n"
    with no_unclosed_files():
        response = client.post(
            "/api/v1/agents/e/run",
            content=head + SPOOLED_TO_DISK + f"\r\n--{boundary}\r\n{nameless}".encode(),
            headers={"content-type": f"multipart/form-data; boundary={boundary}"},
        )
    assert response.status_code == 400
    assert "multipart" in response.json()["issues"][0]["message"]


def test_expected_uploads_close_their_files(client: TestClient) -> None:
    create_agent(client, "fx", config=FIXED)
    run = client.post("/api/v1/agents/fx/run", params={"wait_for_completion": 30}, json={})
    url = f"/api/v1/agents/executions/{run.json()['executionId']}/expected"
    with no_unclosed_files():
        stored = client.post(url, files={"file": ("big.bin", SPOOLED_TO_DISK)})
        refused = client.post(url, files={"file": ("a.bin", SPOOLED_TO_DISK), "more": ("b", b"")})
    assert stored.status_code == 201
    assert client.get(f"{url}/big.bin").content == SPOOLED_TO_DISK
    assert refused.status_code == 400
    assert refused.json()["issues"][0]["field"] == "body.more"


CUT_OFF = (
    b"--xx\r\n"
    b'Content-Disposition: form-data; name="_json"\r\n\r\n{"lang": "en"}\r\n'
    b"--xx\r\n"
    b'Content-Disposition: form-data; name="doc"; filename="a.txt"\r\n'
    b"Content-Type: text/plain\r\n\r\nfile body cut off here"
)


@pytest.mark.parametrize(
    "body", [CUT_OFF, b"--xx\r\ngarbage", b"", b"no boundary at all"], ids=repr
)
def test_a_cut_off_or_malformed_multipart_run_is_400_and_creates_nothing(
    client: TestClient, body: bytes
) -> None:
    # The parser took these without a word and left the cut-off part out: the run started
    # without its file.
    create_agent(client, "e")
    response = client.post(
        "/api/v1/agents/e/run",
        content=body,
        headers={"content-type": "multipart/form-data; boundary=xx"},
    )
    assert response.status_code == 400
    first = issue(response)
    assert first["field"] == "body"
    assert first["message"].startswith("malformed multipart body:")
    assert client.get("/api/v1/agents/e/executions").json()["total"] == 0


def test_a_whole_multipart_body_with_an_epilogue_still_runs(client: TestClient) -> None:
    create_agent(client, "e")
    body = CUT_OFF + b"\r\n--xx--\r\nafter the end\r\n"
    response = client.post(
        "/api/v1/agents/e/run",
        params={"wait_for_completion": 30},
        content=body,
        headers={"content-type": "multipart/form-data; boundary=xx"},
    )
    assert response.status_code == 202, response.text
    assert response.json()["output"] == {"lang": "en"}


@pytest.mark.parametrize("field", ["../main", "a/b", "..", ".", "%2e%2e"])
def test_a_bad_file_field_name_is_400_naming_it_and_creates_nothing(
    client: TestClient, field: str
) -> None:
    # Accepted, the run was created and then failed laying out ``input/<field>``.
    create_agent(client, "e")
    response = client.post("/api/v1/agents/e/run", files={field: ("a.txt", b"x")})
    assert response.status_code == 400
    first = issue(response)
    assert first["field"] == f"body.{field}"
    assert repr(field) in first["message"]
    assert client.get("/api/v1/agents/e/executions").json()["total"] == 0
