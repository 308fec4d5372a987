"""The workflows of the local platform (contract A6, Part B11): definitions and state.

No HTTP here: ``evalkit.emulator.routes.workflows`` serves it (the app puts the service in
``app.state.workflows``). Its methods raise ``ApiProblem``, which the app renders.
"""

from __future__ import annotations

from pathlib import Path

from evalkit.emulator.config import DEFAULT_MAX_BODY_BYTES
from evalkit.emulator.problems import ApiProblem, not_found
from evalkit.emulator.workflows.catalog import VersionDef, WorkflowDef, load_catalog
from evalkit.emulator.workflows.contract import AgentInvoker
from evalkit.emulator.workflows.engine import WorkflowEngine
from evalkit.emulator.workflows.store import ExecutionRow, WorkflowStore

LATEST = "latest"


class WorkflowService:
    """Loads the definitions (raising ``WorkflowDefinitionError`` on a bad file) and runs them."""

    def __init__(
        self,
        *,
        definitions_dir: Path | None,
        database: Path,
        invoker: AgentInvoker,
        workers: int = 2,
        max_part_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be 1 or more, got {workers}")
        #: the largest file (or text field) a multipart run may carry
        self.max_part_bytes = max_part_bytes
        self.workflows: list[WorkflowDef] = load_catalog(definitions_dir)
        self.store = WorkflowStore(database)
        ids = [w.id for w in self.workflows] + [v.id for w in self.workflows for v in w.versions]
        #: when each workflow and version id was first seen (createdAt), kept across restarts
        self.seen = self.store.first_seen(ids) if ids else {}
        self.engine = WorkflowEngine(self.store, invoker, workers)
        self._closed = False

    def reset(self) -> None:
        """Wipe the executions (``/_emulator/reset``); the definitions stay as loaded."""
        self.engine.reset()

    def close(self) -> None:
        """Cancel running executions, wait for the workers, close the database (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self.engine.close()
        self.store.close()

    def workflow(self, ident: str) -> WorkflowDef:
        """A workflow by id (``wf_...``) or name; 404 otherwise."""
        for workflow in self.workflows:
            if ident in (workflow.id, workflow.name):
                return workflow
        raise not_found("workflow", ident)

    def version(self, workflow: WorkflowDef, wanted: str | None) -> VersionDef:
        """``latest`` (the current version), a version id, or a version label; 404 otherwise."""
        if wanted is None or wanted == LATEST:
            return workflow.current
        for version in workflow.versions:
            if wanted in (version.id, version.label):
                return version
        raise ApiProblem(
            404,
            "not_found",
            f"workflow {workflow.name!r} has no version {wanted!r}",
            field="version",
            hint=f"use 'latest', a version id (wfh_...) or one of: "
            f"{', '.join(v.label for v in workflow.versions)}",
        )

    def execution(self, execution_id: str) -> ExecutionRow:
        row = self.store.get(execution_id)
        if row is None:
            raise not_found("workflow execution", execution_id)
        return row
