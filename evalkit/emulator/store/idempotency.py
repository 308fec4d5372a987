"""Answers remembered per ``Idempotency-Key`` + path, kept in SQLite so they survive a restart.

Expired answers are never replayed (``get`` checks their age); deleting them is housekeeping,
done by ``put`` at most once every ``CLEANUP_INTERVAL_SECONDS``, through the index on
``created_at``, so a busy platform does not pay for it on every POST.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from evalkit.emulator.store.db import Database

CLEANUP_INTERVAL_SECONDS = 60.0
CLEANUP_STATEMENT = "DELETE FROM idempotency WHERE created_at < ?"


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    content_type: str | None
    body: bytes


class IdempotencyStore:
    def __init__(
        self, db: Database, ttl_seconds: int, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._db = db
        self._ttl = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._last_cleanup: float | None = None

    def get(self, key: str, path: str) -> StoredAnswer | None:
        oldest = self._clock() - self._ttl
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
        now = self._clock()
        cleanup = self._cleanup_due(now)
        # Each statement stands alone: no transaction around them (Database.write).
        with self._db.write(transaction=False) as conn:
            if cleanup:
                conn.execute(CLEANUP_STATEMENT, (now - self._ttl,))
            conn.execute(
                "INSERT OR REPLACE INTO idempotency (key, path, status, content_type, body,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (key, path, answer.status, answer.content_type, answer.body, now),
            )

    def _cleanup_due(self, now: float) -> bool:
        """True on the first ``put``, then once per interval (or when the clock went back)."""
        with self._lock:
            last = self._last_cleanup
            if last is not None and last <= now < last + CLEANUP_INTERVAL_SECONDS:
                return False
            self._last_cleanup = now
            return True
