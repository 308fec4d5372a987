"""Forcing another writer's turn at an exact point of a sync: real HTTP to the local platform,
with a hook that runs once, right after a chosen request was answered and before the sync sees
the answer (so the other writer lands strictly between that request and the sync's next one)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    query: str

    def is_upload(self, slug: str) -> bool:
        return self.method in ("PUT", "POST") and self.path == f"/api/v1/agents/{slug}/files"

    def is_agent_read(self, slug: str) -> bool:
        return self.method == "GET" and self.path == f"/api/v1/agents/{slug}"

    def is_file_read(self, slug: str) -> bool:
        return (
            self.method == "GET"
            and self.path == f"/api/v1/agents/{slug}/files"
            and "path=" in self.query
        )

    def is_patch(self, slug: str) -> bool:
        return self.method == "PATCH" and self.path == f"/api/v1/agents/{slug}"


#: decides, from every request answered so far (the last one included), that it is time
Moment = Callable[[Sequence[Seen]], bool]


class Interleaved(httpx.BaseTransport):
    """Real HTTP; ``strike`` runs once, after the first answer at which ``moment`` is true."""

    def __init__(self, moment: Moment, strike: Callable[[], None]) -> None:
        self.inner = httpx.HTTPTransport()
        self.moment = moment
        self.strike = strike
        self.seen: list[Seen] = []
        self.struck = False
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        with self._lock:  # the sync reads in parallel: one strike, with every other call held
            self.seen.append(
                Seen(request.method, request.url.path, request.url.query.decode("ascii"))
            )
            if not self.struck and self.moment(self.seen):
                self.struck = True
                self.strike()
        return response

    def close(self) -> None:
        self.inner.close()


def uploads(seen: Sequence[Seen], slug: str) -> int:
    return sum(1 for item in seen if item.is_upload(slug))
