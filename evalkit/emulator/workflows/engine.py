"""Run workflow executions on a small thread pool: steps in order, overrides, cancel.

Lifecycle (contract A3): ``pending`` when accepted, ``running`` once a worker takes it, then
``completed`` (with ``result``), ``failed`` (with ``error``) or ``cancelled``. A cancel of a
pending execution ends it at once; of a running one it sets the run's cancel event, which
the current step honours (an agent step passes it to the agent run).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from evalkit.api import utc_now
from evalkit.emulator.holds import HoldRegistry
from evalkit.emulator.runtime.job import InputFile
from evalkit.emulator.store.ids import new_execution_id
from evalkit.emulator.workflows.catalog import VersionDef, WorkflowDef
from evalkit.emulator.workflows.contract import AgentInvoker
from evalkit.emulator.workflows.definitions import StepSpec
from evalkit.emulator.workflows.steps import StepCancelled, StepFailed, as_json, run_step
from evalkit.emulator.workflows.store import UNFINISHED, ExecutionRow, WorkflowStore
from evalkit.emulator.workflows.templating import TemplateError, render

STOPPED_ERROR = "the platform stopped before this execution finished"
CancelAnswer = Literal["cancelled", "cancellation-requested", "already-terminal"]


@dataclass(frozen=True)
class RunRequest:
    workflow: WorkflowDef
    version: VersionDef
    input: dict[str, Any]
    files: list[InputFile] = field(default_factory=list)
    #: step id -> the output that replaces the step
    overrides: dict[str, Any] = field(default_factory=dict)
    trigger: str = "api"
    example_id: str | None = None


class WorkflowEngine:
    def __init__(self, store: WorkflowStore, invoker: AgentInvoker, workers: int) -> None:
        self._store = store
        self._invoker = invoker
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="workflow")
        self._cancels: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self.holds = HoldRegistry()
        self._fail_unfinished()  # left over by a previous process that stopped mid-run

    def start(self, request: RunRequest) -> ExecutionRow:
        trigger_input = as_json({**request.input, **{f.field: f for f in request.files}})
        row = ExecutionRow(
            id=new_execution_id(),
            workflow_id=request.workflow.id,
            workflow_name=request.workflow.name,
            version_id=request.version.id,
            version_label=request.version.label,
            status="pending",
            trigger_type=request.trigger,
            trigger_input=trigger_input,
            example_id=request.example_id,
            result=None,
            has_result=False,
            error=None,
            steps=[_step_record(step) for step in request.version.spec.steps],
            created_at=utc_now(),
            started_at=None,
            completed_at=None,
            duration_ms=None,
        )
        self._store.insert(row)
        cancel = threading.Event()
        with self._lock:
            self._cancels[row.id] = cancel
        self._pool.submit(self._execute, row, request, cancel)
        return row

    def cancel(self, execution_id: str, was_status: str) -> CancelAnswer:
        if self._store.move(
            execution_id, ("created", "pending"), "cancelled", completed_at=utc_now()
        ):
            self._finish_bookkeeping(execution_id)
            return "cancelled"
        if was_status in UNFINISHED:
            with self._lock:
                cancel = self._cancels.get(execution_id)
            if cancel is not None:
                cancel.set()
                return "cancellation-requested"
        return "already-terminal"

    def reset(self) -> None:
        """Forget every execution: running ones are told to stop and their ends are discarded
        (their rows are gone, so the workers' last writes match nothing); held requests wake."""
        with self._lock:
            cancels = list(self._cancels.values())
            self._cancels.clear()
        for cancel in cancels:
            cancel.set()
        self._store.wipe_executions()
        self.holds.release_all()

    def close(self) -> None:
        with self._lock:
            cancels = list(self._cancels.values())
        for cancel in cancels:
            cancel.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._fail_unfinished()
        self.holds.release_all()

    def _execute(self, row: ExecutionRow, request: RunRequest, cancel: threading.Event) -> None:
        started = time.monotonic()
        if not self._store.move(row.id, ("pending",), "running", started_at=utc_now()):
            self._finish_bookkeeping(row.id)  # cancelled or wiped before a worker took it
            return
        steps = [dict(record) for record in row.steps]
        try:
            status, result, error = self._run_steps(row.id, request, steps, cancel)
        except Exception as err:  # a bug here must still end the execution
            status, result, error = "failed", None, f"internal error: {err}"
        for record in steps:
            if record["status"] in ("pending", "running"):
                record["status"] = "skipped"
        fields: dict[str, Any] = {
            "completed_at": utc_now(),
            "duration_ms": round((time.monotonic() - started) * 1000),
            "steps": steps,
            "error": error,
        }
        if status == "completed":
            fields["result"] = result
        self._store.move(row.id, ("running",), status, **fields)
        self._finish_bookkeeping(row.id)

    def _run_steps(
        self,
        execution_id: str,
        request: RunRequest,
        steps: list[dict[str, Any]],
        cancel: threading.Event,
    ) -> tuple[str, Any, str | None]:
        spec = request.version.spec
        workflow_input: dict[str, Any] = {**request.input, **{f.field: f for f in request.files}}
        context: dict[str, Any] = {"input": workflow_input, "steps": {}}
        last_output: Any = None
        for step, record in zip(spec.steps, steps, strict=True):
            if cancel.is_set():
                return "cancelled", None, None
            if step.id in request.overrides:
                last_output = request.overrides[step.id]
                record.update(status="skipped", overridden=True, output=last_output)
                context["steps"][step.id] = {"output": last_output}
                continue
            record.update(status="running", startedAt=utc_now())
            self._store.save_steps(execution_id, steps)
            step_started = time.monotonic()
            try:
                run = run_step(step, context, invoker=self._invoker, cancel=cancel)
            except StepCancelled as stop:
                _end(record, step_started, "cancelled", execution_id=stop.execution_id)
                return "cancelled", None, None
            except StepFailed as failure:
                _end(
                    record,
                    step_started,
                    "failed",
                    error=str(failure),
                    execution_id=failure.execution_id,
                )
                return "failed", None, f"step {step.id!r} failed: {failure}"
            except Exception as err:  # an invoker bug fails the step, not the worker
                _end(record, step_started, "failed", error=f"internal error: {err}")
                return "failed", None, f"step {step.id!r} failed: internal error: {err}"
            _end(
                record, step_started, "completed", output=run.output, execution_id=run.execution_id
            )
            context["steps"][step.id] = {"output": run.output}
            last_output = run.output
            self._store.save_steps(execution_id, steps)
        if spec.output is None:
            return "completed", last_output, None
        try:
            return "completed", as_json(render(spec.output, context)), None
        except TemplateError as err:
            return "failed", None, f"output: {err}"

    def _finish_bookkeeping(self, execution_id: str) -> None:
        with self._lock:
            self._cancels.pop(execution_id, None)
        self.holds.notify(execution_id)

    def _fail_unfinished(self) -> None:
        for execution_id in self._store.unfinished_ids():
            self._store.move(
                execution_id, UNFINISHED, "failed", error=STOPPED_ERROR, completed_at=utc_now()
            )


def _step_record(step: StepSpec) -> dict[str, Any]:
    record: dict[str, Any] = {"id": step.id, "kind": step.kind}
    record["agent" if step.agent is not None else "builtin"] = step.agent or step.builtin
    record.update(
        status="pending",
        overridden=False,
        output=None,
        error=None,
        executionId=None,
        startedAt=None,
        completedAt=None,
        durationMs=None,
    )
    return record


def _end(record: dict[str, Any], started: float, status: str, **values: Any) -> None:
    record.update(status=status, completedAt=utc_now())
    record["durationMs"] = round((time.monotonic() - started) * 1000)
    for key, value in values.items():
        record["executionId" if key == "execution_id" else key] = value
