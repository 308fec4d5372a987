"""The workflow store: conditional status moves, first-seen times, crash recovery."""

from __future__ import annotations

from pathlib import Path

from evalkit.emulator.workflows.engine import STOPPED_ERROR, WorkflowEngine
from evalkit.emulator.workflows.store import ExecutionQuery, ExecutionRow, WorkflowStore

from .conftest import FakeInvoker


def row(
    execution_id: str, status: str = "pending", created_at: str = "2026-01-01T00:00:00.000Z"
) -> ExecutionRow:
    return ExecutionRow(
        id=execution_id,
        workflow_id="wf_1",
        workflow_name="flow",
        version_id="wfh_1",
        version_label="current",
        status=status,
        trigger_type="api",
        trigger_input={"a": 1},
        example_id=None,
        result=None,
        has_result=False,
        error=None,
        steps=[],
        created_at=created_at,
        started_at=None,
        completed_at=None,
        duration_ms=None,
    )


def test_move_only_from_the_given_statuses(tmp_path: Path) -> None:
    store = WorkflowStore(tmp_path / "wf.sqlite")
    store.insert(row("exec_1"))
    assert store.move("exec_1", ("pending",), "running")
    assert not store.move("exec_1", ("pending",), "cancelled")
    assert store.move("exec_1", ("running",), "completed", result=None)
    stored = store.get("exec_1")
    assert stored is not None
    assert (stored.status, stored.result, stored.has_result) == ("completed", None, True)
    store.close()


def test_first_seen_keeps_the_first_time(tmp_path: Path) -> None:
    store = WorkflowStore(tmp_path / "wf.sqlite")
    first = store.first_seen(["wf_a"])
    store.close()
    reopened = WorkflowStore(tmp_path / "wf.sqlite")
    assert reopened.first_seen(["wf_a", "wf_b"])["wf_a"] == first["wf_a"]
    reopened.close()


def test_query_orders_newest_first_and_counts(tmp_path: Path) -> None:
    store = WorkflowStore(tmp_path / "wf.sqlite")
    store.insert(row("exec_old", created_at="2026-01-01T00:00:00.000Z"))
    store.insert(row("exec_new", created_at="2026-02-01T00:00:00.000Z"))
    store.insert(row("exec_done", status="completed", created_at="2026-03-01T00:00:00.000Z"))
    rows, total = store.query(ExecutionQuery(workflow_id="wf_1", statuses=["pending"], limit=1))
    assert total == 2
    assert [r.id for r in rows] == ["exec_new"]
    rows, total = store.query(
        ExecutionQuery(workflow_id="wf_1", created_to="2026-01-01T00:00:00.000Z")
    )
    assert [r.id for r in rows] == ["exec_old"]
    store.close()


def test_unfinished_executions_fail_when_the_engine_starts(tmp_path: Path) -> None:
    store = WorkflowStore(tmp_path / "wf.sqlite")
    store.insert(row("exec_crashed", status="running"))
    store.insert(row("exec_fine", status="completed"))
    engine = WorkflowEngine(store, FakeInvoker(), workers=1)
    crashed = store.get("exec_crashed")
    assert crashed is not None
    assert (crashed.status, crashed.error) == ("failed", STOPPED_ERROR)
    assert crashed.completed_at is not None
    fine = store.get("exec_fine")
    assert fine is not None
    assert fine.status == "completed"
    engine.close()
    store.close()


def test_wipe_forgets_executions_but_not_first_seen_times(tmp_path: Path) -> None:
    store = WorkflowStore(tmp_path / "wf.sqlite")
    seen = store.first_seen(["wf_1"])
    store.insert(row("exec_1"))
    store.insert(row("exec_2", status="completed"))
    store.wipe_executions()
    assert store.get("exec_1") is None
    assert store.query(ExecutionQuery(workflow_id="wf_1")) == ([], 0)
    assert not store.move("exec_1", ("pending",), "running")  # a late worker write lands nowhere
    assert store.first_seen(["wf_1"]) == seen
    store.insert(row("exec_1"))  # the id is free again
    assert store.unfinished_ids() == ["exec_1"]
    store.close()
