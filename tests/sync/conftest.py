"""Fixtures: a loopback local platform per test, and a client that counts its requests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .local import Counted, LocalPlatform


@pytest.fixture(scope="session")
def shared_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPlatform]:
    """One loopback platform for the whole session (starting one per test costs ~0.5 s)."""
    local = LocalPlatform(tmp_path_factory.mktemp("sync-platform"))
    local.start()
    yield local
    local.stop()


@pytest.fixture
def platform(shared_platform: LocalPlatform) -> Iterator[LocalPlatform]:
    """The shared platform, wiped (and restarted without faults if a test added some)."""
    shared_platform.reset()
    yield shared_platform
    shared_platform.close_clients()


@pytest.fixture
def counted(platform: LocalPlatform) -> Counted:
    return platform.client()
