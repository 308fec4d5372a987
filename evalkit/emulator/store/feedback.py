"""Reviews on executions: feedback, expected JSON and expected files (contract A5; B8)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from evalkit.api import utc_now
from evalkit.emulator.problems import invalid, not_found
from evalkit.emulator.store.agents import store_text
from evalkit.emulator.store.blobs import BlobStore
from evalkit.emulator.store.db import Database
from evalkit.emulator.store.executions import ExecutionRecord, ExecutionStore

#: who the local platform says wrote a review: there are no users, only API keys
LOCAL_REVIEWER = "local"
_UNSET: Any = object()


@dataclass(frozen=True)
class FeedbackChange:
    """One PATCH, with each field either a value or ``UNSET`` (the spellings already merged)."""

    body: Any = _UNSET
    rating: Any = _UNSET
    status: Any = _UNSET
    expected: Any = _UNSET
    promoted_example_name: Any = _UNSET


UNSET = _UNSET


class ReviewStore:
    def __init__(self, db: Database, blobs: BlobStore, executions: ExecutionStore) -> None:
        self._db = db
        self._blobs = blobs
        self._executions = executions

    def update_feedback(self, execution_id: str, change: FeedbackChange) -> ExecutionRecord:
        """The first change creates the feedback, ``open`` unless a status is given (B8).

        Changed and read back in one statement (atomic without a transaction around it)."""
        sets, values = _feedback_sets(change, utc_now())
        with self._db.write(transaction=False) as conn:
            rows = conn.execute(
                f"UPDATE executions SET {', '.join(sets)} WHERE id = ? RETURNING *",
                [*values, execution_id],
            ).fetchall()
        if not rows:
            raise not_found("execution", execution_id)
        return ExecutionRecord(rows[0])

    def clear(self, execution_id: str) -> ExecutionRecord:
        """Feedback, expected JSON and expected files all go (contract A5)."""
        record = self._executions.get(execution_id)
        with self._db.write() as conn:
            conn.execute(
                "UPDATE executions SET fb_exists = 0, fb_body = NULL, fb_rating = NULL,"
                " fb_status = NULL, fb_created_at = NULL, fb_updated_at = NULL,"
                " fb_resolved_at = NULL, fb_promoted = NULL, expected = NULL WHERE id = ?",
                (record.id,),
            )
            conn.execute(
                "DELETE FROM execution_files WHERE execution_id = ? AND kind = 'expected'",
                (record.id,),
            )
        return self._executions.get(record.id)

    # -- expected files --------------------------------------------------------------------

    def add_expected(self, execution_id: str, name: str, content: bytes) -> None:
        record = self._executions.get(execution_id)
        blob = self._blobs.put(content)
        with self._db.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO execution_files (execution_id, kind, name, position, blob,"
                " size) VALUES (?, 'expected', ?, 0, ?, ?)",
                (record.id, name, blob, len(content)),
            )

    def copy_output(self, execution_id: str, output_name: str, expected_name: str) -> None:
        content = self._executions.file_content(execution_id, "output", output_name)
        self.add_expected(execution_id, expected_name, content)

    def rename_expected(self, execution_id: str, name: str, new_name: str) -> None:
        record = self._executions.get(execution_id)
        with self._db.write() as conn:
            if not _has_expected(conn, record.id, name):
                raise not_found("expected file", name)
            if new_name == name:
                return
            if _has_expected(conn, record.id, new_name):
                raise invalid(
                    "body.name",
                    f"an expected file named {new_name!r} already exists",
                    hint="delete it first, or pick another name",
                )
            conn.execute(
                "UPDATE execution_files SET name = ? WHERE execution_id = ? AND kind = 'expected'"
                " AND name = ?",
                (new_name, record.id, name),
            )

    def delete_expected(self, execution_id: str, name: str) -> None:
        record = self._executions.get(execution_id)
        with self._db.write() as conn:
            cursor = conn.execute(
                "DELETE FROM execution_files WHERE execution_id = ? AND kind = 'expected'"
                " AND name = ?",
                (record.id, name),
            )
        if cursor.rowcount == 0:
            raise not_found("expected file", name)


def _feedback_sets(change: FeedbackChange, now: str) -> tuple[list[str], list[Any]]:
    """The assignments of a change and their values. What a column becomes may depend on the
    feedback as it is (none yet: it is created); every expression of an UPDATE reads the row
    as it was before it, so no read comes first."""
    sets = [
        "fb_exists = 1",
        "fb_updated_at = ?",
        "fb_created_at = CASE WHEN fb_exists THEN fb_created_at ELSE ? END",
    ]
    values: list[Any] = [now, now]
    if change.body is UNSET:
        sets.append("fb_body = CASE WHEN fb_exists THEN fb_body ELSE '' END")
    else:
        sets.append("fb_body = ?")
        values.append(change.body or "")
    if change.rating is not UNSET:
        sets.append("fb_rating = ?")
        values.append(change.rating)
    if change.status is UNSET:
        sets.append("fb_status = CASE WHEN fb_exists THEN fb_status ELSE 'open' END")
    else:
        sets.append("fb_status = ?")
        values.append(change.status)
        if change.status == "resolved":  # resolved now, unless it already was
            sets.append(
                "fb_resolved_at = CASE WHEN fb_exists AND fb_status = 'resolved'"
                " THEN fb_resolved_at ELSE ? END"
            )
            values.append(now)
        else:
            sets.append("fb_resolved_at = NULL")
    if change.expected is not UNSET:
        sets.append("expected = ?")
        values.append(store_text(change.expected))
    if change.promoted_example_name is not UNSET:
        sets.append("fb_promoted = ?")
        values.append(change.promoted_example_name)
    return sets, values


def _has_expected(conn: sqlite3.Connection, execution_id: str, name: str) -> bool:
    found = conn.execute(
        "SELECT 1 FROM execution_files WHERE execution_id = ? AND kind = 'expected' AND name = ?",
        (execution_id, name),
    ).fetchone()
    return found is not None
