"""The execution queue: a pool of worker threads taking execution ids in order."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

logger = logging.getLogger("evalkit.emulator")

_STOP = object()


class ExecutionQueue:
    def __init__(self, *, workers: int, handle: Callable[[str], None]) -> None:
        # SimpleQueue: put and get are C calls, with no Python-level condition to notify.
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._handle = handle
        self._threads = [
            threading.Thread(target=self._work, name=f"evalkit-worker-{n}", daemon=True)
            for n in range(workers)
        ]
        self._closed = False
        for thread in self._threads:
            thread.start()

    def put(self, execution_id: str) -> None:
        if self._closed:
            raise RuntimeError("the execution queue is closed")
        self._queue.put(execution_id)

    def close(self, timeout: float = 30.0) -> None:
        """Stop taking work and join the workers (callers cancel running jobs first)."""
        if self._closed:
            return
        self._closed = True
        for _ in self._threads:
            self._queue.put(_STOP)
        for thread in self._threads:
            thread.join(timeout)

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            try:
                self._handle(str(item))
            except Exception:  # a bug in one job must not kill the worker
                logger.exception("execution %s crashed its worker", item)
