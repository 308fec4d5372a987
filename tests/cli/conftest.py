"""Running ``evalkit`` as a user does, in this process, against platforms over loopback HTTP."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from evalkit.cli.main import main
from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.server import RunningPlatform, start_platform

from .harness import PLATFORM_KEY, Evalkit, Outcome


@pytest.fixture
def evalkit(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Evalkit:
    """``evalkit(*args)``: the console entry point, its exit code and what it printed."""
    monkeypatch.delenv("EIGENPAL_BASE_URL", raising=False)
    monkeypatch.delenv("EIGENPAL_API_KEY", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)

    def invoke(*args: str | Path) -> Outcome:
        capsys.readouterr()
        with pytest.raises(SystemExit) as stopped:
            main([str(arg) for arg in args])
        captured = capsys.readouterr()
        code = stopped.value.code
        return Outcome(int(code) if code is not None else 0, captured.out, captured.err)

    return invoke


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    """A local platform on loopback that accepts ``PLATFORM_KEY`` only."""
    config = PlatformConfig(
        data_dir=tmp_path_factory.mktemp("cli-platform"), api_keys=(PLATFORM_KEY,)
    )
    with start_platform(config) as running:
        yield running


@pytest.fixture
def closed_url() -> str:
    """The URL of a loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
