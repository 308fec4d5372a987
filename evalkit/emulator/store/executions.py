"""Executions: creation, lifecycle transitions, stored outcome and files (contract A3, A5)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from evalkit.api import TERMINAL_STATUSES, ExecutionStatus, parse_timestamp, utc_now
from evalkit.emulator.problems import not_found
from evalkit.emulator.runtime.job import AgentOutcome, InputFile, NamedBlob
from evalkit.emulator.store.agents import store_text
from evalkit.emulator.store.blobs import BlobStore
from evalkit.emulator.store.db import Database, placeholders
from evalkit.emulator.store.paths import unsafe_path_reason

TERMINAL = tuple(sorted(status.value for status in TERMINAL_STATUSES))
#: the statuses an execution may still leave, named in full so that a query on them reads the
#: status index (``NOT IN`` the terminal ones made SQLite scan the whole table)
UNFINISHED = tuple(status.value for status in ExecutionStatus if status not in TERMINAL_STATUSES)
#: every unfinished execution failed at start-up (after a restart)
FAIL_UNFINISHED_STATEMENT = (
    "UPDATE executions SET status = 'failed', error = ?, completed_at = ?"
    f" WHERE status IN ({placeholders(len(UNFINISHED))})"
)
RESTART_ERROR = "platform restarted"
#: execution file kinds; ``expected`` holds the reviewer's expected files
FILE_KINDS = ("input", "output", "issues", "trace", "expected")


@dataclass(frozen=True)
class ExecutionRecord:
    row: sqlite3.Row

    def __getattr__(self, name: str) -> Any:
        try:
            return self.row[name]
        except IndexError:
            raise AttributeError(name) from None

    @property
    def status_value(self) -> ExecutionStatus:
        return ExecutionStatus(self.row["status"])

    @property
    def is_terminal(self) -> bool:
        return self.row["status"] in TERMINAL

    def json_column(self, name: str) -> Any:
        text = self.row[name]
        return None if text is None else json.loads(text)


@dataclass(frozen=True)
class StoredFile:
    name: str
    size: int
    blob: str
    content_type: str | None
    field: str | None


@dataclass(frozen=True)
class NewExecution:
    """A run request, validated: what to store before queueing."""

    execution_id: str
    agent_id: str
    input_json: dict[str, Any]
    metadata: dict[str, Any] | None
    input_files: list[InputFile]
    source_execution_id: str | None = None


class ExecutionStore:
    def __init__(self, db: Database, blobs: BlobStore) -> None:
        self._db = db
        self._blobs = blobs

    def create(self, new: NewExecution, *, status: str = "created") -> ExecutionRecord:
        """Store a new execution in ``status`` (``pending`` when it is queued at once), read back
        in the same transaction."""
        metadata = new.metadata or {}
        batch_id = _label(metadata.get("batchId"))
        example_name = _label(metadata.get("exampleName"))
        files = _input_file_rows(new.input_files, self._blobs)
        with self._db.write(transaction=bool(files)) as conn:
            cursor = conn.execute(
                "INSERT INTO executions (id, agent_id, status, created_at, input_json, metadata,"
                " batch_id, example_name, source_execution_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " RETURNING *",
                (
                    new.execution_id,
                    new.agent_id,
                    status,
                    utc_now(),
                    store_text(new.input_json),
                    store_text(new.metadata),
                    batch_id,
                    example_name,
                    new.source_execution_id,
                ),
            )
            (row,) = cursor.fetchall()
            if files:
                conn.executemany(
                    "INSERT INTO execution_files (execution_id, kind, name, field, position,"
                    " blob, size, content_type) VALUES (?, 'input', ?, ?, ?, ?, ?, ?)",
                    [(new.execution_id, *file_row) for file_row in files],
                )
        return ExecutionRecord(row)

    def get(self, execution_id: str) -> ExecutionRecord:
        record = self.find(execution_id)
        if record is None:
            raise not_found("execution", execution_id)
        return record

    def find(self, execution_id: str) -> ExecutionRecord | None:
        with self._db.read() as conn:
            row = conn.execute("SELECT * FROM executions WHERE id = ?", (execution_id,)).fetchone()
        return None if row is None else ExecutionRecord(row)

    def move(self, execution_id: str, to: str, *, when: tuple[str, ...], **columns: Any) -> bool:
        """Set ``status`` to ``to`` (plus ``columns``) only if it is one of ``when``."""
        sets = ", ".join(["status = ?", *(f"{column} = ?" for column in columns)])
        marks = placeholders(len(when))
        with self._db.write(transaction=False) as conn:
            cursor = conn.execute(
                f"UPDATE executions SET {sets} WHERE id = ? AND status IN ({marks})",
                [to, *columns.values(), execution_id, *when],
            )
        return cursor.rowcount == 1

    def start(self, execution_id: str) -> tuple[ExecutionRecord, list[InputFile]] | None:
        """Queued -> ``running`` (started now): the record as it is then, and its input files.
        None when it was not queued any more (cancelled while queued, or wiped by a reset).
        One statement changes and reads back; the files are read in the same hold."""
        with self._db.write(transaction=False) as conn:
            rows = conn.execute(
                "UPDATE executions SET status = 'running', started_at = ?"
                " WHERE id = ? AND status IN ('created', 'pending') RETURNING *",
                (utc_now(), execution_id),
            ).fetchall()
            if not rows:
                return None
            files = _stored_files(conn, execution_id, "input")
        return ExecutionRecord(rows[0]), [self._input_file(stored) for stored in files]

    def finish(
        self, execution_id: str, outcome: AgentOutcome, *, started: ExecutionRecord | None = None
    ) -> bool:
        """Store a runtime outcome; False if the execution was already terminal or is gone.

        ``started`` is the record ``start`` returned, if the caller has it: no read then."""
        now = utc_now()
        record = started if started is not None else self.find(execution_id)
        if record is None or record.is_terminal:
            return False
        since: str = record.started_at or record.created_at
        duration_ms = int((parse_timestamp(now) - parse_timestamp(since)).total_seconds() * 1000)
        cost = {"durationMs": duration_ms, **outcome.cost}
        files = [
            *_named_rows("output", outcome.output_files, self._blobs),
            *_named_rows("issues", outcome.issues, self._blobs),
            *_named_rows("trace", outcome.trace, self._blobs),
        ]
        with self._db.write(transaction=bool(files)) as conn:
            cursor = conn.execute(
                "UPDATE executions SET status = ?, completed_at = ?, output = ?, schema_valid = ?,"
                " error = ?, cost = ?, model = ?, duration_ms = ? WHERE id = ? AND status IN"
                f" ({placeholders(len(UNFINISHED))})",
                (
                    outcome.status,
                    now,
                    store_text(outcome.output),
                    None if outcome.schema_valid is None else int(outcome.schema_valid),
                    outcome.error,
                    store_text(cost),
                    outcome.model,
                    duration_ms,
                    execution_id,
                    *UNFINISHED,
                ),
            )
            if cursor.rowcount != 1:
                return False
            if files:
                conn.executemany(
                    "INSERT OR REPLACE INTO execution_files (execution_id, kind, name, position,"
                    " blob, size) VALUES (?, ?, ?, ?, ?, ?)",
                    [(execution_id, *file_row) for file_row in files],
                )
        return True

    def fail_unfinished(self, error: str) -> int:
        """Mark every non-terminal execution failed (used at start-up after a restart)."""
        with self._db.write() as conn:
            cursor = conn.execute(FAIL_UNFINISHED_STATEMENT, (error, utc_now(), *UNFINISHED))
        return cursor.rowcount

    # -- files -----------------------------------------------------------------------------

    def files(self, execution_id: str, kind: str) -> list[StoredFile]:
        with self._db.read() as conn:
            return _stored_files(conn, execution_id, kind)

    def get_with_files(
        self, execution_id: str
    ) -> tuple[ExecutionRecord, dict[str, list[StoredFile]]]:
        """An execution and its files by kind, read in one hold of the database."""
        with self._db.read() as conn:
            row = conn.execute("SELECT * FROM executions WHERE id = ?", (execution_id,)).fetchone()
            if row is None:
                raise not_found("execution", execution_id)
            found = _files_by_kind(conn, [execution_id])
        return ExecutionRecord(row), {kind: files for (_, kind), files in found.items()}

    def files_by_kind(self, execution_ids: list[str]) -> dict[tuple[str, str], list[StoredFile]]:
        """Every file of many executions at once, keyed by (execution id, kind)."""
        if not execution_ids:
            return {}
        with self._db.read() as conn:
            return _files_by_kind(conn, execution_ids)

    def file_content(self, execution_id: str, kind: str, name: str) -> bytes:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT blob FROM execution_files WHERE execution_id = ? AND kind = ? AND name = ?",
                (execution_id, kind, name),
            ).fetchone()
        if row is None:
            raise not_found(f"{kind} file", name)
        return self._blobs.get(row["blob"])

    def input_files(self, execution_id: str) -> list[InputFile]:
        return [self._input_file(stored) for stored in self.files(execution_id, "input")]

    def _input_file(self, stored: StoredFile) -> InputFile:
        return InputFile(
            field=stored.field or stored.name,
            filename=stored.name,
            content=self._blobs.get(stored.blob),
            content_type=stored.content_type or "application/octet-stream",
        )


def _files_by_kind(
    conn: sqlite3.Connection, execution_ids: list[str]
) -> dict[tuple[str, str], list[StoredFile]]:
    marks = placeholders(len(execution_ids))
    rows = conn.execute(
        "SELECT execution_id, kind, name, size, blob, content_type, field FROM"
        f" execution_files WHERE execution_id IN ({marks}) ORDER BY position, name",
        execution_ids,
    ).fetchall()
    result: dict[tuple[str, str], list[StoredFile]] = {}
    for r in rows:
        stored = StoredFile(r["name"], r["size"], r["blob"], r["content_type"], r["field"])
        result.setdefault((r["execution_id"], r["kind"]), []).append(stored)
    return result


def _stored_files(conn: sqlite3.Connection, execution_id: str, kind: str) -> list[StoredFile]:
    rows = conn.execute(
        "SELECT name, size, blob, content_type, field FROM execution_files"
        " WHERE execution_id = ? AND kind = ? ORDER BY position, name",
        (execution_id, kind),
    ).fetchall()
    return [
        StoredFile(r["name"], r["size"], r["blob"], r["content_type"], r["field"]) for r in rows
    ]


def _label(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


def _input_file_rows(
    files: list[InputFile], blobs: BlobStore
) -> list[tuple[str, str, int, str, int, str]]:
    """Rows (name, field, position, blob, size, type); a repeated filename is made unique."""
    rows, taken = [], set()
    for position, item in enumerate(files):
        name = item.filename
        if name in taken:
            name = f"{item.field}-{item.filename}"
        taken.add(name)
        rows.append(
            (
                name,
                item.field,
                position,
                blobs.put(item.content),
                len(item.content),
                item.content_type,
            )
        )
    return rows


def _named_rows(
    kind: str, items: list[NamedBlob], blobs: BlobStore
) -> list[tuple[str, str, int, str, int]]:
    rows = []
    for position, item in enumerate(items):
        if unsafe_path_reason(item.name) is not None:
            continue  # the runtime should never produce these; never store them
        rows.append((kind, item.name, position, blobs.put(item.content), len(item.content)))
    return rows
