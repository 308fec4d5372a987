"""``Idempotency-Key`` on POST: a repeat with the same key and path replays the first answer.

Answers below 500 (but 429) are remembered (in SQLite, for ``idempotency_ttl_seconds``); a
concurrent repeat waits for the first request to finish, then replays it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

from starlette.types import Message, Send

from evalkit.emulator.problems import ApiProblem, invalid
from evalkit.emulator.store.idempotency import IdempotencyStore, StoredAnswer

MAX_KEY_LENGTH = 255
REPLAY_HEADER = "idempotent-replayed"


def key_problem(key: str) -> ApiProblem | None:
    """Why ``key`` cannot be an Idempotency-Key, or None."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        return invalid(
            "header.Idempotency-Key",
            f"the Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters",
        )
    return None


class IdempotencyGuard:
    """Runs a keyed POST once per (key, path), replaying its answer to every repeat."""

    def __init__(self, store: IdempotencyStore) -> None:
        self.store = store
        # One lock per (key, path) in use, dropped when its last user leaves.
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._users: dict[tuple[str, str], int] = {}

    async def serve(
        self, key: str, path: str, answer: Callable[[Send], Awaitable[None]], send: Send
    ) -> None:
        """``answer(send)`` answers the request; or its stored answer is replayed."""
        slot = (key, path)
        lock = self._locks.setdefault(slot, asyncio.Lock())
        self._users[slot] = self._users.get(slot, 0) + 1
        try:
            async with lock:
                # One short SQLite statement each: cheaper here than a trip to the thread pool.
                stored = self.store.get(key, path)
                if stored is not None:
                    await _replay(stored, send)
                    return
                captured = await _run_and_capture(answer, send)
                if captured is not None and captured.status < 500 and captured.status != 429:
                    self.store.put(key, path, captured)
        finally:
            self._users[slot] -= 1
            if not self._users[slot]:
                del self._users[slot], self._locks[slot]


async def _run_and_capture(
    answer: Callable[[Send], Awaitable[None]], send: Send
) -> StoredAnswer | None:
    status: int | None = None
    content_type: str | None = None
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        nonlocal status, content_type
        if message["type"] == "http.response.start":
            status = int(message["status"])
            content_type = _header(message.get("headers", []), b"content-type")
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
        await send(message)

    await answer(capture)
    if status is None:
        return None
    return StoredAnswer(status, content_type, b"".join(chunks))


def _header(raw: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    """The first value of a (lower-case) header, as Starlette's ``Headers.get`` reads it."""
    for key, value in raw:
        if key == name:
            return value.decode("latin-1")
    return None


async def _replay(stored: StoredAnswer, send: Send) -> None:
    headers = [(REPLAY_HEADER.encode(), b"true")]
    original_id = _request_id_in(stored.body)
    if original_id:  # an error body names its request: the header must say the same
        headers.append((b"x-request-id", original_id.encode("latin-1")))
    if stored.content_type:
        headers.append((b"content-type", stored.content_type.encode("latin-1")))
    headers.append((b"content-length", str(len(stored.body)).encode()))
    await send({"type": "http.response.start", "status": stored.status, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body, "more_body": False})


def _request_id_in(body: bytes) -> str | None:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    request_id = parsed.get("requestId") if isinstance(parsed, dict) else None
    return request_id if isinstance(request_id, str) and request_id.isascii() else None
