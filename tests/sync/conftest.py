"""Fixtures: a loopback local platform per test, and a client that counts its requests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .local import Counted, LocalPlatform


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[LocalPlatform]:
    local = LocalPlatform(tmp_path / "platform")
    local.start()
    yield local
    for counted in local.opened:
        counted.client.close()
    local.stop()


@pytest.fixture
def counted(platform: LocalPlatform) -> Counted:
    return platform.client()
