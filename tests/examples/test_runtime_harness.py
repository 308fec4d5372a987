"""The example projects' harnesses run a program in the environment the local platform gives
it: the same variables, the same values (HOME and TMPDIR inside the scratch folder)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evalkit.emulator.runtime import AgentJob, run_agent_job

from .invoice_harness import run_agent
from .runtime_harness import EXECUTION_ID
from .support_harness import run_program

#: writes what it was given: every variable, HOME and TMPDIR relative to its folder
DUMP_ENV = """
import json, os
env = dict(os.environ)
for name in ("HOME", "TMPDIR"):
    if name in env:
        env[name] = os.path.relpath(env[name], os.getcwd())
json.dump(env, open("output.json", "w"))
"""


def _platform_env(tmp_path: Path, passed: dict[str, str]) -> dict[str, Any]:
    root = tmp_path / "platform"
    root.mkdir()
    job = AgentJob(
        execution_id=EXECUTION_ID,
        workspace={"main.py": DUMP_ENV.encode()},
        config={},
        input_json={},
        input_files=[],
        scratch_root=root,
        passed_env=passed,
    )
    outcome = run_agent_job(job)
    assert outcome.status == "completed", outcome.error
    assert isinstance(outcome.output, dict)
    return outcome.output


def test_the_invoice_harness_gives_the_platforms_environment(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (scratch / "main.py").write_text(DUMP_ENV)
    process = run_agent(scratch)
    assert process.returncode == 0, process.stderr
    given = json.loads((scratch / "output.json").read_text())
    assert given == _platform_env(tmp_path, {})


def test_the_support_harness_gives_the_platforms_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    agents = tmp_path / "agents"
    (agents / "dump").mkdir(parents=True)
    (agents / "dump" / "main.py").write_text(DUMP_ENV)
    monkeypatch.setattr("tests.examples.support_harness.AGENTS", agents)
    passed = {"OPENAI_API_KEY": "k"}
    process, given = run_program("dump", {}, tmp_path, passed)
    assert process.returncode == 0, process.stderr
    assert given == _platform_env(tmp_path, passed)
