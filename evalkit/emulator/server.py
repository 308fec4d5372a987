"""Serving the platform over real HTTP: embedded (``start_platform``) or in the foreground
(``serve_foreground``, what ``evalkit serve`` runs).

Both listen on a socket from ``bind_socket`` and use uvicorn with a tracked protocol (so drop
faults can abort a connection; httptools's, else h11's: ``serving_protocol``) and a server that
releases held requests and stops running programs before it waits for them.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import uvicorn

# uvicorn imports these by name as a server starts (its ``Config.load``); imported here, they
# are loaded with the rest, before the embedded platform's child has its configuration
import uvicorn.lifespan.on
import uvicorn.loops.asyncio
import uvicorn.protocols.websockets.auto
from fastapi import FastAPI

from evalkit.emulator.app import create_app
from evalkit.emulator.config import PlatformConfig, generate_api_key
from evalkit.emulator.connections import MAX_INCOMPLETE_HEAD_BYTES, serving_protocol
from evalkit.emulator.platform import Platform

LOOPBACK = "127.0.0.1"
GRACEFUL_SHUTDOWN_SECONDS = 5
START_TIMEOUT_SECONDS = 30.0
#: pending connections the listening socket queues: several hundred held runs at once must
#: not be refused
BACKLOG = 2048
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: uvicorn's main loop tick: the Date header's refresh and its exit checks
TICK_SECONDS = 0.1
#: how often a stopping server looks whether its connections and tasks are done
DRAIN_POLL_SECONDS = 0.002
_log = logging.getLogger("uvicorn.error")  # where uvicorn logs its own shutdown


class ListenError(Exception):
    """The address cannot be listened on (taken, not local, not allowed); says which and why."""


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (0: a free port), the only kind the platform
    serves on.

    It is made with ``proto=IPPROTO_TCP``: asyncio sets ``TCP_NODELAY`` only on connections
    accepted from such a socket. Without it (``proto=0``), every answer on a reused connection
    waited for the client's delayed ACK, about 40 ms, because Nagle held its last segment.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as err:
        sock.close()
        raise ListenError(f"cannot listen on {host}:{port}: {err.strerror or err}") from err
    return sock


def port_of(sock: socket.socket) -> int:
    port: int = sock.getsockname()[1]
    return port


class PlatformServer(uvicorn.Server):
    """A uvicorn server that winds the platform down first, so shutdown never waits on holds,
    and that stops as soon as it is asked.

    uvicorn looks whether it should exit every 0.1 s (its ``main_loop`` tick) and, stopping,
    sleeps 0.1 s before it looks at its connections, then every 0.1 s: a local platform took
    about a fifth of a second to stop after the run's last example. Here setting
    ``should_exit`` (a signal handler, another thread) wakes the loop at once, and the stop
    looks again every ``DRAIN_POLL_SECONDS`` whether its connections and tasks are done: the
    same graceful stop (requests in flight finish, up to ``timeout_graceful_shutdown``), only
    without the fixed waits.
    """

    def __init__(self, config: uvicorn.Config, platform: Platform) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._exit_asked: asyncio.Event | None = None
        self._should_exit = False
        super().__init__(config)
        self.platform = platform
        #: called once, on the server's loop, as soon as it serves (``started`` is True): who
        #: waits for the server is told at once instead of looking at ``started`` now and then
        self.when_started: Callable[[], None] | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and self.when_started is not None:
            self.when_started()

    @property  # (uvicorn's is a plain attribute, set in its __init__)
    def should_exit(self) -> bool:
        return self._should_exit

    @should_exit.setter
    def should_exit(self, value: bool) -> None:
        self._should_exit = value
        loop, asked = self._loop, self._exit_asked
        if value and loop is not None and asked is not None:
            with suppress(RuntimeError):  # the loop has ended: nothing is waiting
                loop.call_soon_threadsafe(asked.set)

    async def main_loop(self) -> None:
        """uvicorn's: a tick every 0.1 s (its Date header, its exit checks), but the wait
        ends when ``should_exit`` is set."""
        asked = asyncio.Event()
        self._exit_asked, self._loop = asked, asyncio.get_running_loop()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            with suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asked.wait(), TICK_SECONDS)
            should_exit = await self.on_tick(counter)

    async def shutdown(self, sockets: list[Any] | None = None) -> None:
        """uvicorn's graceful shutdown, the platform wound down first and without its fixed
        waits: no new connections, idle ones closed, busy ones closed after their response,
        then the app's lifespan (which closes the platform's stores)."""
        self.platform.begin_shutdown()
        _log.info("Shutting down")
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        try:
            await asyncio.wait_for(self._drained(), self.config.timeout_graceful_shutdown)
        except asyncio.TimeoutError:
            _log.error(
                "Cancel %s running task(s), timeout graceful shutdown exceeded",
                len(self.server_state.tasks),
            )
            for task in self.server_state.tasks:
                task.cancel(msg="Task cancelled, timeout graceful shutdown exceeded")
        if not self.force_exit:
            await self.lifespan.shutdown()

    async def _drained(self) -> None:
        """Once every connection has closed and every task has ended (or a second Ctrl-C)."""
        state = self.server_state
        if state.connections and not self.force_exit:
            _log.info("Waiting for connections to close. (CTRL+C to force quit)")
        while (state.connections or state.tasks) and not self.force_exit:
            await asyncio.sleep(DRAIN_POLL_SECONDS)
        for server in self.servers:
            await server.wait_closed()


def build_server(app: FastAPI, host: str, port: int) -> PlatformServer:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=serving_protocol(),
        h11_max_incomplete_event_size=MAX_INCOMPLETE_HEAD_BYTES,
        # asyncio's loop, the one tested, even where uvloop is installed ("auto" would take
        # it): measured, uvloop did not lower the platform's CPU per request.
        loop="asyncio",
        lifespan="on",
        log_level="warning",
        # Leave logging to the host program (the CLI configures it; tests capture it).
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        backlog=BACKLOG,
    )
    return PlatformServer(config, app.state.platform)


@dataclass
class RunningPlatform:
    """A platform served on loopback from a background thread; a context manager."""

    base_url: str
    api_key: str
    app: FastAPI
    server: PlatformServer
    thread: threading.Thread

    @property
    def platform(self) -> Platform:
        platform: Platform = self.app.state.platform
        return platform

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(GRACEFUL_SHUTDOWN_SECONDS + 30)
        self.platform.close()  # also done by the lifespan; idempotent

    def __enter__(self) -> RunningPlatform:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"RunningPlatform(base_url={self.base_url!r}, api_key='***')"


def start_platform(config: PlatformConfig | None = None) -> RunningPlatform:
    """Serve on 127.0.0.1 with a free port; a key is generated if the config has none."""
    if config is None:
        config = PlatformConfig(api_keys=(generate_api_key(),))
    return serve_in_background(create_app(config), config.api_keys[0])


def serve_in_background(app: FastAPI, api_key: str) -> RunningPlatform:
    """``app`` (from ``create_app``, maybe wrapped further) served like ``start_platform``;
    ``api_key`` is one of its keys."""
    try:
        sock = bind_socket(LOOPBACK, 0)
    except BaseException:
        app.state.platform.close()
        raise
    port = port_of(sock)
    server = build_server(app, LOOPBACK, port)
    started = threading.Event()
    server.when_started = started.set

    def run() -> None:
        try:
            server.run(sockets=[sock])
        finally:
            sock.close()
            started.set()  # (a server that failed to start: the wait below ends too)

    thread = threading.Thread(target=run, name="evalkit-platform", daemon=True)
    thread.start()
    if not started.wait(START_TIMEOUT_SECONDS) or not server.started:
        server.should_exit = True
        app.state.platform.close()
        raise RuntimeError("the local platform failed to start; see the log above")
    return RunningPlatform(f"http://{LOOPBACK}:{port}", api_key, app, server, thread)


@dataclass(frozen=True)
class ServedPlatform:
    """What ``serve_foreground`` hands its ``ready`` callback: where it listens, and what."""

    host: str
    port: int
    platform: Platform
    server: PlatformServer

    @property
    def base_url(self) -> str:
        shown_host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{shown_host}:{self.port}"


def serve_foreground(
    config: PlatformConfig, host: str, port: int, ready: Callable[[ServedPlatform], None]
) -> None:
    """Serve until SIGINT or SIGTERM (or ``server.should_exit``), then close the platform.

    The address is bound first, so a taken port fails (``ListenError``) before any state is
    opened; then the platform starts (a bad workflow file stops it here); ``ready`` runs once
    the address is bound and signals stop the server cleanly, before uvicorn takes over.
    """
    sock = bind_socket(host, port)
    try:
        app = create_app(config)
    except BaseException:
        sock.close()
        raise
    platform: Platform = app.state.platform
    try:
        server = build_server(app, host, port_of(sock))
        with stop_on_signals(server):
            ready(ServedPlatform(host, port_of(sock), platform, server))
            server.run(sockets=[sock])
    finally:
        platform.close()
        sock.close()


@contextmanager
def stop_on_signals(server: uvicorn.Server) -> Iterator[None]:
    """SIGINT and SIGTERM stop the server cleanly from before its address is shown.

    uvicorn handles them only once it runs. Before that, a SIGINT was a KeyboardInterrupt in the
    middle of the start-up or, when the process started with SIGINT ignored (a background job of
    a script), was lost: the server then ran on. A second SIGINT forces the stop, as in uvicorn.
    Off the main thread (where signals cannot be caught) it does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        if server.should_exit and signum == signal.SIGINT:
            server.force_exit = True
        server.should_exit = True

    previous = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
