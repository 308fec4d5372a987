"""Running the support project's programs as the local platform runs them (docs/agent-runtime.md):
a scratch copy of the workspace minus ``examples/``, ``input.json`` beside the program, the
runtime's clean environment (``runtime_harness``). The rest is written without evalkit, so these
tests do not depend on the code they test."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from .runtime_harness import copy_workspace, run_main

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "examples" / "support"
AGENTS = PROJECT / "agents"


def examples_of(agent: str) -> list[Path]:
    return sorted(path for path in (AGENTS / agent / "examples").iterdir() if path.is_dir())


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def run_program(
    agent: str, request: Any, tmp_path: Path, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], Any]:
    """Run ``agents/<agent>/main.py`` on ``request``; the process and its output.json (None
    when it wrote none). ``env``: variables the platform passes through (``--pass-env``)."""
    scratch = copy_workspace(AGENTS / agent, tmp_path / f"scratch-{agent}")
    (scratch / "input.json").write_text(json.dumps(request), encoding="utf-8")
    process = run_main(scratch, passed=env)
    output = scratch / "output.json"
    return process, read_json(output) if output.exists() else None
