"""``Idempotency-Key`` on POST: a repeat with the same key and path replays the first answer.

Answers below 500 are remembered (in SQLite, for ``idempotency_ttl_seconds``); a concurrent
repeat waits for the first request to finish, then replays it.
"""

from __future__ import annotations

import asyncio
import json

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from evalkit.emulator.envelope import send_problem
from evalkit.emulator.problems import invalid
from evalkit.emulator.store.idempotency import IdempotencyStore, StoredAnswer

MAX_KEY_LENGTH = 255
REPLAY_HEADER = "idempotent-replayed"


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, store: IdempotencyStore) -> None:
        self.app = app
        self.store = store
        # One lock per (key, path) in use, dropped when its last user leaves.
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._users: dict[tuple[str, str], int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        key = Headers(scope=scope).get("idempotency-key")
        if key is None:
            await self.app(scope, receive, send)
            return
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            problem = invalid(
                "header.Idempotency-Key",
                f"the Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters",
            )
            await send_problem(scope, receive, send, problem)
            return
        slot = (key, scope["path"])
        lock = self._locks.setdefault(slot, asyncio.Lock())
        self._users[slot] = self._users.get(slot, 0) + 1
        try:
            async with lock:
                # One short SQLite statement each: cheaper here than a trip to the thread pool.
                stored = self.store.get(*slot)
                if stored is not None:
                    await _replay(stored, send)
                    return
                answer = await self._run_and_capture(scope, receive, send)
                if answer is not None and answer.status < 500 and answer.status != 429:
                    self.store.put(*slot, answer)
        finally:
            self._users[slot] -= 1
            if not self._users[slot]:
                del self._users[slot], self._locks[slot]

    async def _run_and_capture(
        self, scope: Scope, receive: Receive, send: Send
    ) -> StoredAnswer | None:
        status: int | None = None
        content_type: str | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = int(message["status"])
                content_type = Headers(raw=message.get("headers", [])).get("content-type")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        if status is None:
            return None
        return StoredAnswer(status, content_type, b"".join(chunks))


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
