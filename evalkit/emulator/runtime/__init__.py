"""How the local platform executes one agent run (contract Part B10).

The queue (``evalkit.emulator.executions``) builds an ``AgentJob`` from stored state, calls
``run_agent_job`` on a worker thread, and stores the ``AgentOutcome``. This package knows
nothing of HTTP or SQLite.

``config.runtime.builtin`` picks a cheap built-in runtime (``echo``, ``fixed``, ``fail``);
otherwise the workspace's program runs in a scratch folder (see ``docs/agent-runtime.md``),
kept from the platform as far as the machine allows (``isolation.py``, ``launcher.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from evalkit.emulator.runtime.builtins import BUILTIN_NAMES, run_builtin
from evalkit.emulator.runtime.job import AgentJob, AgentOutcome, InputFile, NamedBlob
from evalkit.emulator.runtime.program import run_program

__all__ = [
    "BUILTIN_NAMES",
    "AgentJob",
    "AgentOutcome",
    "InputFile",
    "NamedBlob",
    "run_agent_job",
]


def run_agent_job(job: AgentJob) -> AgentOutcome:
    """Run one agent execution to its end; never raises for a bad agent or bad config."""
    runtime = runtime_config(job.config)
    if isinstance(runtime, str):
        return AgentOutcome(status="failed", error=runtime)
    if "builtin" in runtime:
        return run_builtin(job, runtime)
    return run_program(job, runtime)


def runtime_config(config: Mapping[str, Any] | None) -> Mapping[str, Any] | str:
    """``config.runtime`` as a mapping, or an error message when it is not an object."""
    runtime = (config or {}).get("runtime", {})
    if runtime is None:
        return {}
    if not isinstance(runtime, Mapping):
        return f"config.runtime must be an object, got {type(runtime).__name__}"
    return runtime
