"""A hostile platform for tests: the real local platform on loopback, over real HTTP, with a
middleware in front that answers chosen requests badly.

``start_hostile()`` serves it from a thread, like ``evalkit.emulator.server.start_platform``;
``script.answer(method, path_regex, answer)`` makes every matching request get ``answer``
instead of the platform's own. Answers are ASGI callables made by the functions below: fixed
bodies (HTML login pages, broken JSON), the platform's own answer rewritten (wrong shapes,
hostile file names, huge lists), and answers that never end (an endless stream, headers then
silence, a byte at a time). Those stop by themselves when the client goes away or after
``MAX_HOSTILE_SECONDS`` / ``MAX_ENDLESS_BYTES``, whichever comes first.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from evalkit.emulator.app import create_app
from evalkit.emulator.config import PlatformConfig, generate_api_key
from evalkit.emulator.server import RunningPlatform, serve_in_background

#: an answer that never ends gives up after this long, or this much, even if nobody left
MAX_HOSTILE_SECONDS = 30.0
MAX_ENDLESS_BYTES = 1024 * 1024 * 1024

#: (scope, receive, send, the real platform app) -> None
Answer = Callable[[Scope, Receive, Send, ASGIApp], Awaitable[None]]

JSON = "application/json"
LOGIN_PAGE = (
    b"<!doctype html><html><head><title>Sign in - Corporate Proxy</title></head>"
    b"<body><form method=post><input name=user><input name=password type=password>"
    b"</form></body></html>"
)


@dataclass
class Rule:
    method: str
    path: re.Pattern[str]
    answer: Answer


@dataclass
class Script:
    """Which requests get which hostile answer; ``hits`` has the method and the raw
    (still percent-encoded) path of each request that got one."""

    rules: list[Rule] = field(default_factory=list)
    hits: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, method: str, path: str, answer: Answer) -> None:
        with self.lock:
            self.rules.append(Rule(method.upper(), re.compile(path), answer))

    def clear(self) -> None:
        with self.lock:
            self.rules.clear()
            self.hits.clear()

    def find(self, scope: Scope) -> Answer | None:
        method, path = scope["method"], scope["path"]
        with self.lock:
            for rule in self.rules:
                if rule.method in (method, "*") and rule.path.search(path):
                    raw = scope.get("raw_path") or path.encode()
                    self.hits.append((method, raw.decode("latin-1")))
                    return rule.answer
        return None


class HostileMiddleware:
    """Outermost: a scripted request never reaches auth or the platform unless its answer
    asks the platform first (``rewritten``)."""

    def __init__(self, app: ASGIApp, script: Script) -> None:
        self.app = app
        self.script = script

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            answer = self.script.find(scope)
            if answer is not None:
                await answer(scope, receive, send, self.app)
                return
        await self.app(scope, receive, send)


@dataclass
class Hostile:
    running: RunningPlatform
    script: Script

    @property
    def base_url(self) -> str:
        return self.running.base_url

    @property
    def api_key(self) -> str:
        return self.running.api_key


@contextmanager
def start_hostile() -> Iterator[Hostile]:
    """The local platform on 127.0.0.1 behind a ``Script``; stopped when the block ends."""
    config = PlatformConfig(api_keys=(generate_api_key(),))
    app = create_app(config)
    script = Script()
    app.add_middleware(HostileMiddleware, script=script)
    with serve_in_background(app, config.api_keys[0]) as running:
        yield Hostile(running, script)


# -- answers -----------------------------------------------------------------------------------


def _start(status: int, content_type: str, length: int | None = None, **extra: str) -> Message:
    headers = [(b"content-type", content_type.encode())]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    headers += [(name.replace("_", "-").encode(), value.encode()) for name, value in extra.items()]
    return {"type": "http.response.start", "status": status, "headers": headers}


def fixed(status: int, body: bytes, content_type: str = JSON, **headers: str) -> Answer:
    """Always this status, content type and body (``x_request_id="..."`` adds that header)."""

    async def answer(scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        await send(_start(status, content_type, len(body), **headers))
        await send({"type": "http.response.body", "body": body})

    return answer


def json_answer(status: int, value: Any, **headers: str) -> Answer:
    return fixed(status, json.dumps(value).encode(), JSON, **headers)


def rewritten(change: Callable[[Any], Any], *, content_type: str = JSON) -> Answer:
    """The platform's own answer, its JSON passed through ``change`` (which may edit it in
    place and return None)."""

    async def answer(scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        status = 500
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await app(scope, receive, capture)
        value = json.loads(b"".join(chunks))
        changed = change(value)
        body = json.dumps(value if changed is None else changed).encode()
        await send(_start(status, content_type, len(body)))
        await send({"type": "http.response.body", "body": body})

    return answer


class _Gone:
    """Set when the client disconnects (uvicorn's ``send`` is silent after that)."""

    def __init__(self, receive: Receive) -> None:
        self.event = asyncio.Event()
        self.task = asyncio.ensure_future(self._watch(receive))

    async def _watch(self, receive: Receive) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        self.event.set()

    def __bool__(self) -> bool:
        return self.event.is_set()

    def stop(self) -> None:
        self.task.cancel()


class Endless:
    """``head``, then ``chunk`` again and again: chunked, or under a ``length`` it may claim.
    ``sent`` counts the bytes handed to the server so far: what the client made it send."""

    def __init__(
        self,
        content_type: str = JSON,
        *,
        status: int = 200,
        head: bytes = b'{"data": [',
        chunk: bytes = b'{"id": "x", "slug": "x", "name": "x", "createdAt": "x"}, ' * 1000,
        length: int | None = None,
        pause: float = 0.0,
    ) -> None:
        self.content_type = content_type
        self.status = status
        self.head = head
        self.chunk = chunk
        self.length = length
        self.pause = pause
        self.sent = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        gone = _Gone(receive)
        try:
            await send(_start(self.status, self.content_type, self.length))
            await send({"type": "http.response.body", "body": self.head, "more_body": True})
            self.sent += len(self.head)
            started = time.monotonic()
            while not gone and self.sent < MAX_ENDLESS_BYTES:
                if time.monotonic() - started > MAX_HOSTILE_SECONDS:
                    break
                await send({"type": "http.response.body", "body": self.chunk, "more_body": True})
                self.sent += len(self.chunk)
                await asyncio.sleep(self.pause)
            await send({"type": "http.response.body", "body": b""})
        finally:
            gone.stop()


def trickle(content_type: str = JSON, *, every: float = 0.05) -> Endless:
    """A body one byte at a time: never idle long enough for a read timeout."""
    return Endless(content_type, head=b"[", chunk=b" ", pause=every)


def stall(content_type: str = JSON, *, length: int = 100) -> Answer:
    """Headers that promise ``length`` bytes, then silence."""

    async def answer(scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        gone = _Gone(receive)
        try:
            await send(_start(200, content_type, length))
            await send({"type": "http.response.body", "body": b"{", "more_body": True})
            await asyncio.wait_for(gone.event.wait(), MAX_HOSTILE_SECONDS)
        except asyncio.TimeoutError:
            pass
        finally:
            gone.stop()

    return answer
