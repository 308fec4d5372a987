"""A scripted fake API for ``httpx.MockTransport``, and clients wired to it."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from evalkit.client import AsyncEigenpalClient, EigenpalClient

API_KEY = "eg_test_SECRET_1234567890"
BASE_URL = "http://eigenpal.test"
TS = "2026-01-01T00:00:00.000Z"

AGENT = {"id": "awf_1", "slug": "invoices", "name": "Invoices", "createdAt": TS}
EXECUTION = {"id": "exec_1", "status": "completed", "createdAt": TS, "output": {"total": 3}}
RUNNING = {"id": "exec_1", "status": "running", "createdAt": TS}
WORKFLOW = {"id": "wf_1", "createdAt": TS, "name": "flow"}

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def json_answer(status: int, body: Any, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def envelope(
    status: int, message: str = "bad", *, field_name: str = "<root>", **headers: str
) -> httpx.Response:
    body = {
        "issues": [{"field": field_name, "message": message, "code": "invalid_value"}],
        "requestId": "req_body",
    }
    return httpx.Response(status, json=body, headers=headers)


@dataclass
class FakeApi:
    """Answers requests from a queue (one answer per request, the last one repeated) and
    keeps every request it saw, body read."""

    answers: list[Answer] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)

    def queue(self, *answers: Answer) -> None:
        self.answers.extend(answers)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        if not self.answers:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer) and not isinstance(answer, httpx.Response):
            return answer(request)
        return answer

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)

    def params(self, index: int = -1) -> dict[str, str]:
        return dict(self.requests[index].url.params)


@dataclass
class Sleeps:
    """A fake clock: ``sleep`` records the pause and moves ``now`` forward."""

    now: float = 1000.0
    pauses: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def clock(self) -> float:
        return self.now


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client(api: FakeApi, sleeps: Sleeps) -> Iterator[EigenpalClient]:
    with EigenpalClient(
        api_key=API_KEY,
        base_url=BASE_URL,
        transport=httpx.MockTransport(api),
        sleep=sleeps.sleep,
        clock=sleeps.clock,
        jitter=lambda: 0.0,
    ) as made:
        yield made


@pytest.fixture
def aclient(api: FakeApi, sleeps: Sleeps) -> AsyncEigenpalClient:
    return AsyncEigenpalClient(
        api_key=API_KEY,
        base_url=BASE_URL,
        transport=httpx.MockTransport(api),
        sleep=sleeps.asleep,
        clock=sleeps.clock,
        jitter=lambda: 0.0,
    )


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@contextmanager
def answers_left_in_cycles() -> Iterator[list[httpx.Response]]:
    """The answers the collector finds in reference cycles (unreachable, yet not freed by
    their reference counts) once the block has run."""
    found: list[httpx.Response] = []
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what the collector finds unreachable is kept to look at
    try:
        yield found
        gc.collect()
        found.extend(item for item in gc.garbage if isinstance(item, httpx.Response))
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
