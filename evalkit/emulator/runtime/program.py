"""The subprocess runtime: run the workspace's own program on the job's inputs (contract B10).

Steps: make a scratch folder under ``job.scratch_root``, lay out workspace and inputs
(``scratch``), run the command in a clean environment (``process``), take back the results
(``collect``), check the output against ``output-schema.json`` (``schema``), remove the folder.
"""

from __future__ import annotations

import re
import shlex
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from evalkit.emulator.runtime.collect import CollectError, collect, diagnostics
from evalkit.emulator.runtime.isolation import Isolation, IsolationUnavailable
from evalkit.emulator.runtime.job import AgentJob, AgentOutcome, OutcomeStatus
from evalkit.emulator.runtime.process import IsolationError, ProcessResult, run_process
from evalkit.emulator.runtime.sandbox_env import EnvConfigError, clean_environment
from evalkit.emulator.runtime.schema import schema_validity
from evalkit.emulator.runtime.scratch import ScratchError, materialize
from evalkit.emulator.runtime.workspace import Workspace

DEFAULT_TIMEOUT_SECONDS = 300.0
STDERR_TAIL_LINES = 20
_PYTHON_NAMES = frozenset({"python", "python3"})


class RuntimeConfigError(ValueError):
    """``config.runtime`` cannot be used; the message names the key and what to do."""


def run_program(job: AgentJob, runtime: Mapping[str, Any]) -> AgentOutcome:
    started = time.monotonic()
    try:
        argv = command_for(runtime, job.agent_files)
        timeout = timeout_seconds(runtime)
    except RuntimeConfigError as err:
        return _outcome("failed", started, error=str(err))
    if job.cancel.is_set():
        return _outcome("cancelled", started, error="cancelled")
    try:  # (before the scratch folder: the data folder is made private once it is chosen)
        isolation = job.chosen_isolation()
    except IsolationUnavailable as err:
        return _outcome("failed", started, error=str(err))
    job.scratch_root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=_folder_prefix(job.execution_id), dir=job.scratch_root))
    try:
        return _run_in(folder, job, isolation, runtime, argv, timeout, started)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run_in(
    folder: Path,
    job: AgentJob,
    isolation: Isolation,
    runtime: Mapping[str, Any],
    argv: list[str],
    timeout: float,
    started: float,
) -> AgentOutcome:
    try:
        materialize(job, folder)
        env = clean_environment(
            folder,
            job.execution_id,
            runtime.get("env"),
            visible_folder=isolation.visible_folder(folder),
            passed=job.passed_env,
        )
        isolation.prepare(folder)
    except (ScratchError, EnvConfigError) as err:
        return _outcome("failed", started, error=str(err))
    try:
        result = run_process(
            argv,
            cwd=folder,
            env=env,
            timeout_seconds=timeout,
            cancel=job.cancel,
            launcher=isolation if isolation.wraps else None,
        )
    except OSError as err:
        return _outcome("failed", started, error=f"cannot start {argv[0]!r}: {err.strerror or err}")
    except IsolationError as err:
        error = f"the agent program could not be isolated ({isolation.mode}): {err}"
        return _outcome("failed", started, error=error)
    if result.reason == "cancelled":
        return _outcome("cancelled", started, error="cancelled")
    if result.reason == "timeout":
        error = f"timed out after {timeout:g} seconds (config.runtime.timeoutSeconds)"
        return _outcome("failed", started, error=error, folder=folder)
    if result.returncode != 0:
        return _outcome("failed", started, error=exit_error(result), folder=folder)
    try:
        collected = collect(folder, result.stdout, stdout_truncated=result.stdout_truncated)
    except CollectError as err:
        return _outcome("failed", started, error=str(err), folder=folder)
    return AgentOutcome(
        status="completed",
        output=collected.output,
        output_files=collected.output_files,
        issues=collected.issues,
        trace=collected.trace,
        schema_valid=schema_validity(job.agent_files, collected.output),
        cost=_cost(started),
    )


def nul_in_command(parts: Iterable[object]) -> str | None:
    """Why no program can be started with these arguments (a NUL in one), or None: the API
    refuses such a ``config.runtime.command``, and a run of one stored before fails."""
    if any(isinstance(part, str) and "\x00" in part for part in parts):
        return (
            "config.runtime.command contains a NUL character, which no program's arguments can hold"
        )
    return None


def command_for(
    runtime: Mapping[str, Any], workspace: Workspace | Mapping[str, bytes]
) -> list[str]:
    """The argv to run: ``config.runtime.command``, else ``python main.py``.

    A leading ``python``/``python3`` means the interpreter running evalkit, so an agent
    sees the same Python and packages whatever the ``PATH`` holds.
    """
    command = runtime.get("command")
    if command is None:
        if "main.py" not in workspace:
            raise RuntimeConfigError(
                "the workspace has no main.py and config.runtime.command is not set: "
                "add a main.py or set config.runtime.command"
            )
        return [sys.executable, "main.py"]
    if isinstance(command, str):
        try:
            argv = shlex.split(command)
        except ValueError as err:
            raise RuntimeConfigError(f"config.runtime.command cannot be split: {err}") from None
    elif isinstance(command, list) and all(isinstance(part, str) for part in command):
        argv = list(command)
    else:
        raise RuntimeConfigError("config.runtime.command must be a string or a list of strings")
    if not argv:
        raise RuntimeConfigError("config.runtime.command is empty")
    nul = nul_in_command(argv)  # stored before the API refused it
    if nul is not None:
        raise RuntimeConfigError(nul)
    if argv[0] in _PYTHON_NAMES:
        argv[0] = sys.executable
    return argv


def timeout_seconds(runtime: Mapping[str, Any]) -> float:
    value = runtime.get("timeoutSeconds", DEFAULT_TIMEOUT_SECONDS)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise RuntimeConfigError(
            f"config.runtime.timeoutSeconds must be a number of seconds > 0, got {value!r}"
        )
    return float(value)


def exit_error(result: ProcessResult) -> str:
    """``exit code N`` (or the signal) followed by the last lines of stderr."""
    code = result.returncode if result.returncode is not None else -1
    head = f"exit code {code}" if code >= 0 else f"killed by signal {_signal_name(-code)}"
    lines = result.stderr_tail.decode("utf-8", errors="replace").rstrip().splitlines()
    tail = "\n".join(lines[-STDERR_TAIL_LINES:])
    return f"{head}\n{tail}" if tail else head


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


def _folder_prefix(execution_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", execution_id)[:64] + "-"


def _cost(started: float) -> dict[str, Any]:
    return {"durationMs": round((time.monotonic() - started) * 1000)}


def _outcome(
    status: OutcomeStatus, started: float, *, error: str, folder: Path | None = None
) -> AgentOutcome:
    """An outcome without output; with ``folder``, the issues and trace the program left."""
    issues, trace = diagnostics(folder) if folder is not None else ([], [])
    return AgentOutcome(status=status, error=error, issues=issues, trace=trace, cost=_cost(started))
