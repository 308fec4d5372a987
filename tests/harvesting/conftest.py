"""Fixtures: one loopback platform for these tests, a client and a connection to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from evalkit.cli.main import main
from evalkit.client import EigenpalClient
from evalkit.connection import Connection
from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.server import RunningPlatform, start_platform

KEY = "eg_harvest_tests_key"


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str


@pytest.fixture(scope="session")
def harvest_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    config = PlatformConfig(data_dir=tmp_path_factory.mktemp("harvest-platform"), api_keys=(KEY,))
    with start_platform(config) as running:
        yield running


@pytest.fixture
def connection(harvest_platform: RunningPlatform) -> Connection:
    return Connection(base_url=harvest_platform.base_url, api_key=KEY)


@pytest.fixture
def client(harvest_platform: RunningPlatform) -> Iterator[EigenpalClient]:
    with EigenpalClient(api_key=KEY, base_url=harvest_platform.base_url) as opened:
        yield opened


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, connection: Connection
) -> Callable[..., Outcome]:
    """``cli(*args)``: the ``evalkit`` entry point against the test platform: exit code and
    output."""
    monkeypatch.delenv("EIGENPAL_BASE_URL", raising=False)
    monkeypatch.delenv("EIGENPAL_API_KEY", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert connection.base_url is not None

    def invoke(*args: str | Path) -> Outcome:
        capsys.readouterr()
        remote = ["--base-url", connection.base_url or "", "--api-key", KEY]
        with pytest.raises(SystemExit) as stopped:
            main([*remote, *(str(arg) for arg in args)])
        captured = capsys.readouterr()
        code = stopped.value.code
        return Outcome(int(code) if code is not None else 0, captured.out, captured.err)

    return invoke
