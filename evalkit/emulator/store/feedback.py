"""Reviews on executions: feedback, expected JSON and expected files (contract A5; B8)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from evalkit.api import utc_now
from evalkit.emulator.problems import invalid, not_found
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

        Read, changed and read back in one transaction."""
        with self._db.write() as conn:
            row = conn.execute("SELECT * FROM executions WHERE id = ?", (execution_id,)).fetchone()
            if row is None:
                raise not_found("execution", execution_id)
            columns = _feedback_columns(ExecutionRecord(row), change, utc_now())
            assignments = ", ".join(f"{column} = ?" for column in columns)
            (changed,) = conn.execute(
                f"UPDATE executions SET {assignments} WHERE id = ? RETURNING *",
                [*columns.values(), row["id"]],
            ).fetchall()
        return ExecutionRecord(changed)

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


def _feedback_columns(record: ExecutionRecord, change: FeedbackChange, now: str) -> dict[str, Any]:
    """The columns a change sets on an execution as it is now."""
    columns: dict[str, Any] = {"fb_exists": 1, "fb_updated_at": now}
    if not record.fb_exists:
        columns.update(fb_created_at=now, fb_body="", fb_status="open")
    if change.body is not UNSET:
        columns["fb_body"] = change.body or ""
    if change.rating is not UNSET:
        columns["fb_rating"] = change.rating
    if change.status is not UNSET:
        columns["fb_status"] = change.status
        was_resolved = record.fb_exists and record.fb_status == "resolved"
        if change.status == "resolved" and not was_resolved:
            columns["fb_resolved_at"] = now
        elif change.status != "resolved":
            columns["fb_resolved_at"] = None
    if change.expected is not UNSET:
        columns["expected"] = None if change.expected is None else json.dumps(change.expected)
    if change.promoted_example_name is not UNSET:
        columns["fb_promoted"] = change.promoted_example_name
    return columns


def _has_expected(conn: sqlite3.Connection, execution_id: str, name: str) -> bool:
    found = conn.execute(
        "SELECT 1 FROM execution_files WHERE execution_id = ? AND kind = 'expected' AND name = ?",
        (execution_id, name),
    ).fetchone()
    return found is not None
