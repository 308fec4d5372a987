"""Workflow state in its own SQLite file: executions, and when each id was first seen.

The file is a ``Database`` (one WAL connection behind a lock) with this module's schema;
status changes that race (a worker starting a run, a cancel) are single conditional UPDATEs.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalkit.api import utc_now
from evalkit.emulator.store.db import Database

_SCHEMA = """
CREATE TABLE IF NOT EXISTS first_seen (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS executions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    workflow_id TEXT NOT NULL,
    workflow_name TEXT NOT NULL,
    version_id TEXT NOT NULL,
    version_label TEXT NOT NULL,
    status TEXT NOT NULL,
    trigger_type TEXT NOT NULL,
    trigger_input TEXT NOT NULL,
    example_id TEXT,
    result TEXT,
    error TEXT,
    steps TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    completed_at TEXT,
    duration_ms INTEGER
);
CREATE INDEX IF NOT EXISTS executions_by_workflow ON executions (workflow_id, created_at);
"""

UNFINISHED = ("created", "pending", "running", "waiting", "finalizing")


@dataclass(frozen=True)
class ExecutionRow:
    id: str
    workflow_id: str
    workflow_name: str
    version_id: str
    version_label: str
    status: str
    trigger_type: str
    trigger_input: Any
    example_id: str | None
    #: the stored result; ``has_result`` tells a stored null from no result
    result: Any
    has_result: bool
    error: str | None
    steps: list[dict[str, Any]]
    created_at: str
    started_at: str | None
    completed_at: str | None
    duration_ms: int | None


@dataclass(frozen=True)
class ExecutionQuery:
    workflow_id: str
    statuses: Sequence[str] = ()
    created_from: str | None = None
    created_to: str | None = None
    example_id: str | None = None
    limit: int = 50
    offset: int = 0


class WorkflowStore:
    def __init__(self, database: Path) -> None:
        database.parent.mkdir(parents=True, exist_ok=True)
        self._database = Database(database, schema=_SCHEMA, tables=("executions",))

    def close(self) -> None:
        self._database.close()

    def first_seen(self, ids: Sequence[str]) -> dict[str, str]:
        """When each id was first seen, recording now for the new ones."""
        now = utc_now()
        with self._database.write() as db:
            db.executemany(
                "INSERT OR IGNORE INTO first_seen (id, at) VALUES (?, ?)", [(i, now) for i in ids]
            )
            rows = db.execute(
                f"SELECT id, at FROM first_seen WHERE id IN ({','.join('?' * len(ids))})", ids
            ).fetchall()
        return {row["id"]: row["at"] for row in rows}

    def insert(self, row: ExecutionRow) -> None:
        with self._database.write() as db:
            db.execute(
                "INSERT INTO executions (id, workflow_id, workflow_name, version_id, version_label,"
                " status, trigger_type, trigger_input, example_id, steps, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    row.id,
                    row.workflow_id,
                    row.workflow_name,
                    row.version_id,
                    row.version_label,
                    row.status,
                    row.trigger_type,
                    json.dumps(row.trigger_input),
                    row.example_id,
                    json.dumps(row.steps),
                    row.created_at,
                ),
            )

    def get(self, execution_id: str) -> ExecutionRow | None:
        with self._database.read() as db:
            found = db.execute("SELECT * FROM executions WHERE id = ?", (execution_id,)).fetchone()
        return _row(found) if found else None

    def move(
        self, execution_id: str, from_statuses: Sequence[str], to_status: str, **fields: Any
    ) -> bool:
        """Set ``status`` (and ``fields``) only if the status is one of ``from_statuses``."""
        assignments = ["status = ?"] + [f"{column} = ?" for column in fields]
        values = [to_status, *(_encode(column, value) for column, value in fields.items())]
        marks = ",".join("?" * len(from_statuses))
        with self._database.write() as db:
            cursor = db.execute(
                f"UPDATE executions SET {', '.join(assignments)}"
                f" WHERE id = ? AND status IN ({marks})",
                (*values, execution_id, *from_statuses),
            )
        return cursor.rowcount == 1

    def save_steps(self, execution_id: str, steps: list[dict[str, Any]]) -> None:
        with self._database.write() as db:
            db.execute(
                "UPDATE executions SET steps = ? WHERE id = ?", (json.dumps(steps), execution_id)
            )

    def query(self, query: ExecutionQuery) -> tuple[list[ExecutionRow], int]:
        where = ["workflow_id = ?"]
        values: list[Any] = [query.workflow_id]
        if query.statuses:
            where.append(f"status IN ({','.join('?' * len(query.statuses))})")
            values.extend(query.statuses)
        for column, operator, value in (
            ("created_at", ">=", query.created_from),
            ("created_at", "<=", query.created_to),
            ("example_id", "=", query.example_id),
        ):
            if value is not None:
                where.append(f"{column} {operator} ?")
                values.append(value)
        condition = " AND ".join(where)
        with self._database.read() as db:
            total = db.execute(
                f"SELECT COUNT(*) FROM executions WHERE {condition}", values
            ).fetchone()[0]
            rows = db.execute(
                f"SELECT * FROM executions WHERE {condition}"
                " ORDER BY created_at DESC, seq DESC LIMIT ? OFFSET ?",
                (*values, query.limit, query.offset),
            ).fetchall()
        return [_row(row) for row in rows], int(total)

    def wipe_executions(self) -> None:
        """Forget every execution; when each id was first seen stays (definitions are files)."""
        self._database.wipe()

    def unfinished_ids(self) -> list[str]:
        marks = ",".join("?" * len(UNFINISHED))
        with self._database.read() as db:
            rows = db.execute(
                f"SELECT id FROM executions WHERE status IN ({marks})", UNFINISHED
            ).fetchall()
        return [row["id"] for row in rows]


_JSON_COLUMNS = frozenset({"result", "steps", "trigger_input"})


def _encode(column: str, value: Any) -> Any:
    return json.dumps(value) if column in _JSON_COLUMNS else value


def _row(row: sqlite3.Row) -> ExecutionRow:
    return ExecutionRow(
        id=row["id"],
        workflow_id=row["workflow_id"],
        workflow_name=row["workflow_name"],
        version_id=row["version_id"],
        version_label=row["version_label"],
        status=row["status"],
        trigger_type=row["trigger_type"],
        trigger_input=json.loads(row["trigger_input"]),
        example_id=row["example_id"],
        result=json.loads(row["result"]) if row["result"] is not None else None,
        has_result=row["result"] is not None,
        error=row["error"],
        steps=json.loads(row["steps"]),
        created_at=row["created_at"],
        started_at=row["started_at"],
        completed_at=row["completed_at"],
        duration_ms=row["duration_ms"],
    )
