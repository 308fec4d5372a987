"""Each fault kind as a client sees it: 5xx, 429, latency, dropped connections, failed runs."""

from __future__ import annotations

import logging
import socket

import httpx
import pytest

from evalkit.emulator.faults import FaultConfig
from evalkit.emulator.server import RunningPlatform

from .conftest import ClientFactory
from .helpers import create_agent, issue, run_and_wait


def test_injected_errors_are_enveloped_5xx_on_matching_paths(make_client: ClientFactory) -> None:
    client = make_client(faults=FaultConfig(error_rate=1.0, path_pattern=r"/run$", seed=3))
    create_agent(client, "e")  # not matched: goes through
    statuses = set()
    for _ in range(12):
        response = client.post("/api/v1/agents/e/run", json={})
        statuses.add(response.status_code)
        assert issue(response)["code"] == "internal"
    assert statuses <= {500, 502, 503}
    assert len(statuses) > 1
    assert client.get("/api/v1/agents/e/executions").json()["total"] == 0  # nothing ran


def test_rate_limit_answers_429_with_retry_after(make_client: ClientFactory) -> None:
    client = make_client(faults=FaultConfig(rate_limit_per_second=0.5, rate_limit_burst=2))
    assert client.get("/api/v1/agents").status_code == 200
    assert client.get("/api/v1/agents").status_code == 200
    limited = client.get("/api/v1/agents")
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "2"
    assert issue(limited)["code"] == "rate_limited"


def test_latency_still_answers(make_client: ClientFactory) -> None:
    client = make_client(faults=FaultConfig(latency_ms=20))
    assert client.get("/api/v1/agents").status_code == 200


def test_injected_execution_failures(make_client: ClientFactory) -> None:
    client = make_client(faults=FaultConfig(execution_failure_rate=1.0))
    create_agent(client, "e")
    result = run_and_wait(client, "e")
    assert result["status"] == "failed"
    assert "fault injection" in result["error"]


def test_a_dropped_connection_is_seen_as_such(
    live: RunningPlatform, live_client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    live.platform.faults.reconfigure(FaultConfig(drop_rate=1.0, path_pattern=r"/agents$"))
    with pytest.raises(httpx.RemoteProtocolError):
        live_client.post("/api/v1/agents", json={"name": "n", "slug": "lost"})
    assert live_client.get("/api/v1/agents/lost").status_code == 404  # dropped before acting
    # The server takes the drop quietly: no 500 of its own, nothing logged as a problem.
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("after_processing", [False, True])
def test_a_drop_ends_the_stream_and_never_resets_it(
    live: RunningPlatform, after_processing: bool
) -> None:
    """A connection closed with part of its request unread is reset by the kernel, so the client
    saw a reset (httpx: ReadError) or an end of stream (RemoteProtocolError) depending on how
    much of the request the server had read, which depends on the load. A body larger than what
    uvicorn reads before the app asks for it makes the unread part certain. Unauthenticated, the
    app answers (a lost 401) without reading the body itself."""
    live.platform.faults.reconfigure(
        FaultConfig(drop_rate=1.0, drop_after_processing=after_processing, path_pattern="/agents$")
    )
    body = b"x" * 1_000_000
    head = f"POST /api/v1/agents HTTP/1.1\r\nHost: platform\r\nContent-Length: {len(body)}\r\n\r\n"
    host, port = live.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head.encode() + body)  # a reset would raise here or on the next line
        assert sock.recv(1024) == b""  # the end of the stream, without an answer


def test_a_dropped_answer_then_an_idempotent_retry(
    live: RunningPlatform, live_client: httpx.Client
) -> None:
    """The platform acted but the answer was lost; the retry with the same key replays it."""
    live.platform.faults.reconfigure(
        FaultConfig(drop_rate=1.0, drop_after_processing=True, path_pattern=r"/agents$")
    )
    headers = {"Idempotency-Key": "retry-me"}
    body = {"name": "n", "slug": "kept"}
    with pytest.raises(httpx.RemoteProtocolError):
        live_client.post("/api/v1/agents", json=body, headers=headers)
    created = live_client.get("/api/v1/agents/kept")
    assert created.status_code == 200
    live.platform.faults.reconfigure(FaultConfig())
    retry = live_client.post("/api/v1/agents", json=body, headers=headers)
    assert retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json()["agent"]["id"] == created.json()["agent"]["id"]


def test_the_server_stays_healthy_after_drops(
    live: RunningPlatform, live_client: httpx.Client
) -> None:
    live.platform.faults.reconfigure(FaultConfig(drop_rate=0.5, seed=11))
    outcomes = []
    for _ in range(20):
        try:
            outcomes.append(live_client.get("/api/v1/agents").status_code)
        except httpx.RemoteProtocolError:
            outcomes.append(-1)
    assert -1 in outcomes
    assert 200 in outcomes
    live.platform.faults.reconfigure(FaultConfig())
    assert live_client.get("/_emulator/health").json() == {"ok": True}
