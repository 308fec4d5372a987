"""Feedback changes: one UPDATE that reads the feedback as it was (none yet: created)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from evalkit.emulator.problems import ApiProblem
from evalkit.emulator.store.blobs import BlobStore
from evalkit.emulator.store.db import Database
from evalkit.emulator.store.executions import ExecutionStore, NewExecution
from evalkit.emulator.store.feedback import FeedbackChange, ReviewStore


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(tmp_path / "db.sqlite3")


@pytest.fixture
def reviews(db: Database, tmp_path: Path) -> ReviewStore:
    blobs = BlobStore(tmp_path / "blobs")
    executions = ExecutionStore(db, blobs)
    executions.create(NewExecution("exec_1", "awf_1", {"n": 1}, None, []))
    return ReviewStore(db, blobs, executions)


def statements(db: Database) -> list[str]:
    """The SQL statements the database runs from now on."""
    seen: list[str] = []
    with db.read() as conn:
        conn.set_trace_callback(seen.append)
    return seen


def test_the_first_change_creates_the_feedback_open_with_an_empty_body(
    reviews: ReviewStore,
) -> None:
    record = reviews.update_feedback("exec_1", FeedbackChange(rating="pass"))
    assert (record.fb_exists, record.fb_body, record.fb_status, record.fb_rating) == (
        1,
        "",
        "open",
        "pass",
    )
    assert record.fb_created_at == record.fb_updated_at
    assert record.fb_resolved_at is None


def test_a_later_change_keeps_what_it_does_not_set(reviews: ReviewStore) -> None:
    first = reviews.update_feedback("exec_1", FeedbackChange(body="b", status="ignored"))
    later = reviews.update_feedback("exec_1", FeedbackChange(rating="fail", expected={"e": 1}))
    assert (later.fb_body, later.fb_status, later.fb_rating) == ("b", "ignored", "fail")
    assert later.fb_created_at == first.fb_created_at
    assert later.json_column("expected") == {"e": 1}


def test_resolved_is_stamped_once_and_cleared_by_another_status(reviews: ReviewStore) -> None:
    resolved = reviews.update_feedback("exec_1", FeedbackChange(status="resolved"))
    assert resolved.fb_resolved_at is not None
    with reviews._db.write() as conn:  # an older stamp, to see that it is kept
        conn.execute("UPDATE executions SET fb_resolved_at = 'then' WHERE id = 'exec_1'")
    again = reviews.update_feedback("exec_1", FeedbackChange(status="resolved"))
    assert again.fb_resolved_at == "then"
    reopened = reviews.update_feedback("exec_1", FeedbackChange(status="open"))
    assert reopened.fb_resolved_at is None
    cleared = reviews.update_feedback("exec_1", FeedbackChange(status=None))
    assert (cleared.fb_status, cleared.fb_resolved_at) == (None, None)
    assert reviews.update_feedback("exec_1", FeedbackChange(status="resolved")).fb_resolved_at


def test_a_change_is_one_statement(db: Database, reviews: ReviewStore) -> None:
    seen = statements(db)
    reviews.update_feedback("exec_1", FeedbackChange(body="b", rating="pass", status="resolved"))
    assert len(seen) == 1
    assert seen[0].startswith("UPDATE executions SET")


def test_an_unknown_execution_is_a_404_and_nothing_is_written(
    db: Database, reviews: ReviewStore
) -> None:
    with pytest.raises(ApiProblem) as raised:
        reviews.update_feedback("exec_nope", FeedbackChange(rating="pass"))
    assert raised.value.status == 404
    with db.read() as conn:
        row: sqlite3.Row = conn.execute("SELECT fb_exists FROM executions").fetchone()
    assert row["fb_exists"] == 0
