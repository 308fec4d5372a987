"""Waiting for executions to end without a thread or a poll per waiter.

A held HTTP request registers an asyncio future on its own event loop; the worker thread that
finishes the execution resolves it with ``loop.call_soon_threadsafe`` (an execution run on the
loop itself, at once). Threads that need to
wait (the workflow engine's agent steps, cancel) get a ``threading.Event`` instead.
The platform keeps one registry for agent executions, the workflow engine one for its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading


class HoldRegistry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._futures: dict[str, list[asyncio.Future[bool]]] = {}
        self._events: dict[str, list[threading.Event]] = {}

    def watch(self, execution_id: str) -> asyncio.Future[bool]:
        """Call on the event loop *before* the execution can end, then ``await hold(...)``."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        with self._lock:
            self._futures.setdefault(execution_id, []).append(future)
        return future

    def watch_thread(self, execution_id: str) -> threading.Event:
        event = threading.Event()
        with self._lock:
            self._events.setdefault(execution_id, []).append(event)
        return event

    def forget(self, execution_id: str, waiter: asyncio.Future[bool] | threading.Event) -> None:
        with self._lock:
            for table in (self._futures, self._events):
                waiters: list[object] | None = table.get(execution_id)  # type: ignore[assignment]
                if waiters and waiter in waiters:
                    waiters.remove(waiter)
                    if not waiters:
                        del table[execution_id]

    async def hold(self, execution_id: str, future: asyncio.Future[bool], seconds: float) -> bool:
        """True if the execution ended within ``seconds``.

        The window is a timer on the loop that settles the future with False: no task, no
        shield, nothing to cancel but the timer when the end comes first."""
        timer = future.get_loop().call_later(seconds, _settle, future, False)
        try:
            return await future
        finally:
            timer.cancel()
            self.forget(execution_id, future)

    def notify(self, execution_id: str) -> None:
        """The execution is terminal (and stored): wake every waiter. Safe from any thread."""
        with self._lock:
            futures = self._futures.pop(execution_id, [])
            events = self._events.pop(execution_id, [])
        here = asyncio._get_running_loop()  # a C call; None off any loop
        for future in futures:
            loop = future.get_loop()
            if loop is here:  # an execution run on the loop: no wake-up through its pipe
                _settle(future, True)
                continue
            with contextlib.suppress(RuntimeError):  # the loop already closed
                loop.call_soon_threadsafe(_settle, future, True)
        for event in events:
            event.set()

    def release_all(self) -> None:
        """Wake everyone (shutdown): held requests answer with the current state."""
        with self._lock:
            ids = set(self._futures) | set(self._events)
        for execution_id in ids:
            self.notify(execution_id)


def _settle(future: asyncio.Future[bool], ended: bool) -> None:
    if not future.done():
        future.set_result(ended)
