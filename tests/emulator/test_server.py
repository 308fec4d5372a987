"""The embedded server: loopback, a free port, clean stop, many held runs at once."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from evalkit.emulator.app import create_app
from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.connections import TrackedHttpToolsProtocol
from evalkit.emulator.server import (
    LOOPBACK,
    ListenError,
    PlatformServer,
    ServedPlatform,
    bind_socket,
    build_server,
    port_of,
    serve_foreground,
    start_platform,
)

from .helpers import API_KEY, AUTH, create_agent

#: a bound on waiting for a server, so that one that never stops fails instead of hanging
PATIENCE_SECONDS = 60


def test_start_platform_serves_on_loopback_and_cleans_up() -> None:
    with start_platform() as running:
        assert running.base_url.startswith("http://127.0.0.1:")
        assert running.api_key.startswith("eg_local_")
        assert running.api_key not in repr(running)
        data_dir = running.platform.data_dir
        assert data_dir.exists()
        headers = {"Authorization": f"Bearer {running.api_key}"}
        response = httpx.get(f"{running.base_url}/api/v1/agents", headers=headers)
        assert response.status_code == 200
        workers = running.platform.queue._threads
    assert not data_dir.exists()  # the temporary state folder is removed
    assert not any(worker.is_alive() for worker in workers)
    assert not running.thread.is_alive()


def test_a_given_data_folder_is_kept(tmp_path: Path) -> None:
    config = PlatformConfig(data_dir=tmp_path / "state", api_keys=("eg_k",))
    with start_platform(config) as running:
        assert running.api_key == "eg_k"
        http = httpx.Client(base_url=running.base_url, headers={"Authorization": "Bearer eg_k"})
        create_agent(http, "kept")
        http.close()
    assert (tmp_path / "state" / "platform.sqlite3").exists()
    with start_platform(config) as again:
        response = httpx.get(
            f"{again.base_url}/api/v1/agents/kept", headers={"Authorization": "Bearer eg_k"}
        )
        assert response.status_code == 200


def test_stop_does_not_wait_for_held_runs(tmp_path: Path) -> None:
    """A run held for 10 minutes must not keep the server from stopping."""
    config = PlatformConfig(data_dir=tmp_path, api_keys=("eg_k",))
    running = start_platform(config)
    headers = {"Authorization": "Bearer eg_k"}
    http = httpx.Client(base_url=running.base_url, headers=headers, timeout=60)
    create_agent(http, "slow", config={"runtime": {"builtin": "echo", "delayMs": 600_000}})
    result: dict[str, object] = {}

    async def held() -> None:
        async with httpx.AsyncClient(base_url=running.base_url, headers=headers, timeout=60) as a:
            response = await a.post("/api/v1/agents/slow/run?wait_for_completion=600", json={})
            result.update(response.json())

    thread = threading.Thread(target=asyncio.run, args=(held(),))
    thread.start()
    while not running.platform.holds._futures:
        thread.join(0.01)
    running.stop()
    thread.join(30)
    http.close()
    # Released by the shutdown: its program was stopped, or the hold let go first.
    assert result["status"] in {"timeout", "cancelled"}
    assert not running.thread.is_alive()


@pytest.mark.slow
def test_two_hundred_concurrent_held_runs(tmp_path: Path) -> None:
    config = PlatformConfig(data_dir=tmp_path, api_keys=("eg_k",), workers=4)
    with start_platform(config) as running:
        headers = {"Authorization": "Bearer eg_k"}
        with httpx.Client(base_url=running.base_url, headers=headers) as http:
            create_agent(http, "e", config={"runtime": {"builtin": "echo", "delayMs": 5}})

        async def burst() -> list[dict[str, object]]:
            limits = httpx.Limits(max_connections=250)
            async with httpx.AsyncClient(
                base_url=running.base_url,
                headers={"Authorization": "Bearer eg_k"},
                limits=limits,
                timeout=120,
            ) as client:
                responses = await asyncio.gather(
                    *(
                        client.post(
                            "/api/v1/agents/e/run",
                            params={"wait_for_completion": 120},
                            json={"input": {"n": n}},
                        )
                        for n in range(200)
                    )
                )
            return [r.json() for r in responses]

        results = asyncio.run(burst())
    assert [r["status"] for r in results] == ["completed"] * 200
    assert sorted(r["output"]["n"] for r in results) == list(range(200))  # type: ignore[index]


def test_concurrent_writes_over_http_all_land(tmp_path: Path) -> None:
    config = PlatformConfig(data_dir=tmp_path, api_keys=("eg_k",))
    headers = {"Authorization": "Bearer eg_k"}
    with start_platform(config) as running:
        with httpx.Client(base_url=running.base_url, headers=headers) as http:
            create_agent(http, "busy")
        commits: list[str] = []

        def writer(worker: int) -> None:
            with httpx.Client(base_url=running.base_url, headers=headers) as http:
                for n in range(10):
                    path = f"w{worker}/f{n}.txt"
                    put = http.put(
                        "/api/v1/agents/busy/files", params={"path": path}, json={"content": path}
                    )
                    assert put.status_code == 200
                    agent = http.get("/api/v1/agents/busy").json()["agent"]
                    commits.append(agent["latestCommit"])

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with httpx.Client(base_url=running.base_url, headers=headers) as http:
            files = http.get("/api/v1/agents/busy/files").json()["files"]
            assert len(files) == 80
            one = http.get("/api/v1/agents/busy/files", params={"path": "w3/f7.txt"}).json()
            assert one["contentBase64"] == "dzMvZjcudHh0"  # base64 of "w3/f7.txt"
    assert len(commits) == 80
    assert None not in commits


def _served_connections_have_nodelay(server: PlatformServer, base_url: str) -> list[int]:
    """``TCP_NODELAY`` of each connection the server holds while a keep-alive client is on."""
    headers = {"Authorization": "Bearer eg_k"}
    with httpx.Client(base_url=base_url, headers=headers) as http:
        for _ in range(2):  # the second request reuses the connection
            assert http.get("/api/v1/agents").status_code == 200
        connections = server.server_state.connections
        # served with httptools's protocol (evalkit serve and the run's child: the foreground)
        assert {type(c) for c in connections} == {TrackedHttpToolsProtocol}
        sockets = [c.transport.get_extra_info("socket") for c in connections]
        return [sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for sock in sockets]


def test_the_embedded_server_answers_without_nagle_delay(tmp_path: Path) -> None:
    config = PlatformConfig(data_dir=tmp_path, api_keys=("eg_k",))
    with start_platform(config) as running:
        flags = _served_connections_have_nodelay(running.server, running.base_url)
    assert flags
    assert all(flags), "TCP_NODELAY is off: each answer on a reused connection waits ~40 ms"


def test_the_foreground_server_answers_without_nagle_delay(tmp_path: Path) -> None:
    """``evalkit serve`` bound its own socket with ``proto=0``, so asyncio left Nagle on."""
    config = PlatformConfig(data_dir=tmp_path, api_keys=("eg_k",))
    ready = threading.Event()
    served: list[ServedPlatform] = []

    def on_ready(platform: ServedPlatform) -> None:
        served.append(platform)
        ready.set()

    thread = threading.Thread(
        target=serve_foreground, args=(config, "127.0.0.1", 0, on_ready), daemon=True
    )
    thread.start()
    try:
        assert ready.wait(30), "serve_foreground did not get ready"
        server = served[0].server
        while not server.started:
            assert thread.is_alive(), "the foreground server stopped early"
            thread.join(0.01)
        assert served[0].base_url == f"http://127.0.0.1:{served[0].port}"
        flags = _served_connections_have_nodelay(server, served[0].base_url)
    finally:
        if served:
            served[0].server.should_exit = True
        thread.join(30)
    assert not thread.is_alive()
    assert flags
    assert all(flags), "TCP_NODELAY is off: each answer on a reused connection waits ~40 ms"


def test_a_taken_address_fails_before_the_platform_opens(tmp_path: Path) -> None:
    config = PlatformConfig(data_dir=tmp_path / "state", api_keys=("eg_k",))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ListenError, match=f"cannot listen on 127.0.0.1:{port}: "):
            serve_foreground(config, "127.0.0.1", port, lambda served: None)
    assert not (tmp_path / "state").exists()


class _StoppedClockLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock never moves: no timer on it ever fires (``asyncio.sleep``,
    a timeout), while callbacks, sockets and wake-ups from other threads work as usual."""

    def time(self) -> float:
        return 0.0


def test_a_server_asked_to_stop_stops_without_waiting_for_a_timer(tmp_path: Path) -> None:
    """uvicorn looks whether to exit every 0.1 s and, stopping, sleeps 0.1 s before it looks
    at its connections: with its clock stopped, such a server never stops. This one is woken
    when ``should_exit`` is set, and its shutdown waits only for work still in progress: it
    stops, its platform closed (its folder free for another)."""
    config = PlatformConfig(data_dir=tmp_path, api_keys=(API_KEY,))
    app = create_app(config)
    sock = bind_socket(LOOPBACK, 0)
    server = build_server(app, LOOPBACK, port_of(sock))
    loop = _StoppedClockLoop()
    thread = threading.Thread(
        target=loop.run_until_complete, args=(server.serve(sockets=[sock]),), daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + PATIENCE_SECONDS
        while not server.started:
            assert thread.is_alive(), "it stopped while starting"
            assert time.monotonic() < deadline, "it did not start"
            thread.join(0.01)
        url = f"http://{LOOPBACK}:{port_of(sock)}/api/v1/agents"
        assert httpx.get(url, headers=AUTH).status_code == 200
        while server.server_state.connections:  # (closed by the client: no work left)
            assert time.monotonic() < deadline, "the connection was never closed"
            thread.join(0.01)
        server.should_exit = True  # as a signal handler or the child's stdin watcher does
        thread.join(PATIENCE_SECONDS)
        assert not thread.is_alive(), "the server waited for a timer to stop"
    finally:
        server.should_exit = server.force_exit = True
        thread.join(PATIENCE_SECONDS)
        if not thread.is_alive():
            loop.close()
        sock.close()
    with start_platform(config) as again:  # the folder's lock was released
        assert again.base_url


def test_who_waits_for_a_server_is_told_once_as_soon_as_it_serves(tmp_path: Path) -> None:
    """``when_started`` runs on the server's loop once it serves: the child announces its
    port then, and ``start_platform`` returns then (both looked at ``started`` every 5 or
    10 ms). A request made from it is answered."""
    app = create_app(PlatformConfig(data_dir=tmp_path, api_keys=(API_KEY,)))
    sock = bind_socket(LOOPBACK, 0)
    server = build_server(app, LOOPBACK, port_of(sock))
    told: list[bool] = []
    answered: list[int] = []

    def ask_then_stop() -> None:
        answered.append(
            httpx.get(f"http://{LOOPBACK}:{port_of(sock)}/_emulator/health").status_code
        )
        server.should_exit = True

    def started() -> None:
        told.append(server.started)
        threading.Thread(target=ask_then_stop).start()  # (this thread is the server's loop)

    server.when_started = started
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    thread.join(PATIENCE_SECONDS)
    try:
        assert not thread.is_alive(), "it was never told, so never asked to stop"
        assert told == [True]
        assert answered == [200]
    finally:
        server.should_exit = True
        thread.join(PATIENCE_SECONDS)
        app.state.platform.close()
        sock.close()


def test_the_server_modules_are_imported_before_a_server_starts() -> None:
    """uvicorn imports some of its modules as a server starts: they are imported with this
    module, before the embedded platform's child has its configuration, not after."""
    probe = (
        "import sys; import evalkit.emulator.server as server; before = set(sys.modules); "
        "server.start_platform().stop(); "
        "print(sorted(m for m in set(sys.modules) - before if m.startswith('uvicorn')))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert loaded.stdout.strip() == "[]", loaded.stdout + loaded.stderr
