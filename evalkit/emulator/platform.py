"""The platform's services wired together: stores, queue, workers, holds, faults, workflows."""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalkit.api import ErrorCode, utc_now
from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.faults import FaultInjector
from evalkit.emulator.holds import HoldRegistry
from evalkit.emulator.problems import ApiProblem
from evalkit.emulator.queue import ExecutionQueue
from evalkit.emulator.runtime.isolation import (
    AUTO,
    Isolation,
    IsolationChoice,
    choose_isolation,
    make_data_private,
    requested_isolation,
)
from evalkit.emulator.runtime.job import InputFile
from evalkit.emulator.runtime.sandbox_env import read_passed_env
from evalkit.emulator.store.agents import AgentStore
from evalkit.emulator.store.blobs import BlobStore
from evalkit.emulator.store.db import Database
from evalkit.emulator.store.executions import (
    RESTART_ERROR,
    ExecutionRecord,
    ExecutionStore,
    NewExecution,
)
from evalkit.emulator.store.feedback import ReviewStore
from evalkit.emulator.store.idempotency import IdempotencyStore
from evalkit.emulator.store.ids import new_execution_id
from evalkit.emulator.store.lock import FolderLock
from evalkit.emulator.store.workspace_cache import FOLDER_NAME as WORKSPACES_FOLDER
from evalkit.emulator.store.workspace_cache import WorkspaceCache
from evalkit.emulator.worker import ExecutionWorker
from evalkit.emulator.workflows.contract import AgentStepResult
from evalkit.emulator.workflows.service import WorkflowService

logger = logging.getLogger("evalkit.emulator")
#: how often a waiting agent step checks its cancel flag
STEP_POLL_SECONDS = 0.2


@dataclass(frozen=True)
class RunRequest:
    input_json: dict[str, Any]
    metadata: dict[str, Any] | None
    input_files: list[InputFile]


class Platform:
    def __init__(self, config: PlatformConfig) -> None:
        self.config = config
        self._temp_dir: Path | None = None
        if config.data_dir is None:
            self._temp_dir = Path(tempfile.mkdtemp(prefix="evalkit-platform-"))
        # Absolute: agent programs run in other folders, and the isolation probe from there.
        self.data_dir = (self._temp_dir or Path(config.data_dir or ".")).resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = FolderLock(self.data_dir)
        # An explicit mode is checked here, by starting a program: a machine that cannot have
        # it fails the start. ``auto`` always gets one: it is chosen once the platform is up.
        self._isolation = IsolationChoice()
        explicit: Isolation | None = None
        try:
            if requested_isolation(config.isolation) != AUTO:
                explicit = self._choose_isolation()
        except BaseException:
            self._lock.release()
            if self._temp_dir is not None:
                shutil.rmtree(self._temp_dir, ignore_errors=True)
            raise
        self.db = Database(self.data_dir / "platform.sqlite3")
        self.blobs = BlobStore(self.data_dir / "blobs")
        self.agents = AgentStore(self.db, self.blobs)
        self.workspaces = WorkspaceCache(self.data_dir / WORKSPACES_FOLDER, self.agents)
        self.executions = ExecutionStore(self.db, self.blobs)
        self.reviews = ReviewStore(self.db, self.blobs, self.executions)
        self.idempotency = IdempotencyStore(self.db, config.idempotency_ttl_seconds)
        self.holds = HoldRegistry()
        self.faults = FaultInjector(config.faults)
        #: read once, now: what every program gets of ``config.pass_env`` (in memory only)
        self.passed_env = read_passed_env(config.pass_env)
        recovered = self.executions.fail_unfinished(RESTART_ERROR)
        if recovered:
            logger.warning("%d unfinished execution(s) marked failed after a restart", recovered)
        # Scratch folders of runs cut short by a crash: nothing will ever read them.
        scratch_dir = self._scratch_dir = self.data_dir / "scratch"
        shutil.rmtree(scratch_dir, ignore_errors=True)
        self.worker = ExecutionWorker(
            agents=self.agents,
            workspaces=self.workspaces,
            executions=self.executions,
            holds=self.holds,
            faults=self.faults,
            scratch_dir=scratch_dir,
            runner=config.runner,
            isolation=self._isolation,
            passed_env=self.passed_env.values,
        )
        self.queue = ExecutionQueue(
            workers=config.worker_count,
            handle=self.worker.handle,
            on_loop=self.worker.start_on_loop,
        )
        self._closed = False
        self._close_lock = threading.Lock()
        self.workflows: WorkflowService | None = None
        try:
            self.workflows = self._load_workflows()
        except BaseException:  # e.g. a bad workflow file: stop what already started
            self.close()
            raise
        if explicit is None:
            self._isolation.choose_in_background(self._choose_in_background)
        else:
            self._isolation.settle(self._with_data_private(explicit))

    @property
    def isolation(self) -> Isolation:
        """How agent programs are kept from the platform; waits while it is being chosen."""
        return self._isolation.get()

    # -- runs ------------------------------------------------------------------------------

    def start_run(
        self,
        agent_ref: str,
        request: RunRequest,
        *,
        execution_id: str | None = None,
        source_execution_id: str | None = None,
        via_api: bool = True,
    ) -> ExecutionRecord:
        """Queue a run; the record as it is now (a worker may have started it already)."""
        record = self.queue_run(
            agent_ref,
            request,
            execution_id=execution_id,
            source_execution_id=source_execution_id,
            via_api=via_api,
        )
        return self.executions.get(record.id)

    def queue_run(
        self,
        agent_ref: str,
        request: RunRequest,
        *,
        execution_id: str | None = None,
        source_execution_id: str | None = None,
        via_api: bool = True,
    ) -> ExecutionRecord:
        """Store a run as ``pending`` and queue it; the record as stored (one transaction)."""
        agent = self.agents.get(agent_ref)
        if via_api and not agent.api_trigger_enabled:
            raise ApiProblem(
                403,
                ErrorCode.API_TRIGGER_DISABLED,
                f"agent {agent.slug!r} does not accept API runs"
                " (config.triggers.api.enabled is false)",
                hint="set config.triggers.api.enabled to true to allow runs through the API",
            )
        record = self.executions.create(
            NewExecution(
                execution_id=execution_id or new_execution_id(),
                agent_id=agent.id,
                input_json=request.input_json,
                metadata=request.metadata,
                input_files=request.input_files,
                source_execution_id=source_execution_id,
            ),
            status="pending",
        )
        self.queue.put(record.id)
        return record

    def rerun(self, execution_id: str, *, new_id: str | None = None) -> ExecutionRecord:
        """A new run from the stored input snapshot (JSON, files) and metadata."""
        source = self.executions.get(execution_id)
        request = RunRequest(
            input_json=source.json_column("input_json") or {},
            metadata=source.json_column("metadata"),
            input_files=self.executions.input_files(source.id),
        )
        return self.start_run(
            source.agent_id, request, execution_id=new_id, source_execution_id=source.id
        )

    def cancel(self, execution_id: str) -> ExecutionRecord:
        """Queued: cancelled at once. Running: the program is stopped (waits a grace period)."""
        record = self.executions.get(execution_id)
        if record.is_terminal:
            return record
        if self.executions.move(
            record.id,
            "cancelled",
            when=("created", "pending"),
            completed_at=utc_now(),
            error="cancelled",
        ):
            self.holds.notify(record.id)
            return self.executions.get(record.id)
        ended = self.holds.watch_thread(record.id)
        try:
            # It may have ended since the first read, before the watch was in place.
            still_running = not self.executions.get(record.id).is_terminal
            if still_running and self.worker.cancel_running(record.id):
                ended.wait(self.config.cancel_grace_seconds)
        finally:
            self.holds.forget(record.id, ended)
        return self.executions.get(record.id)

    def run_agent_and_wait(
        self,
        agent: str,
        input_json: dict[str, Any],
        *,
        cancel: threading.Event,
        timeout_seconds: float,
        input_files: Sequence[InputFile] = (),
    ) -> AgentStepResult:
        """``AgentInvoker`` for the workflow engine's agent steps."""
        execution_id = new_execution_id()
        ended = self.holds.watch_thread(execution_id)
        try:
            request = RunRequest(dict(input_json), None, list(input_files))
            self.queue_run(agent, request, execution_id=execution_id, via_api=False)
            deadline = time.monotonic() + timeout_seconds
            # Wake on the end, or now and then to notice a cancel or the deadline.
            while not ended.wait(min(STEP_POLL_SECONDS, max(0.0, deadline - time.monotonic()))):
                if cancel.is_set() or time.monotonic() >= deadline:
                    self.cancel(execution_id)
                    break
        finally:
            self.holds.forget(execution_id, ended)
        record = self.executions.get(execution_id)
        if not record.is_terminal:
            error = f"the agent step did not finish within {timeout_seconds} s"
            return AgentStepResult("failed", None, error, execution_id)
        return AgentStepResult(
            record.status, record.json_column("output"), record.error, execution_id
        )

    # -- lifecycle -------------------------------------------------------------------------

    def reset(self) -> None:
        """Wipe all state (tests): running jobs are cancelled, their results discarded."""
        self.worker.cancel_all()
        self.db.wipe()
        self.blobs.wipe()
        self.workspaces.wipe()
        if self.workflows is not None:  # workflow history lives in its own database
            self.workflows.reset()

    def begin_shutdown(self) -> None:
        """Stop new work, stop running programs, release held requests."""
        self.worker.closing = True
        self.worker.cancel_all()
        self.holds.release_all()

    def close(self) -> None:
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        self.begin_shutdown()
        self._isolation.wait()  # its check runs a program in the data folder
        self.queue.close()
        if self.workflows is not None:
            self.workflows.close()
        self.db.close()
        self._lock.release()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)

    def _choose_isolation(self) -> Isolation:
        """``choose_isolation`` for this platform, said in the log."""
        config = self.config
        isolation = choose_isolation(config.isolation, self.data_dir, config.hidden_paths)
        logger.info("%s", isolation.describe())
        return isolation

    def _with_data_private(self, isolation: Isolation) -> Isolation:
        """``isolation``, once the platform's files (the workflows' included) are kept from
        programs that run as another user."""
        if isolation.run_as is not None:
            make_data_private(self.data_dir, self._scratch_dir)
        return isolation

    def _choose_in_background(self) -> Isolation:
        try:
            return self._with_data_private(self._choose_isolation())
        except Exception:
            logger.exception("the agent isolation could not be chosen; programs cannot run")
            raise

    def _load_workflows(self) -> WorkflowService:
        return WorkflowService(
            definitions_dir=self.config.workflows_dir,
            database=self.data_dir / "workflows.sqlite3",
            invoker=self,
            workers=2,
            max_part_bytes=self.config.max_body_bytes,
        )
