"""The hot routes: the gate answers a run, its execution and its feedback exactly as FastAPI's
router would (the same answers, errors and precedence), and leaves every other path to it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from evalkit.emulator.app import HOT_ENDPOINTS
from evalkit.emulator.hot_routes import HotRoutes, may_overlap
from evalkit.emulator.routes import agents, emulator, executions, expected, feedback, files

from .helpers import API_KEY, TestClient, create_agent

API = "/api/v1"
ROUTES = [
    route
    for module in (agents, files, executions, feedback, expected, emulator)
    for route in module.router.routes
]
#: values that differ from one request to the next, masked before comparing answers
VOLATILE = re.compile(
    r"(exec|awf)_[0-9a-f]{24}|req_[0-9a-f]{16}|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z|"
    r'"durationMs":\d+|"avgDurationMs":[\d.]+'
)


def scope(method: str, path: str, **extra: Any) -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "root_path": "", **extra}


def endpoint_of(method: str, path: str) -> Callable[..., Any] | None:
    found = HotRoutes(ROUTES, HOT_ENDPOINTS).find(scope(method, path))
    return None if found is None else found[0].endpoint


def test_the_run_requests_are_hot() -> None:
    assert endpoint_of("POST", f"{API}/agents/awf_1/run") is executions.run_agent
    assert endpoint_of("GET", f"{API}/agents/executions/exec_1") is executions.get_execution
    patch = endpoint_of("PATCH", f"{API}/agents/executions/exec_1/feedback")
    assert patch is feedback.update_feedback


def test_path_parameters_are_read_as_the_router_reads_them() -> None:
    found = HotRoutes(ROUTES, HOT_ENDPOINTS).find(scope("POST", f"{API}/agents/my agent/run"))
    assert found is not None
    assert found[1] == {"agent_ref": "my agent"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"{API}/agents/executions/executions"),  # an agent called "executions"
        ("PUT", f"{API}/agents/executions/exec_1"),  # another method: FastAPI's 405
        ("HEAD", f"{API}/agents/executions/exec_1"),
        ("GET", f"{API}/agents/executions/exec_1/"),  # FastAPI's redirect
        ("POST", f"{API}/agents/a/b/run"),
        ("GET", f"{API}/agents/executions/exec_1/feedback"),
        ("POST", "/_emulator/reset"),
    ],
)
def test_other_requests_go_to_fastapi(method: str, path: str) -> None:
    assert endpoint_of(method, path) is None


def test_a_root_path_leaves_matching_to_fastapi() -> None:
    hot = HotRoutes(ROUTES, HOT_ENDPOINTS)
    request = scope("GET", f"/x{API}/agents/executions/exec_1", root_path="/x")
    assert hot.find(request) is None


def test_a_route_declared_first_wins_as_in_fastapi() -> None:
    first = APIRouter()

    @first.get(f"{API}/agents/executions/{{anything}}")
    async def shadow(request: Request) -> JSONResponse:
        return JSONResponse({})

    routes = [*first.routes, *ROUTES]
    assert HotRoutes(routes, HOT_ENDPOINTS).find(scope("GET", f"{API}/agents/executions/e")) is None


def test_an_endpoint_fastapi_must_solve_cannot_be_hot() -> None:
    router = APIRouter()

    @router.get("/things/{thing}")
    async def with_parameter(thing: str) -> JSONResponse:
        return JSONResponse({})

    with pytest.raises(TypeError, match="with_parameter cannot be hot"):
        HotRoutes(router.routes, [with_parameter])


def test_paths_that_may_overlap() -> None:
    assert may_overlap("/a/{x}/c", "/a/b/{y}")
    assert may_overlap("/a/{x}", "/a/{y}")
    assert not may_overlap("/a/{x}/c", "/a/b/d")
    assert not may_overlap("/a/{x}", "/a/{x}/c")
    assert may_overlap("/f/{name:path}", "/f/a/b/c")


# The same requests, answered by the gate and by FastAPI's router (hot routes turned off):
# every answer alike but for ids and times.


def exchange(client: TestClient) -> list[tuple[int, dict[str, str], str]]:
    create_agent(client, "echo")
    create_agent(client, "executions")
    answers: list[httpx.Response] = []
    run = f"{API}/agents/echo/run"
    answers.append(client.post(run, json={"input": {"a": 1}, "_metadata": {"k": "v"}}))
    held = client.post(run, params={"wait_for_completion": 30}, json={"input": {"a": 2}})
    answers.append(held)
    for wait in ("abc", "601", "-1", ""):
        answers.append(client.post(run, params={"wait_for_completion": wait}, json={}))
    answers.append(client.post(f"{API}/agents/nobody/run", json={}))
    answers.append(client.post(run, content=b"{not json", headers={"content-type": "x"}))
    answers.append(client.post(run, json=[1, 2]))
    answers.append(client.post(run, json={"input": "text"}))
    answers.append(client.post(run, files={"doc": ("a.txt", b"hi")}, data={"_json": "{}"}))
    answers.append(client.post(run, files={"doc": ("a.txt", b"hi")}, data={"other": "x"}))
    keyed = {"Idempotency-Key": "same-key"}
    answers.append(client.post(run, json={}, headers=keyed))
    answers.append(client.post(run, json={}, headers=keyed))
    answers.append(client.post(f"{API}/agents/nobody/run", json={}, headers=keyed))
    answers.append(client.post(f"{API}/agents/nobody/run", json={}, headers=keyed))
    execution = f"{API}/agents/executions/{held.json()['executionId']}"
    for include in (None, "files", "feedback,expected", "bogus", ""):
        answers.append(
            client.get(execution, params={} if include is None else {"include": include})
        )
    answers.append(client.get(f"{API}/agents/executions/exec_000000000000000000000000"))
    answers.append(client.get(f"{API}/agents/executions/executions"))
    answers.append(client.put(execution))
    answers.append(client.get(execution + "/", follow_redirects=False))
    for body in (
        {"feedbackRating": "pass", "feedbackStatus": "resolved", "feedback": "ok"},
        {"rating": "fail", "feedbackRating": "pass"},
        {"rating": "great"},
        {"expected": {"a": 2}, "promotedExampleName": 3},
    ):
        answers.append(client.patch(execution + "/feedback", json=body))
    answers.append(client.patch(execution + "/feedback", content=b"[1"))
    answers.append(client.patch(f"{API}/agents/executions/exec_000000000000000000000000/feedback"))
    answers.append(client.get(execution, params={"include": "feedback,expected"}))
    answers.append(client.get(execution, headers={"Authorization": "Bearer wrong"}))
    answers.append(client.post(run, json={}, headers={"Authorization": f"Basic {API_KEY}"}))
    return [normalised(answer) for answer in answers]


def normalised(answer: httpx.Response) -> tuple[int, dict[str, str], str]:
    request_id = answer.headers["x-request-id"]
    assert request_id.startswith("req_")
    if answer.headers.get("content-type") == "application/json":
        body = answer.json()
        if isinstance(body, dict) and "requestId" in body:
            assert body["requestId"] == request_id
    headers = {
        name: VOLATILE.sub("*", value)
        for name, value in answer.headers.items()
        if name not in ("x-request-id", "content-length", "date")
    }
    return answer.status_code, headers, VOLATILE.sub("*", answer.text)


def test_the_gate_answers_as_fastapi_would(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    hot = exchange(client)
    assert client.post("/_emulator/reset").status_code == 200
    monkeypatch.setattr(HotRoutes, "find", lambda self, scope: None)
    routed = exchange(client)
    assert len(hot) == len(routed)
    for index, (ours, theirs) in enumerate(zip(hot, routed, strict=True)):
        assert ours == theirs, f"answer {index}"


def test_an_unexpected_exception_in_a_hot_route_is_a_logged_500_envelope(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    platform = client.app.state.platform  # type: ignore[attr-defined]

    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(platform.executions, "get", explode)
    response = client.get(f"{API}/agents/executions/exec_1")
    assert response.status_code == 500
    body = response.json()
    assert body["requestId"] == response.headers["x-request-id"]
    assert body["issues"][0]["code"] == "internal"
    assert "kaboom" not in response.text  # internals stay in the log
    assert any("kaboom" in (r.exc_text or "") for r in caplog.records)


def test_the_hot_routes_do_not_go_through_fastapis_router(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_agent(client, "echo")

    async def no_router(self: APIRouter, scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("the router was asked")

    monkeypatch.setattr(APIRouter, "__call__", no_router)
    held = client.post(f"{API}/agents/echo/run", params={"wait_for_completion": 30}, json={})
    assert held.status_code == 202, held.text
    execution = f"{API}/agents/executions/{held.json()['executionId']}"
    assert client.get(execution, params={"include": "files"}).status_code == 200
    assert client.patch(execution + "/feedback", json={"rating": "pass"}).status_code == 200
    assert client.get(f"{API}/agents").status_code == 500  # the rest does
