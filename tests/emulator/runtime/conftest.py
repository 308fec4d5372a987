"""Builders for runtime jobs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evalkit.emulator.runtime import AgentJob, InputFile

JobFactory = Callable[..., AgentJob]


@pytest.fixture
def make_job(tmp_path: Path) -> JobFactory:
    scratch_root = tmp_path / "scratch"
    scratch_root.mkdir()

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
        )

    return build
