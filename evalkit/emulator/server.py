"""Serving the platform over real HTTP: embedded (``start_platform``) or in the foreground.

Both use uvicorn with ``TrackedH11Protocol`` (so drop faults can abort a connection) and a
server that releases held requests and stops running programs before it waits for them.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import uvicorn
from fastapi import FastAPI

from evalkit.emulator.app import create_app
from evalkit.emulator.config import PlatformConfig, generate_api_key
from evalkit.emulator.connections import TrackedH11Protocol
from evalkit.emulator.platform import Platform

LOOPBACK = "127.0.0.1"
GRACEFUL_SHUTDOWN_SECONDS = 5
START_TIMEOUT_SECONDS = 30.0


class PlatformServer(uvicorn.Server):
    """A uvicorn server that winds the platform down first, so shutdown never waits on holds."""

    def __init__(self, config: uvicorn.Config, platform: Platform) -> None:
        super().__init__(config)
        self.platform = platform

    async def shutdown(self, sockets: list[Any] | None = None) -> None:
        self.platform.begin_shutdown()
        await super().shutdown(sockets)


def build_server(app: FastAPI, host: str, port: int) -> PlatformServer:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=TrackedH11Protocol,
        lifespan="on",
        log_level="warning",
        # Leave logging to the host program (the CLI configures it; tests capture it).
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        # Several hundred held runs at once must not be refused.
        backlog=2048,
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
    app = create_app(config)
    server = build_server(app, LOOPBACK, 0)
    thread = threading.Thread(target=server.run, name="evalkit-platform", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            app.state.platform.close()
            raise RuntimeError("the local platform failed to start; see the log above")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return RunningPlatform(f"http://{LOOPBACK}:{port}", config.api_keys[0], app, server, thread)
