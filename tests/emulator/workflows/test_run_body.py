"""Multipart workflow runs: every uploaded temp file is closed, accepted or refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..helpers import SPOOLED_TO_DISK, no_unclosed_files
from .conftest import PlatformFactory, write

API = "/api/v1/workflows"
PASS_ON = """
steps:
  - id: extract
    agent: echo
    input:
      invoice: "${input.invoice}"
"""


def test_a_multipart_workflow_run_closes_its_uploads(
    platform: PlatformFactory, definitions: Path
) -> None:
    write(definitions, "pass-on.yaml", PASS_ON)
    p = platform()
    with no_unclosed_files():
        response = p.client.post(
            f"{API}/pass-on/run",
            params={"wait_for_completion": 30},
            data={"_json": json.dumps({"trigger": "cli"})},
            files={"invoice": ("big.bin", SPOOLED_TO_DISK)},
        )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "completed"
    (call,) = p.invoker.calls
    assert [(f.filename, len(f.content)) for f in call.files] == [("big.bin", len(SPOOLED_TO_DISK))]


def test_a_refused_multipart_workflow_run_closes_its_uploads(
    platform: PlatformFactory, definitions: Path
) -> None:
    write(definitions, "pass-on.yaml", PASS_ON)
    p = platform()
    with no_unclosed_files():
        twice = p.client.post(
            f"{API}/pass-on/run",
            files=[("invoice", ("a.bin", SPOOLED_TO_DISK)), ("invoice", ("b.bin", b"B"))],
        )
        stray = p.client.post(
            f"{API}/pass-on/run",
            data={"stray": "x"},
            files={"invoice": ("a.bin", SPOOLED_TO_DISK)},
        )
    assert twice.status_code == 400
    assert "sent twice" in twice.json()["issues"][0]["message"]
    assert stray.status_code == 400
    assert stray.json()["issues"][0]["field"] == "stray"
    assert p.invoker.calls == []


def test_a_malformed_multipart_workflow_run_is_400(
    platform: PlatformFactory, definitions: Path
) -> None:
    write(definitions, "pass-on.yaml", PASS_ON)
    p = platform()
    nameless = b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n"
    response = p.client.post(
        f"{API}/pass-on/run",
        content=nameless,
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 400
    issue = response.json()["issues"][0]
    assert issue["field"] == "body"
    assert issue["message"].startswith("malformed multipart body:")
    assert p.invoker.calls == []


def test_a_text_part_over_the_limit_is_refused(
    platform: PlatformFactory, definitions: Path
) -> None:
    write(definitions, "pass-on.yaml", PASS_ON)
    p = platform(max_part_bytes=10)
    response = p.client.post(
        f"{API}/pass-on/run", files={"_json": (None, '{"input": {"n": 12345}}')}
    )
    assert response.status_code == 400
    assert "malformed multipart body" in response.json()["issues"][0]["message"]


def test_a_workflow_run_body_nested_too_deep_is_400_not_500(
    platform: PlatformFactory, definitions: Path
) -> None:
    write(definitions, "pass-on.yaml", PASS_ON)
    p = platform()
    deep = b'{"input": {"invoice": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
    response = p.client.post(
        f"{API}/pass-on/run", content=deep, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    issue = response.json()["issues"][0]
    assert issue["message"] == (
        "<body> is nested deeper than 64 levels of lists and objects; flatten it"
    )
    assert p.invoker.calls == []


CUT_OFF = (
    b"--xx\r\n"
    b'Content-Disposition: form-data; name="invoice"; filename="a.txt"\r\n'
    b"Content-Type: text/plain\r\n\r\nfile body cut off here"
)


@pytest.mark.parametrize("body", [CUT_OFF, b"--xx\r\ngarbage"], ids=repr)
def test_a_cut_off_multipart_workflow_run_is_400_and_creates_nothing(
    platform: PlatformFactory, definitions: Path, body: bytes
) -> None:
    write(definitions, "pass-on.yaml", PASS_ON)
    p = platform()
    response = p.client.post(
        f"{API}/pass-on/run",
        content=body,
        headers={"content-type": "multipart/form-data; boundary=xx"},
    )
    assert response.status_code == 400
    issue = response.json()["issues"][0]
    assert issue["field"] == "body"
    assert issue["message"].startswith("malformed multipart body:")
    assert p.invoker.calls == []
    assert p.client.get(f"{API}/pass-on/executions").json()["total"] == 0


@pytest.mark.parametrize("field", ["../main", "a/b"])
def test_a_bad_file_field_name_in_a_workflow_run_is_400_naming_it(
    platform: PlatformFactory, definitions: Path, field: str
) -> None:
    write(definitions, "pass-on.yaml", PASS_ON)
    p = platform()
    response = p.client.post(f"{API}/pass-on/run", files={field: ("a.txt", b"x")})
    assert response.status_code == 400
    issue = response.json()["issues"][0]
    assert issue["field"] == field
    assert repr(field) in issue["message"]
    assert p.invoker.calls == []
    assert p.client.get(f"{API}/pass-on/executions").json()["total"] == 0
