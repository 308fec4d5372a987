"""Fixtures for the local platform's tests: an in-process client and a loopback platform."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from evalkit.emulator.app import create_app
from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.faults import FaultConfig
from evalkit.emulator.platform import Platform
from evalkit.emulator.server import RunningPlatform, start_platform

from .helpers import API_KEY, AUTH, TestClient

ClientFactory = Callable[..., TestClient]


@pytest.fixture
def config(tmp_path: Path) -> PlatformConfig:
    return PlatformConfig(data_dir=tmp_path / "platform", api_keys=(API_KEY,), workers=2)


@pytest.fixture
def make_client(config: PlatformConfig) -> Iterator[ClientFactory]:
    """Build in-process clients on configs derived from ``config`` (closed at the end)."""
    opened: list[TestClient] = []

    def make(**changes: Any) -> TestClient:
        app = create_app(replace(config, **changes))
        client = TestClient(app, headers=AUTH, raise_server_exceptions=False)
        client.__enter__()  # runs the lifespan, whose end closes the platform
        opened.append(client)
        return client

    yield make
    for client in reversed(opened):
        client.__exit__(None, None, None)


@pytest.fixture(scope="module")
def shared_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One platform per test module; ``client`` wipes it before each test (cheaper than new)."""
    data_dir = tmp_path_factory.mktemp("platform")
    config = PlatformConfig(data_dir=data_dir, api_keys=(API_KEY,), workers=2)
    with TestClient(create_app(config), headers=AUTH, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def client(shared_client: TestClient) -> TestClient:
    shared_client.headers.update(AUTH)  # a test may have removed it
    assert shared_client.post("/_emulator/reset").status_code == 200
    platform: Platform = shared_client.app.state.platform  # type: ignore[attr-defined]
    platform.faults.reconfigure(FaultConfig())
    return shared_client


@pytest.fixture
def live(config: PlatformConfig) -> Iterator[RunningPlatform]:
    with start_platform(config) as running:
        yield running


@pytest.fixture
def live_client(live: RunningPlatform) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.base_url, headers=AUTH, timeout=30) as http:
        yield http
