"""The SQLite database: WAL mode, transactions, concurrent writers, survival across reopen."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from evalkit.emulator.store.db import SCHEMA, Database


def test_wal_mode_and_busy_timeout(tmp_path: Path) -> None:
    db = Database(tmp_path / "p.sqlite3")
    with db.read() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10000
    db.close()


def test_a_failed_transaction_is_rolled_back(tmp_path: Path) -> None:
    db = Database(tmp_path / "p.sqlite3")

    def half_way() -> None:
        with db.write() as conn:
            conn.execute(
                "INSERT INTO agents (id, slug, name, created_at, updated_at)"
                " VALUES ('awf_1', 's', 'n', 't', 't')"
            )
            raise RuntimeError("half way")

    with pytest.raises(RuntimeError):
        half_way()
    with db.read() as conn:
        assert conn.execute("SELECT count(*) FROM agents").fetchone()[0] == 0
    db.close()


def test_concurrent_writers_lose_nothing_and_data_survives_reopen(tmp_path: Path) -> None:
    db = Database(tmp_path / "p.sqlite3")

    def write(worker: int) -> None:
        for n in range(50):
            with db.write() as conn:
                conn.execute(
                    "INSERT INTO agents (id, slug, name, created_at, updated_at)"
                    " VALUES (?, ?, 'n', 't', 't')",
                    (f"awf_{worker}_{n}", f"s-{worker}-{n}"),
                )

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.close()
    reopened = Database(tmp_path / "p.sqlite3")
    with reopened.read() as conn:
        assert conn.execute("SELECT count(*) FROM agents").fetchone()[0] == 400
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    reopened.close()


def test_use_after_close_is_an_error(tmp_path: Path) -> None:
    db = Database(tmp_path / "p.sqlite3")
    db.close()
    db.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"), db.read():
        pass


def test_an_older_data_folder_gets_the_columns_added_since(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "p.sqlite3"
    old = sqlite3.connect(path)
    # the schema as it was before the executions' model column
    old.executescript(SCHEMA.replace("    model TEXT,\n", ""))
    old.execute(
        "INSERT INTO executions (id, agent_id, status, created_at, input_json)"
        " VALUES ('exec_1', 'awf_1', 'completed', 't', '{}')"
    )
    old.commit()
    old.close()
    db = Database(path)
    with db.read() as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(executions)")}
        kept = conn.execute("SELECT id, model FROM executions").fetchall()
    assert "model" in columns
    assert [tuple(row) for row in kept] == [("exec_1", None)]
    db.close()
    Database(path).close()  # opened again: nothing to add, no error


def test_two_processes_opening_an_older_folder_at_once_both_open_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other process adds the column between this one's look and its own ALTER: this one
    must find it there, not fail on a duplicate column."""
    import sqlite3

    path = tmp_path / "p.sqlite3"
    old = sqlite3.connect(path, isolation_level=None)
    old.execute("PRAGMA journal_mode=WAL")
    old.executescript(SCHEMA.replace("    model TEXT,\n", ""))
    other = sqlite3.connect(path, isolation_level=None)  # the other process, holding the lock
    other.execute("BEGIN IMMEDIATE")

    # this process reached the statement that waits for the other's write lock
    waiting = threading.Event()
    connect = sqlite3.connect

    def traced(*args: object, **kwargs: object) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)  # type: ignore[call-overload]
        conn.set_trace_callback(
            lambda sql: waiting.set() if sql.startswith(("BEGIN", "ALTER")) else None
        )
        assert isinstance(conn, sqlite3.Connection)
        return conn

    monkeypatch.setattr(sqlite3, "connect", traced)
    opened: list[Database] = []
    failed: list[BaseException] = []

    def open_it() -> None:
        try:
            opened.append(Database(path))
        except BaseException as err:
            failed.append(err)

    thread = threading.Thread(target=open_it)
    thread.start()
    assert waiting.wait(30)
    other.execute("ALTER TABLE executions ADD COLUMN model TEXT")
    other.execute("COMMIT")
    thread.join()
    other.close()
    old.close()
    assert failed == []
    with opened[0].read() as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(executions)")]
    assert columns.count("model") == 1
    opened[0].close()
