"""Hold a request until an execution ends, without a thread or a poll per waiter.

The handler registers an asyncio future on its own loop; the worker thread that ends the
execution resolves it with ``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading


class Waiters:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._futures: dict[str, list[asyncio.Future[None]]] = {}

    def watch(self, execution_id: str) -> asyncio.Future[None]:
        """Register before reading the status, so an end in between is not missed."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        with self._lock:
            self._futures.setdefault(execution_id, []).append(future)
        return future

    async def hold(self, execution_id: str, future: asyncio.Future[None], seconds: float) -> None:
        try:
            await asyncio.wait_for(asyncio.shield(future), timeout=seconds)
        except asyncio.TimeoutError:
            pass
        finally:
            with self._lock:
                waiting = self._futures.get(execution_id, [])
                if future in waiting:
                    waiting.remove(future)
                if not waiting:
                    self._futures.pop(execution_id, None)

    def notify(self, execution_id: str) -> None:
        """The execution ended (and is stored): wake its waiters. Safe from any thread."""
        with self._lock:
            futures = self._futures.pop(execution_id, [])
        for future in futures:
            with contextlib.suppress(RuntimeError):  # that request's loop is already closed
                future.get_loop().call_soon_threadsafe(_resolve, future)

    def release_all(self) -> None:
        with self._lock:
            ids = list(self._futures)
        for execution_id in ids:
            self.notify(execution_id)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
