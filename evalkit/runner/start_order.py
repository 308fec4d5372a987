"""Starts first: the slot an execution frees goes to the next example's start before the
finished examples are read, compared and written back.

Executions end in waves (a run's first ``--concurrency`` starts together, and so on), and each
finished example then makes its own calls (the execution's read, the feedback write) and
compares, all on one event loop. asyncio has no priorities: a start sent after them waits for
all of that work (about 5 ms an example, so a quarter of a second for a wave of 50), and the
platform idles meanwhile. So the run keeps count of the starts it owes, from the moment a slot
is taken for one until its request is written to the connection, and an example's work after
its execution ended waits while any is owed (``clear``).

It also waits while executions are ending: a wave's ends come over tens of milliseconds, and
the starts owed are paid one by one as they do. Work let go between two of them (a read, a
comparison in a worker thread, a feedback write) holds up the answers and starts that follow,
in the runner and on the platform (which answers in arrival order); the ends it delays are
those of the slowest chain of examples, which sets the run's length. So the work waits until
no execution has ended for ``QUIET_SECONDS`` (the wave's burst is over) and does its calls in
the idle part of the wave; an end that comes alone (no other within ``QUIET_SECONDS``) holds
nothing. (Measured at ``--concurrency 50``, 500 examples of 0.5 s, on a machine loaded 4-10
by other work: the runner's CPU between an answer and the next start it frees was lower with
the wait in 3 series of A/B runs of 4, by a tenth to a fifth; the wall time's gain was within
that load's noise.)

Once no example is left waiting to start (``to_start``: the run's last wave), no start can
follow an end: the work of finished examples goes on once every start owed is sent, beside the
ends still coming, rather than after the last of them (the same run: 10 to 30 ms shorter, its
last example written back 20 ms after its answer instead of 40).

A start's request is known to be written through ``signalling_transport``, the HTTP transport
the runner's client uses: it calls back once the request body has gone out. A start owed is
paid in any case when its call ends, and after ``MOST_OWED_SECONDS`` at the latest (a proxy's
transport, say, does not call back); a wait for a quiet moment ends after ``MOST_HELD_SECONDS``
(ends that never pause: the work goes on beside them). The order can slow an example's
reading, never stop it: Ctrl-C cancels a waiting example as any other, and every finished
example's work is done before the run ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from contextvars import ContextVar

import httpx

#: the longest an owed start holds back the work of finished examples
MOST_OWED_SECONDS = 0.25
#: the work of finished examples waits until no execution has ended for this long (a burst of
#: ends has gaps of a few milliseconds: the runner's work for each answer and start)
QUIET_SECONDS = 0.010
#: the longest one wait of that work lasts, quiet or not (as long as an owed start holds it)
MOST_HELD_SECONDS = MOST_OWED_SECONDS

#: set around a start's call: what the transport calls once the request is written
_ON_WRITTEN: ContextVar[Callable[[], None] | None] = ContextVar(
    "evalkit_start_written", default=None
)


class StartOrder:
    """The starts owed, by the example (any object) that owes each, in the order owed; and
    when an execution last ended."""

    def __init__(self) -> None:
        #: id of the key -> its number, in the order owed (so the first is the oldest)
        self._owed: dict[int, int] = {}
        self._numbered = 0
        #: (the last start owed when it began waiting, when it stops waiting for quiet, its
        #: future), oldest first: so both are in order
        self._waiters: deque[tuple[int, float, asyncio.Future[None]]] = deque()
        #: the event loop's times of the last end (``ended``) and of the one before it
        self._last_end = -math.inf
        self._end_before = -math.inf
        #: the one timer that looks at the waiters again (None: none pending)
        self._timer: asyncio.TimerHandle | None = None
        #: whether an example waits to start (a freed slot is taken at once): ends are
        #: waited out only then
        self._starts_waiting = True

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
        if self._owed.pop(id(key), None) is not None:
            self._let_go()

    def ended(self) -> None:
        """An execution ended (its slot is given back): more may be ending with it."""
        self._end_before, self._last_end = self._last_end, asyncio.get_running_loop().time()

    def to_start(self, waiting: bool) -> None:
        """Whether an example waits to start now: when none does, no start follows an end,
        and the work of finished examples waits only for every start owed to be sent, not
        for the ends to pause (a repeat queued later makes it wait for them again)."""
        if waiting != self._starts_waiting:
            self._starts_waiting = waiting
            if not waiting:
                self._let_go()

    def _quiet_at(self) -> float:
        """When the ends under way have paused: ``QUIET_SECONDS`` after the last, when it came
        within ``QUIET_SECONDS`` of the one before. A lone end is no burst: the work of its
        example goes on at once (at ``--concurrency 1`` nothing waits); nor does anything
        wait for quiet once no example waits to start."""
        if not self._starts_waiting or self._last_end - self._end_before >= QUIET_SECONDS:
            return -math.inf
        return self._last_end + QUIET_SECONDS

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
        """Wait until the starts owed now are sent, and no execution has ended for
        ``QUIET_SECONDS`` (at once when both hold and nothing waits before). Starts owed
        later do not hold it, and the quiet is waited for ``MOST_HELD_SECONDS`` at most: a
        steady stream of starts or ends cannot starve the work of finished examples."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        if not self._owed and not self._waiters and now >= self._quiet_at():
            return
        waiter = loop.create_future()
        self._waiters.append((self._numbered, now + MOST_HELD_SECONDS, waiter))
        self._let_go()
        await waiter

    def _let_go(self) -> None:
        """Let the waiters go whose starts are paid, when it is quiet or they waited long
        enough, oldest first; and look again when the first one left could go."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        oldest = next(iter(self._owed.values()), self._numbered + 1)
        if self._owed and not self._starts_waiting:
            # The last starts: every one owed goes before any work (the quiet that held the
            # work until then is not waited for)
            oldest = 0
        quiet_at = self._quiet_at()
        while self._waiters:
            last_owed, latest, waiter = self._waiters[0]
            if last_owed >= oldest or now < min(quiet_at, latest):
                break
            self._waiters.popleft()
            if not waiter.done():  # (a cancelled one: its example was stopped)
                waiter.set_result(None)
        if self._waiters and self._waiters[0][0] < oldest:
            # Paid, waiting for quiet: one timer for all of them, put off while ends come.
            # (A waiter held by a start owed is let go when that start is paid.)
            at = min(quiet_at, self._waiters[0][1])
            if self._timer is not None and self._timer.when() > at:
                self._timer.cancel()
                self._timer = None
            if self._timer is None:
                self._timer = loop.call_at(at, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._let_go()

    async def after_release(self) -> None:
        """Right after an execution freed its slot: the launcher, woken by the release, takes
        the slot for the next start first (it runs before this task resumes), then this waits
        until that start is sent."""
        await asyncio.sleep(0)
        await self.clear()


class SignallingTransport(httpx.AsyncBaseTransport):
    """Wraps the runner's HTTP transport: a request sent inside ``StartOrder.sending`` calls
    back once its body is written to the connection."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
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
