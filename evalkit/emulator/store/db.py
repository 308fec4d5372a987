"""One SQLite database in WAL mode, shared by the request threads and the workers.

The schema is not versioned: every statement in ``SCHEMA`` is ``IF NOT EXISTS``, so opening
an existing data folder adds what a newer evalkit needs (a table, an index) and keeps the rest.

A single connection behind a lock: every statement is short, so serialising them costs little
and rules out ``database is locked`` between our own threads. ``busy_timeout`` still covers
other processes (e.g. a second reader of the same folder).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS agents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT,
    config TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    latest_commit TEXT
);
CREATE TABLE IF NOT EXISTS workspace_files (
    agent_id TEXT NOT NULL,
    path TEXT NOT NULL,
    blob TEXT NOT NULL,
    size INTEGER NOT NULL,
    content_type TEXT,
    PRIMARY KEY (agent_id, path)
);
CREATE TABLE IF NOT EXISTS executions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    agent_id TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    completed_at TEXT,
    input_json TEXT NOT NULL,
    metadata TEXT,
    batch_id TEXT,
    example_name TEXT,
    output TEXT,
    schema_valid INTEGER,
    error TEXT,
    cost TEXT,
    model TEXT,
    duration_ms INTEGER,
    source_execution_id TEXT,
    fb_exists INTEGER NOT NULL DEFAULT 0,
    fb_body TEXT,
    fb_rating TEXT,
    fb_status TEXT,
    fb_created_at TEXT,
    fb_updated_at TEXT,
    fb_resolved_at TEXT,
    fb_promoted TEXT,
    expected TEXT
);
CREATE INDEX IF NOT EXISTS executions_by_agent ON executions (agent_id, seq);
CREATE INDEX IF NOT EXISTS executions_by_status ON executions (status);
-- An agent's stats (every GET of it, a run's drift check among them) read this index alone,
-- not each execution's row: 79 -> 9 ms at 100,000 executions; ~2 us more per execution stored.
CREATE INDEX IF NOT EXISTS executions_stats ON executions (agent_id, created_at, duration_ms);
CREATE TABLE IF NOT EXISTS execution_files (
    execution_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    field TEXT,
    position INTEGER NOT NULL DEFAULT 0,
    blob TEXT NOT NULL,
    size INTEGER NOT NULL,
    content_type TEXT,
    PRIMARY KEY (execution_id, kind, name)
);
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT NOT NULL,
    path TEXT NOT NULL,
    status INTEGER NOT NULL,
    content_type TEXT,
    body BLOB NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (key, path)
);
-- Expired answers are deleted by age: without this the cleanup reads the whole table.
CREATE INDEX IF NOT EXISTS idempotency_by_age ON idempotency (created_at);
"""


def placeholders(count: int) -> str:
    """``?, ?, ?``: the parameters of an ``IN (...)`` list of ``count`` values."""
    return ", ".join("?" * count)


TABLES = ("agents", "workspace_files", "executions", "execution_files", "idempotency")
#: columns added to a table after a data folder could have been made without them: added when
#: an older folder is opened (``CREATE TABLE IF NOT EXISTS`` keeps an existing table as it is)
ADDED_COLUMNS = (("executions", "model", "TEXT"),)


class Database:
    """The platform's database by default; the workflow engine opens its own with its schema."""

    def __init__(
        self, path: Path, *, schema: str = SCHEMA, tables: tuple[str, ...] = TABLES
    ) -> None:
        self.path = path
        #: what ``wipe`` empties
        self.tables = tables
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA busy_timeout=10000")
        self._conn.executescript(schema)
        self._add_columns()
        self._closed = False

    def _add_columns(self) -> None:
        if not self._missing_columns():  # the usual case: no write lock taken
            return
        # Looked for again under SQLite's write lock: two processes opening an older folder at
        # once both found the column missing, and the second ALTER failed ("duplicate column").
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            for table, column, kind in self._missing_columns():
                self._conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _missing_columns(self) -> list[tuple[str, str, str]]:
        """The added columns this database's tables lack (tables this schema has, older)."""
        missing = []
        for table, column, kind in ADDED_COLUMNS:
            found = {row[1] for row in self._conn.execute(f"PRAGMA table_info({table})")}
            if found and column not in found:
                missing.append((table, column, kind))
        return missing

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._check_open()
            yield self._conn

    @contextmanager
    def write(self, *, transaction: bool = True) -> Iterator[sqlite3.Connection]:
        """A transaction: committed when the block ends, rolled back if it raises.

        ``transaction=False``: no transaction around the block, for writes that are each one
        statement, which SQLite commits by itself, atomically (an ``UPDATE ... RETURNING``
        changes and reads back at once). A third of the calls (no BEGIN, no COMMIT), and each
        call lets go of the GIL twice: under load, every one is a chance of a thread switch.
        """
        with self._lock:
            self._check_open()
            if not transaction:
                yield self._conn
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def wipe(self) -> None:
        with self.write() as conn:
            for table in self.tables:
                conn.execute(f"DELETE FROM {table}")

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the platform database is closed")
