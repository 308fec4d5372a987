"""What a worker does with one execution id: run it through the agent runtime and store it."""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Mapping
from pathlib import Path

from evalkit.emulator.config import AgentRunner
from evalkit.emulator.faults import FaultInjector
from evalkit.emulator.holds import HoldRegistry
from evalkit.emulator.runtime.isolation import Isolation, IsolationChoice
from evalkit.emulator.runtime.job import AgentJob, AgentOutcome, InputFile
from evalkit.emulator.runtime.workspace import LazyWorkspace
from evalkit.emulator.store.agents import AgentStore
from evalkit.emulator.store.executions import ExecutionRecord, ExecutionStore
from evalkit.emulator.store.workspace_cache import WorkspaceCache

logger = logging.getLogger("evalkit.emulator")

INJECTED_FAILURE = "injected execution failure (fault injection)"


def default_runner(job: AgentJob) -> AgentOutcome:
    from evalkit.emulator.runtime import run_agent_job

    return run_agent_job(job)


class ExecutionWorker:
    def __init__(
        self,
        *,
        agents: AgentStore,
        workspaces: WorkspaceCache,
        executions: ExecutionStore,
        holds: HoldRegistry,
        faults: FaultInjector,
        scratch_dir: Path,
        runner: AgentRunner | None,
        isolation: Isolation | IsolationChoice,
        passed_env: Mapping[str, str] | None = None,
    ) -> None:
        self._agents = agents
        self._workspaces = workspaces
        self._executions = executions
        self._holds = holds
        self._faults = faults
        self._scratch_dir = scratch_dir
        self._runner = runner or default_runner
        self._isolation = isolation
        self._passed_env = dict(passed_env or {})
        self._lock = threading.Lock()
        self._running: dict[str, threading.Event] = {}
        self.closing = False

    def handle(self, execution_id: str) -> None:
        if self.closing:
            return  # left pending: marked failed ("platform restarted") at the next start
        cancel = threading.Event()
        with self._lock:
            self._running[execution_id] = cancel
        scratch = self._scratch_dir / execution_id
        try:
            started = self._executions.start(execution_id)
            if started is None:
                return  # cancelled while queued, or wiped by a reset
            record, input_files = started
            outcome = self._outcome(record, input_files, cancel, scratch)
            if outcome.output_files or outcome.issues or outcome.trace:
                # Storing files takes a while: say so meanwhile. Without files the outcome is
                # stored at once, in one transaction.
                self._executions.move(execution_id, "finalizing", when=("running",))
            self._executions.finish(execution_id, outcome, started=record)
        finally:
            with self._lock:
                self._running.pop(execution_id, None)
            if scratch.exists():  # a program run made it; a builtin one never does
                shutil.rmtree(scratch, ignore_errors=True)
            self._holds.notify(execution_id)

    def cancel_running(self, execution_id: str) -> bool:
        """Ask a running job to stop; False when it is not running here."""
        with self._lock:
            event = self._running.get(execution_id)
        if event is None:
            return False
        event.set()
        return True

    def cancel_all(self) -> None:
        with self._lock:
            events = list(self._running.values())
        for event in events:
            event.set()

    def _outcome(
        self,
        record: ExecutionRecord,
        input_files: list[InputFile],
        cancel: threading.Event,
        scratch: Path,
    ) -> AgentOutcome:
        if self._faults.execution_should_fail():
            return AgentOutcome(status="failed", error=INJECTED_FAILURE)
        try:
            agent = self._agents.get(record.agent_id)
        except Exception as err:
            logger.exception("execution %s: the agent runtime raised", record.id)
            return AgentOutcome(status="failed", error=f"internal runtime error: {err}")
        # The commit the agent has now is the one this run sees; its files are read only if
        # the runtime asks for them (a builtin never does), from the per-commit cache.
        workspace = LazyWorkspace(
            lambda: self._workspaces.acquire(agent.id, agent.latest_commit),
            self._workspaces.release,
        )
        try:
            if self._runner is not default_runner:
                # A custom runner is promised its folder; the default runtime makes it only for
                # a program (a builtin needs none), saving two file system calls per run.
                scratch.mkdir(parents=True, exist_ok=True)
            job = AgentJob(
                execution_id=record.id,
                workspace=workspace,
                config=agent.config or {},
                input_json=record.json_column("input_json") or {},
                input_files=input_files,
                scratch_root=scratch,
                cancel=cancel,
                isolation=self._isolation,
                agent_id=agent.id,
                passed_env=self._passed_env,
            )
            return self._runner(job)
        except Exception as err:
            logger.exception("execution %s: the agent runtime raised", record.id)
            return AgentOutcome(status="failed", error=f"internal runtime error: {err}")
        finally:
            workspace.close()
