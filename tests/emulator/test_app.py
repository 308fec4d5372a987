"""App-wide behaviour: the error envelope, request ids, 404/405, malformed bodies, 500s."""

from __future__ import annotations

import pytest

from .conftest import ClientFactory
from .helpers import TestClient, create_agent, issue


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    ok = client.get("/api/v1/agents")
    assert ok.status_code == 200
    assert ok.headers["x-request-id"].startswith("req_")
    assert client.get("/api/v1/agents").headers["x-request-id"] != ok.headers["x-request-id"]


def test_unknown_route_is_a_404_envelope(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    first = issue(response)
    assert first["code"] == "not_found"
    assert "/api/v1/nothing-here" in first["message"]


def test_wrong_method_is_a_405_envelope(client: TestClient) -> None:
    response = client.delete("/api/v1/agents")
    assert response.status_code == 405
    assert issue(response)["code"] == "method_not_allowed"


def test_validation_failures_are_400_with_field_paths(client: TestClient) -> None:
    response = client.post("/api/v1/agents", json={"slug": "x"})
    assert response.status_code == 400
    assert issue(response) == {
        "field": "body.name",
        "message": "Field required",
        "code": "invalid_value",
        "severity": "error",
    }
    response = client.get("/api/v1/agents", params={"limit": "many"})
    assert response.status_code == 400
    assert issue(response)["field"] == "query.limit"


def test_limit_above_the_maximum_is_rejected(client: TestClient) -> None:
    response = client.get("/api/v1/agents", params={"limit": 101})
    assert response.status_code == 400
    assert issue(response)["field"] == "limit"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(b"{bad", "application/json"), (b"[1, 2]", "application/json"), (b"\xff\xfe", None)],
)
def test_malformed_json_bodies_are_400(
    client: TestClient, content: bytes, content_type: str | None
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = client.post("/api/v1/agents", content=content, headers=headers)
    assert response.status_code == 400
    assert issue(response)["field"].startswith("body")


def test_malformed_json_on_a_hand_read_body_says_where(client: TestClient) -> None:
    create_agent(client, "a")
    response = client.post(
        "/api/v1/agents/a/run", content=b'{"input": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    first = issue(response)
    assert first["field"] == "body"
    assert first["message"].startswith("body is not valid JSON: Expecting value at line 1")


def test_a_body_nested_too_deep_is_400_not_500(client: TestClient) -> None:
    create_agent(client, "a")
    deep = b'{"input": {"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
    response = client.post(
        "/api/v1/agents/a/run", content=deep, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    first = issue(response)
    assert first["field"] == "body"
    assert first["message"] == (
        "body is nested deeper than 64 levels of lists and objects; flatten it"
    )


def test_malformed_multipart_is_400_not_500(client: TestClient) -> None:
    create_agent(client, "a")
    response = client.post(
        "/api/v1/agents/a/run",
        content=b"--xyz\r\nContent-Disposition: form-data\r\n\r\nbroken",
        headers={"content-type": "multipart/form-data; boundary=xyz"},
    )
    assert response.status_code == 400
    assert "multipart" in issue(response)["message"]


def test_an_unexpected_exception_is_a_logged_500_envelope(
    make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client()

    def explode() -> None:
        raise RuntimeError("kaboom")

    client.app.add_api_route("/api/v1/explode", explode)  # type: ignore[attr-defined]
    response = client.get("/api/v1/explode")
    assert response.status_code == 500
    first = issue(response)
    assert first["code"] == "internal"
    assert "kaboom" not in response.text  # internals stay in the log
    assert any("kaboom" in (r.exc_text or "") for r in caplog.records)
