"""Settings and fixtures shared by the whole suite."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

# Properties, not speed: no per-example deadline and no slow-data health check, since the suite
# runs on busy 2-core machines. On CI the examples are drawn from a fixed seed so that a landing
# is reproducible; developers' runs keep exploring new examples.
settings.register_profile(
    "evalkit",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("evalkit-ci", parent=settings.get_profile("evalkit"), derandomize=True)
settings.load_profile("evalkit-ci" if os.environ.get("CI") else "evalkit")


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generation of each garbage collection that starts while the test runs."""
    started: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(info["generation"])

    gc.callbacks.append(note)
    try:
        yield started
    finally:
        gc.callbacks.remove(note)
