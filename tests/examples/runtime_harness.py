"""``python main.py`` in a scratch folder, in the environment the local platform gives an agent
program: the runtime's own ``clean_environment`` (docs/agent-runtime.md), so the example
projects' harnesses cannot drift from the contract. Laying out the scratch folder and judging
the output stay in each harness, written without evalkit."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from evalkit.emulator.runtime.sandbox_env import clean_environment

EXECUTION_ID = "exec_test"


def copy_workspace(workspace: Path, scratch: Path) -> Path:
    """A scratch copy of ``workspace`` without its top-level ``examples/`` (an agent never
    sees expected outputs) and without ``__pycache__``."""
    shutil.copytree(
        workspace,
        scratch,
        ignore=lambda folder, names: [
            name
            for name in names
            if name == "__pycache__" or (Path(folder) == workspace and name == "examples")
        ],
    )
    return scratch


def run_main(
    scratch: Path, passed: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``main.py`` in ``scratch``; ``passed`` are the variables a platform passes through
    (``evalkit serve --pass-env``)."""
    return subprocess.run(
        [sys.executable, "main.py"],
        cwd=scratch,
        env=clean_environment(scratch, EXECUTION_ID, None, passed=passed),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
