"""Remembered answers: expired ones are deleted through an index, and not on every POST."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from evalkit.emulator.store.db import Database
from evalkit.emulator.store.idempotency import (
    CLEANUP_INTERVAL_SECONDS,
    CLEANUP_STATEMENT,
    IdempotencyStore,
    StoredAnswer,
)

TTL = 100
ANSWER = StoredAnswer(201, "application/json", b"{}")


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def keys(db: Database) -> list[str]:
    with db.read() as conn:
        return [row[0] for row in conn.execute("SELECT key FROM idempotency ORDER BY key")]


def add_expired(db: Database, key: str, clock: Clock) -> None:
    with db.write() as conn:
        conn.execute(
            "INSERT INTO idempotency (key, path, status, body, created_at) VALUES (?, '/p', 201,"
            " x'', ?)",
            (key, clock.now - TTL - 1),
        )


def test_the_cleanup_uses_the_index_on_created_at(tmp_path: Path) -> None:
    db = Database(tmp_path / "p.sqlite3")
    with db.read() as conn:
        plan = " ".join(
            row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + CLEANUP_STATEMENT, (0,))
        )
    db.close()
    assert (
        "USING INDEX idempotency_by_age" in plan
        or "USING COVERING INDEX idempotency_by_age" in plan
    )


def test_an_existing_data_folder_gains_the_index(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    old = sqlite3.connect(path)  # the table as evalkit created it before the index existed
    old.execute(
        "CREATE TABLE idempotency (key TEXT NOT NULL, path TEXT NOT NULL, status INTEGER NOT NULL,"
        " content_type TEXT, body BLOB NOT NULL, created_at REAL NOT NULL,"
        " PRIMARY KEY (key, path))"
    )
    old.execute("INSERT INTO idempotency VALUES ('kept', '/p', 201, NULL, x'', 1.0)")
    old.commit()
    old.close()
    db = Database(path)
    with db.read() as conn:
        indexes = [row[1] for row in conn.execute("PRAGMA index_list(idempotency)")]
    assert "idempotency_by_age" in indexes
    assert keys(db) == ["kept"]
    db.close()


def test_expired_answers_are_deleted_at_most_once_per_interval(tmp_path: Path) -> None:
    db = Database(tmp_path / "p.sqlite3")
    clock = Clock()
    store = IdempotencyStore(db, TTL, clock=clock)
    add_expired(db, "old-1", clock)
    store.put("a", "/p", ANSWER)  # the first put cleans up
    assert keys(db) == ["a"]
    add_expired(db, "old-2", clock)
    clock.now += CLEANUP_INTERVAL_SECONDS / 2
    store.put("b", "/p", ANSWER)  # too soon: no scan
    assert keys(db) == ["a", "b", "old-2"]
    assert store.get("old-2", "/p") is None  # but an expired answer is never replayed
    clock.now += CLEANUP_INTERVAL_SECONDS
    store.put("c", "/p", ANSWER)
    assert keys(db) == ["a", "b", "c"]
    db.close()


def test_a_clock_that_goes_back_does_not_stop_the_cleanup(tmp_path: Path) -> None:
    db = Database(tmp_path / "p.sqlite3")
    clock = Clock()
    store = IdempotencyStore(db, TTL, clock=clock)
    store.put("a", "/p", ANSWER)
    clock.now -= 3600
    add_expired(db, "old", clock)
    store.put("b", "/p", ANSWER)
    assert keys(db) == ["a", "b"]
    db.close()
