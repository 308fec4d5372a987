"""The tracked protocols: httptools's (what the platform is served with) and h11's (when
httptools cannot be imported) register each connection for drop faults and answer alike."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import evalkit.emulator.server
from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.connections import (
    MAX_INCOMPLETE_HEAD_BYTES,
    TrackedH11Protocol,
    TrackedHttpToolsProtocol,
    serving_protocol,
    transport_for,
)
from evalkit.emulator.faults import FaultConfig
from evalkit.emulator.server import RunningPlatform, start_platform

from .helpers import API_KEY, AUTH

PROTOCOLS = [TrackedHttpToolsProtocol, TrackedH11Protocol]
HEALTH = b"GET /_emulator/health HTTP/1.1\r\nHost: platform\r\n"
HEALTHY = b'{"ok":true}'


@pytest.fixture(params=PROTOCOLS, ids=lambda protocol: protocol.__name__)
def served(
    request: pytest.FixtureRequest, config: PlatformConfig, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RunningPlatform]:
    protocol: type[asyncio.Protocol] = request.param
    monkeypatch.setattr(evalkit.emulator.server, "serving_protocol", lambda: protocol)
    with start_platform(config) as running:
        yield running


def _connect(running: RunningPlatform) -> socket.socket:
    host, port = running.base_url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=30)


def _read_until(sock: socket.socket, end: bytes, times: int = 1) -> bytes:
    got = b""
    while got.count(end) < times:
        chunk = sock.recv(65536)
        assert chunk, f"the stream ended after {got!r}"
        got += chunk
    return got


def _read_to_end(sock: socket.socket) -> bytes:
    got = b""
    while chunk := sock.recv(65536):
        got += chunk
    return got


def test_the_platform_is_served_with_httptools() -> None:
    assert serving_protocol() is TrackedHttpToolsProtocol


def test_a_connection_is_registered_while_it_is_open(served: RunningPlatform) -> None:
    """Under the addresses uvicorn puts in the scope, which the drop fault looks up."""
    with _connect(served) as sock:
        sock.sendall(HEALTH + b"\r\n")
        assert HEALTHY in _read_until(sock, HEALTHY)
        scope = {"server": sock.getpeername(), "client": sock.getsockname()}
        transport = transport_for(scope)
        assert transport is not None
        assert transport.get_extra_info("peername") == sock.getsockname()
    while transport_for(scope) is not None:  # until the server has seen the close
        threading.Event().wait(0.01)


def test_keep_alive_and_pipelined_requests_are_answered_in_turn(served: RunningPlatform) -> None:
    with _connect(served) as sock:
        sock.sendall(HEALTH + b"\r\n")
        assert _read_until(sock, HEALTHY).startswith(b"HTTP/1.1 200 ")
        sock.sendall(HEALTH + b"\r\n" + HEALTH + b"Connection: close\r\n\r\n")
        answers = _read_to_end(sock)
    assert answers.count(b"HTTP/1.1 200 ") == 2
    assert answers.count(HEALTHY) == 2


def test_a_chunked_body_is_read_whole(served: RunningPlatform) -> None:
    body = [b'{"name": "Chunked", ', b'"slug": "chunked"}']
    with httpx.Client(base_url=served.base_url, headers=AUTH, timeout=30) as http:
        created = http.post(
            "/api/v1/agents", content=iter(body), headers={"content-type": "application/json"}
        )
        assert created.request.headers["transfer-encoding"] == "chunked"
        assert created.status_code == 201, created.text
        assert http.get("/api/v1/agents/chunked").json()["agent"]["name"] == "Chunked"


def test_a_drop_fault_ends_the_stream_without_an_answer(served: RunningPlatform) -> None:
    served.platform.faults.reconfigure(FaultConfig(drop_rate=1.0, path_pattern="/agents$"))
    body = b"x" * 1_000_000  # more than the server reads before the app asks
    head = f"POST /api/v1/agents HTTP/1.1\r\nHost: p\r\nContent-Length: {len(body)}\r\n\r\n"
    with _connect(served) as sock:
        sock.sendall(head.encode() + body)
        assert sock.recv(1024) == b""


def test_a_head_within_the_bound_is_served(served: RunningPlatform) -> None:
    header = b"X-Large: " + b"a" * (MAX_INCOMPLETE_HEAD_BYTES // 2) + b"\r\n"
    with _connect(served) as sock:
        sock.sendall(HEALTH + header + b"Connection: close\r\n\r\n")
        answer = _read_to_end(sock)
    assert answer.startswith(b"HTTP/1.1 200 ")


def test_a_head_past_the_bound_is_a_400_before_it_ends(served: RunningPlatform) -> None:
    """httptools alone would buffer a header line of any length."""
    header = b"X-Endless: " + b"a" * (MAX_INCOMPLETE_HEAD_BYTES * 4)
    with _connect(served) as sock:
        sock.sendall(HEALTH + header)  # and never the end of the line
        answer = _read_to_end(sock)
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert answer.endswith(b"\r\n\r\nInvalid HTTP request received.")


def test_a_malformed_request_is_a_400_from_the_server(served: RunningPlatform) -> None:
    with _connect(served) as sock:
        sock.sendall(b"GET /a path with spaces HTTP/1.1\r\nHost: p\r\n\r\n")
        answer = _read_to_end(sock)
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"content-type: text/plain; charset=utf-8\r\n" in answer
    assert answer.endswith(b"\r\n\r\nInvalid HTTP request received.")


_WITHOUT_HTTPTOOLS = f"""
import sys
sys.modules["httptools"] = None  # as if it were not installed
import httpx
from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.server import start_platform
with start_platform(PlatformConfig(api_keys=({API_KEY!r},))) as running:
    with httpx.Client(base_url=running.base_url) as http:
        assert http.get("/_emulator/health").json() == {{"ok": True}}
        print(*{{type(c).__name__ for c in running.server.server_state.connections}})
"""


def test_without_httptools_the_platform_is_served_with_h11(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_HTTPTOOLS],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["TrackedH11Protocol"]


_H11_UNUSED = f"""
import sys, urllib.request
from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.server import start_platform
with start_platform(PlatformConfig(api_keys=({API_KEY!r},))) as running:
    with urllib.request.urlopen(running.base_url + "/_emulator/health") as answer:
        assert answer.read() == {HEALTHY!r}
print(sorted(name for name in sys.modules if name.split(".")[0] == "h11" or "h11" in name))
"""


def test_h11_is_not_imported_when_httptools_serves(tmp_path: Path) -> None:
    """Its import cost every start of the platform ~6 ms (urllib asks: httpx would load h11)."""
    done = subprocess.run(
        [sys.executable, "-c", _H11_UNUSED],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]"]


def test_the_h11_protocol_is_made_once_under_its_own_name() -> None:
    import evalkit.emulator.connections as connections

    assert connections.TrackedH11Protocol is TrackedH11Protocol
    assert TrackedH11Protocol.__qualname__ == "TrackedH11Protocol"
    with pytest.raises(AttributeError, match="no attribute 'TrackedH2Protocol'"):
        connections.TrackedH2Protocol  # noqa: B018
