"""What a worker does with one execution id: run it through the agent runtime and store it."""

from __future__ import annotations

import asyncio
import logging
import shutil
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from evalkit.emulator.config import AgentRunner
from evalkit.emulator.faults import FaultInjector
from evalkit.emulator.holds import HoldRegistry
from evalkit.emulator.runtime import runtime_config
from evalkit.emulator.runtime.builtins import BuiltinRun, plan_builtin
from evalkit.emulator.runtime.isolation import Isolation, IsolationChoice
from evalkit.emulator.runtime.job import AgentJob, AgentOutcome, InputFile
from evalkit.emulator.runtime.workspace import LazyWorkspace, WorkspaceError
from evalkit.emulator.store.agents import AgentStore
from evalkit.emulator.store.executions import ExecutionRecord, ExecutionStore
from evalkit.emulator.store.workspace_cache import WorkspaceCache

logger = logging.getLogger("evalkit.emulator")

INJECTED_FAILURE = "injected execution failure (fault injection)"


def _cancel(running: tuple[threading.Event, Callable[[], None] | None]) -> None:
    event, wake = running
    event.set()
    if wake is not None:
        wake()


def _final(outcome: AgentOutcome) -> BuiltinRun:
    """An outcome known at the start: no delay, no cancel changes it."""
    return BuiltinRun(outcome, 0.0, 0.0, final=True)


class _LoopRun:
    """A builtin's run on the event loop: its delay is a timer; ``cancel`` ends it now, from
    any thread (on the loop, or through it while it runs). It ends once."""

    def __init__(self, end: Callable[[bool], None]) -> None:
        self._loop = asyncio.get_running_loop()
        self._end = end
        self._timer: asyncio.TimerHandle | None = None
        self._ended = False
        self._lock = threading.Lock()  # two cancels off a stopped loop must not both end it

    def wait(self, seconds: float) -> None:
        self._timer = self._loop.call_later(seconds, self._finish, False)

    def cancel(self) -> None:
        loop = self._loop
        if asyncio._get_running_loop() is loop or not loop.is_running():
            self._finish(True)  # on the loop, or nothing runs on it any more
            return
        try:
            loop.call_soon_threadsafe(self._finish, True)
        except RuntimeError:  # closed meanwhile
            self._finish(True)

    def _finish(self, cancelled: bool) -> None:
        with self._lock:
            if self._ended:
                return
            self._ended = True
        if self._timer is not None:
            self._timer.cancel()
        self._end(cancelled)


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
        #: the executions running, each its cancel event and what else wakes it (loop runs)
        self._running: dict[str, tuple[threading.Event, Callable[[], None] | None]] = {}
        self.closing = False

    def handle(self, execution_id: str) -> None:
        """Run one execution to its end (on a worker thread)."""
        if self.closing:
            return  # left pending: marked failed ("platform restarted") at the next start
        cancel = self._register(execution_id)
        try:
            started = self._executions.start(execution_id)
        except BaseException:
            self._ended(execution_id)
            raise
        if started is None:  # cancelled while queued, or wiped by a reset
            self._ended(execution_id)
            return
        self._go_on(*started, cancel)

    def start_on_loop(
        self,
        execution_id: str,
        done: Callable[[], None],
        to_thread: Callable[[Callable[[], None]], None],
    ) -> bool:
        """Start an execution on the event loop's thread (``ExecutionQueue``'s ``on_loop``).

        A builtin runtime's run without files (the default runner) runs on the loop to its
        end: its delay is a timer, its end is stored and its held requests answered there, with
        no thread hand-off. Any other run, once started, goes on on a worker thread. False
        while the platform closes (the thread path leaves it pending)."""
        if self.closing:
            return False
        cancel = self._register(execution_id)
        try:
            started = self._executions.start(execution_id)
            if started is None:  # cancelled while queued, or wiped by a reset
                self._ended(execution_id)
                done()
                return True
            record, input_files = started
            run = self._builtin_run(record, input_files, cancel)
        except BaseException:
            self._ended(execution_id)
            raise
        if run is None:
            to_thread(lambda: self._go_on(record, input_files, cancel))
            return True
        if run.has_files:  # storing them is file work: not on the loop
            to_thread(lambda: self._end_builtin(record, run, cancel))
            return True
        if not run.delay_seconds or run.final:  # its end is now
            self._end_on_loop(record, run, cancel.is_set(), done)
            return True
        loop_run = _LoopRun(lambda cancelled: self._end_on_loop(record, run, cancelled, done))
        loop_run.wait(run.delay_seconds)
        self._register(execution_id, cancel, loop_run.cancel)
        if cancel.is_set():  # asked before the line above
            loop_run.cancel()
        return True

    def cancel_running(self, execution_id: str) -> bool:
        """Ask a running job to stop; False when it is not running here."""
        with self._lock:
            running = self._running.get(execution_id)
        if running is None:
            return False
        _cancel(running)
        return True

    def cancel_all(self) -> None:
        with self._lock:
            everything = list(self._running.values())
        for running in everything:
            _cancel(running)

    # -- one execution ---------------------------------------------------------------------

    def _register(
        self,
        execution_id: str,
        cancel: threading.Event | None = None,
        wake: Callable[[], None] | None = None,
    ) -> threading.Event:
        """Make the execution cancellable (``cancel_running``): its event is set, and ``wake``
        called, when a cancel comes."""
        cancel = cancel or threading.Event()
        with self._lock:
            self._running[execution_id] = (cancel, wake)
        return cancel

    def _ended(self, execution_id: str) -> None:
        with self._lock:
            self._running.pop(execution_id, None)
        self._holds.notify(execution_id)

    def _go_on(
        self, record: ExecutionRecord, input_files: list[InputFile], cancel: threading.Event
    ) -> None:
        """A started execution, on a worker thread: its runtime, then its end stored."""
        execution_id = record.id
        scratch = self._scratch_dir / execution_id
        try:
            outcome = self._outcome(record, input_files, cancel, scratch)
            self._store(record, outcome)
        finally:
            if scratch.exists():  # a program run made it; a builtin one never does
                shutil.rmtree(scratch, ignore_errors=True)
            self._ended(execution_id)

    def _store(self, record: ExecutionRecord, outcome: AgentOutcome) -> None:
        if outcome.output_files or outcome.issues or outcome.trace:
            # Storing files takes a while: say so meanwhile. Without files the outcome is
            # stored at once, in one transaction.
            self._executions.move(record.id, "finalizing", when=("running",))
        self._executions.finish(record.id, outcome, started=record)

    def _builtin_run(
        self, record: ExecutionRecord, input_files: list[InputFile], cancel: threading.Event
    ) -> BuiltinRun | None:
        """A builtin runtime's run, started (an injected failure is one too); None when the
        run is not one for the loop: a custom runner, a program, input files."""
        if self._runner is not default_runner or input_files:
            return None
        try:
            agent = self._agents.get(record.agent_id)
        except Exception:  # the thread's path says what went wrong, as for any run
            return None
        runtime = runtime_config(agent.execution_config)
        if isinstance(runtime, str) or "builtin" not in runtime:
            return None
        if self._faults.execution_should_fail():
            return _final(AgentOutcome(status="failed", error=INJECTED_FAILURE))
        job = AgentJob(
            execution_id=record.id,
            workspace={},  # a builtin never reads it
            config=agent.execution_config or {},
            input_json=record.json_column("input_json") or {},
            input_files=[],
            scratch_root=self._scratch_dir / record.id,  # never made: a builtin needs none
            cancel=cancel,
            isolation=self._isolation,
            agent_id=agent.id,
            passed_env=self._passed_env,
        )
        try:
            return plan_builtin(job, runtime)
        except Exception as err:
            logger.exception("execution %s: the agent runtime raised", record.id)
            return _final(AgentOutcome(status="failed", error=f"internal runtime error: {err}"))

    def _end_builtin(
        self, record: ExecutionRecord, run: BuiltinRun, cancel: threading.Event
    ) -> None:
        """A builtin's run started on the loop whose outcome has files: waited for and stored
        on a worker thread."""
        try:
            if run.delay_seconds and not run.final:
                cancel.wait(run.delay_seconds)
            self._store(record, run.end(cancelled=cancel.is_set()))
        finally:
            self._ended(record.id)

    def _end_on_loop(
        self, record: ExecutionRecord, run: BuiltinRun, cancelled: bool, done: Callable[[], None]
    ) -> None:
        try:
            self._store(record, run.end(cancelled=cancelled))
        except Exception:  # a callback of the loop: say it, answer the held requests anyway
            logger.exception("execution %s: its end could not be stored", record.id)
        finally:
            self._ended(record.id)
            done()

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
        custom = self._runner is not default_runner
        try:
            if custom:
                # A custom runner is promised its folder; the default runtime makes it only for
                # a program (a builtin needs none), saving two file system calls per run.
                scratch.mkdir(parents=True, exist_ok=True)
            # The platform's runtimes read the runtime alone (the view kept parsed); a custom
            # runner is given the whole config.
            job = AgentJob(
                execution_id=record.id,
                workspace=workspace,
                config=(agent.config if custom else agent.execution_config) or {},
                input_json=record.json_column("input_json") or {},
                input_files=input_files,
                scratch_root=scratch,
                cancel=cancel,
                isolation=self._isolation,
                agent_id=agent.id,
                passed_env=self._passed_env,
            )
            return self._runner(job)
        except WorkspaceError as err:  # the agent's stored files, not the platform: no traceback
            return AgentOutcome(status="failed", error=str(err))
        except Exception as err:
            logger.exception("execution %s: the agent runtime raised", record.id)
            return AgentOutcome(status="failed", error=f"internal runtime error: {err}")
        finally:
            workspace.close()
