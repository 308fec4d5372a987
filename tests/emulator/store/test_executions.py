"""The execution store's lifecycle steps: each one transaction that reads back what it wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.emulator.problems import ApiProblem
from evalkit.emulator.runtime.job import AgentOutcome, InputFile, NamedBlob
from evalkit.emulator.store.blobs import BlobStore
from evalkit.emulator.store.db import Database
from evalkit.emulator.store.executions import (
    FAIL_UNFINISHED_STATEMENT,
    UNFINISHED,
    ExecutionRecord,
    ExecutionStore,
    NewExecution,
)


@pytest.fixture
def store(tmp_path: Path) -> ExecutionStore:
    return ExecutionStore(Database(tmp_path / "db.sqlite3"), BlobStore(tmp_path / "blobs"))


def new(execution_id: str = "exec_1", files: list[InputFile] | None = None) -> NewExecution:
    return NewExecution(
        execution_id=execution_id,
        agent_id="awf_1",
        input_json={"n": 1},
        metadata={"batchId": "b", "exampleName": "ex"},
        input_files=files or [],
    )


def test_create_answers_the_stored_record_in_the_status_asked(store: ExecutionStore) -> None:
    created = store.create(new("exec_1"))
    queued = store.create(new("exec_2"), status="pending")
    assert created.status == "created"
    assert queued.status == "pending"
    assert (queued.batch_id, queued.example_name) == ("b", "ex")
    assert queued.json_column("input_json") == {"n": 1}
    assert store.get("exec_2").row == queued.row  # what was answered is what is stored


def test_create_stores_input_files(store: ExecutionStore) -> None:
    store.create(new(files=[InputFile("doc", "a.txt", b"hello", "text/plain")]))
    [stored] = store.input_files("exec_1")
    assert (stored.field, stored.filename, stored.content) == ("doc", "a.txt", b"hello")


def test_start_moves_a_queued_execution_to_running_and_answers_it_with_its_inputs(
    store: ExecutionStore,
) -> None:
    store.create(new(files=[InputFile("doc", "a.txt", b"hello")]), status="pending")
    started = store.start("exec_1")
    assert started is not None
    record, inputs = started
    assert record.status == "running"
    assert record.started_at is not None
    assert store.get("exec_1").row == record.row
    assert [(f.field, f.filename, f.content) for f in inputs] == [("doc", "a.txt", b"hello")]


def start(store: ExecutionStore, execution_id: str = "exec_1") -> ExecutionRecord:
    started = store.start(execution_id)
    assert started is not None
    return started[0]


@pytest.mark.parametrize("status", ["running", "cancelled", "completed"])
def test_start_leaves_an_execution_that_is_not_queued(store: ExecutionStore, status: str) -> None:
    store.create(new(), status=status)
    assert store.start("exec_1") is None
    assert store.get("exec_1").status == status
    assert store.start("exec_missing") is None


def test_finish_with_the_started_record_reads_nothing_and_stores_the_outcome(
    store: ExecutionStore,
) -> None:
    store.create(new(), status="pending")
    started = start(store)
    outcome = AgentOutcome(
        status="completed", output={"ok": True}, output_files=[NamedBlob("out.txt", b"x")]
    )
    assert store.finish("exec_1", outcome, started=started)
    done = store.get("exec_1")
    assert done.status == "completed"
    assert done.json_column("output") == {"ok": True}
    assert done.duration_ms >= 0
    assert done.json_column("cost")["durationMs"] == done.duration_ms
    assert [f.name for f in store.files("exec_1", "output")] == ["out.txt"]


def test_finish_does_not_overwrite_an_execution_cancelled_meanwhile(
    store: ExecutionStore,
) -> None:
    store.create(new(), status="pending")
    started = start(store)
    assert store.move("exec_1", "cancelled", when=("running",), error="cancelled")
    assert not store.finish("exec_1", AgentOutcome(status="completed"), started=started)
    assert store.get("exec_1").status == "cancelled"


def test_get_with_files_reads_an_execution_and_its_files_by_kind(store: ExecutionStore) -> None:
    store.create(new(files=[InputFile("doc", "a.txt", b"hello")]), status="pending")
    started = start(store)
    outcome = AgentOutcome(status="completed", output_files=[NamedBlob("out.txt", b"x")])
    store.finish("exec_1", outcome, started=started)
    record, files = store.get_with_files("exec_1")
    assert record.row == store.get("exec_1").row
    assert {kind: [f.name for f in found] for kind, found in files.items()} == {
        "input": ["a.txt"],
        "output": ["out.txt"],
    }


def test_get_with_files_of_an_unknown_execution_is_not_found(store: ExecutionStore) -> None:
    with pytest.raises(ApiProblem) as caught:
        store.get_with_files("exec_missing")
    assert caught.value.status == 404


def test_a_restart_fails_every_unfinished_execution_and_leaves_the_ended_ones(
    store: ExecutionStore,
) -> None:
    store.create(new("exec_created"))
    store.create(new("exec_pending"), status="pending")
    store.create(new("exec_done"), status="pending")
    store.finish("exec_done", AgentOutcome(status="completed", output={"ok": True}))
    assert store.fail_unfinished("platform restarted") == 2
    assert store.get("exec_created").status == "failed"
    assert store.get("exec_pending").error == "platform restarted"
    assert store.get("exec_done").status == "completed"


def test_the_restart_sweep_reads_the_status_index_not_the_whole_table(tmp_path: Path) -> None:
    """It runs at every platform start: a scan grew with every execution ever stored."""
    database = Database(tmp_path / "db.sqlite3")
    ExecutionStore(database, BlobStore(tmp_path / "blobs"))
    with database.read() as conn:
        plan = conn.execute(
            "EXPLAIN QUERY PLAN " + FAIL_UNFINISHED_STATEMENT, ("e", "t", *UNFINISHED)
        ).fetchall()
    details = " ".join(row[3] for row in plan)
    assert "executions_by_status" in details, details
    assert "SCAN executions" not in details, details
