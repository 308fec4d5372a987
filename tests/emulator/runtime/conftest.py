"""Builders for runtime jobs; program tests run under every isolation this machine has."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evalkit.emulator.runtime import AgentJob, InputFile
from evalkit.emulator.runtime.isolation import (
    MODES,
    Isolation,
    IsolationUnavailable,
    choose_isolation,
)

JobFactory = Callable[..., AgentJob]


def isolation_or_skip(mode: str, data_dir: Path) -> Isolation:
    """``mode`` on this machine, or a skip that says why it is not available here."""
    try:
        return choose_isolation(mode, data_dir)
    except IsolationUnavailable as err:
        pytest.skip(str(err))


@pytest.fixture(params=MODES)
def isolation(request: pytest.FixtureRequest, tmp_path: Path) -> Isolation:
    return isolation_or_skip(request.param, tmp_path / "platform")


@pytest.fixture
def make_job(tmp_path: Path, isolation: Isolation) -> JobFactory:
    scratch_root = tmp_path / "platform" / "scratch"
    scratch_root.mkdir(parents=True, exist_ok=True)

    def build(
        *,
        workspace: dict[str, bytes] | None = None,
        config: dict[str, Any] | None = None,
        input_json: dict[str, Any] | None = None,
        input_files: list[InputFile] | None = None,
        execution_id: str = "exec_test",
    ) -> AgentJob:
        return AgentJob(
            execution_id=execution_id,
            workspace=workspace or {},
            config=config or {},
            input_json=input_json or {},
            input_files=input_files or [],
            scratch_root=scratch_root,
            isolation=isolation,
        )

    return build
