"""Starts first: the slot an execution frees goes to the next example's start before the
finished examples are read, compared and written back.

Executions end in waves (a run's first ``--concurrency`` starts together, and so on), and each
finished example then makes its own calls (the execution's read, the feedback write) and
compares, all on one event loop. asyncio has no priorities: a start sent after them waits for
all of that work (about 5 ms an example, so a quarter of a second for a wave of 50), and the
platform idles meanwhile. So the run keeps count of the starts it owes, from the moment a slot
is taken for one until its request is written to the connection, and an example's work after
its execution ended waits while any is owed (``clear``).

A start's request is known to be written through ``signalling_transport``, the HTTP transport
the runner's client uses: it calls back once the request body has gone out. A start owed is
paid in any case when its call ends, and after ``MOST_OWED_SECONDS`` at the latest (a proxy's
transport, say, does not call back): the order can slow an example's reading, never stop it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from contextvars import ContextVar

import httpx

from evalkit.client._network import quicken

#: the longest an owed start holds back the work of finished examples
MOST_OWED_SECONDS = 0.25

#: set around a start's call: what the transport calls once the request is written
_ON_WRITTEN: ContextVar[Callable[[], None] | None] = ContextVar(
    "evalkit_start_written", default=None
)


class StartOrder:
    """The starts owed, by the example (any object) that owes each, in the order owed."""

    def __init__(self) -> None:
        #: id of the key -> its number, in the order owed (so the first is the oldest)
        self._owed: dict[int, int] = {}
        self._numbered = 0
        #: (the last start owed when it began waiting, its future), oldest first
        self._waiters: deque[tuple[int, asyncio.Future[None]]] = deque()

    @property
    def owed(self) -> int:
        return len(self._owed)

    def owe(self, key: object) -> None:
        """A slot was taken for ``key``'s start: work after executions waits until it is sent."""
        if id(key) in self._owed:
            return
        self._numbered += 1
        self._owed[id(key)] = self._numbered
        # (the handle keeps ``key`` alive, so its id names no other while it is owed)
        asyncio.get_running_loop().call_later(MOST_OWED_SECONDS, self.paid, key)

    def paid(self, key: object) -> None:
        """``key``'s start is written (or will not be): idempotent."""
        if self._owed.pop(id(key), None) is None:
            return
        oldest = next(iter(self._owed.values()), self._numbered + 1)
        while self._waiters and self._waiters[0][0] < oldest:
            _, waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)

    @contextlib.contextmanager
    def sending(self, key: object) -> Iterator[None]:
        """Around ``key``'s start call: paid once its request is written, else when it ends."""
        token = _ON_WRITTEN.set(lambda: self.paid(key))
        try:
            yield
        finally:
            _ON_WRITTEN.reset(token)
            self.paid(key)

    async def clear(self) -> None:
        """Wait until the starts owed now are sent (at once when none is). Starts owed later
        do not hold it: a steady stream of starts cannot starve the work of finished ones."""
        if not self._owed:
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append((self._numbered, waiter))
        await waiter

    async def after_release(self) -> None:
        """Right after an execution freed its slot: the launcher, woken by the release, takes
        the slot for the next start first (it runs before this task resumes), then this waits
        until that start is sent."""
        await asyncio.sleep(0)
        await self.clear()


class SignallingTransport(httpx.AsyncBaseTransport):
    """Wraps the runner's HTTP transport: a request sent inside ``StartOrder.sending`` calls
    back once its body is written to the connection. The transport's connections are made
    cheaper to check on the way (``evalkit.client._network.quicken``)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        quicken(inner)
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        written = _ON_WRITTEN.get()
        if written is not None and isinstance(request.stream, httpx.AsyncByteStream):
            request.stream = _Signalling(request.stream, written)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


class _Signalling(httpx.AsyncByteStream):
    """A request body that calls ``written`` once its last chunk has been sent."""

    def __init__(self, inner: httpx.AsyncByteStream, written: Callable[[], None]) -> None:
        self._inner = inner
        self._written = written

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield chunk
        self._written()  # the connection asked for more: the last chunk is written

    async def aclose(self) -> None:
        await self._inner.aclose()
