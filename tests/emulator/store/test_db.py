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
