"""Answers remembered per ``Idempotency-Key`` + path, kept in SQLite so they survive a restart."""

from __future__ import annotations

import time
from dataclasses import dataclass

from evalkit.emulator.store.db import Database


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    content_type: str | None
    body: bytes


class IdempotencyStore:
    def __init__(self, db: Database, ttl_seconds: int) -> None:
        self._db = db
        self._ttl = ttl_seconds

    def get(self, key: str, path: str) -> StoredAnswer | None:
        oldest = time.time() - self._ttl
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT status, content_type, body FROM idempotency"
                " WHERE key = ? AND path = ? AND created_at >= ?",
                (key, path, oldest),
            ).fetchone()
        if row is None:
            return None
        return StoredAnswer(row["status"], row["content_type"], bytes(row["body"]))

    def put(self, key: str, path: str, answer: StoredAnswer) -> None:
        now = time.time()
        with self._db.write() as conn:
            conn.execute("DELETE FROM idempotency WHERE created_at < ?", (now - self._ttl,))
            conn.execute(
                "INSERT OR REPLACE INTO idempotency (key, path, status, content_type, body,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (key, path, answer.status, answer.content_type, answer.body, now),
            )
