"""The execution queue: a pool of worker threads taking execution ids in order.

The threads are started on demand, up to ``workers``: one when an id is put and no thread is
free to take it. A platform that never runs anything starts none, and the embedded platform of
a run no longer starts its 50 threads (~9 ms) before it can answer its first request.
"""

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
        self._max_threads = workers
        #: the threads started so far (at most ``workers``)
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        #: ids put and not yet taken by a thread; threads waiting for one
        self._unclaimed = 0
        self._idle = 0
        self._closed = False

    def put(self, execution_id: str) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("the execution queue is closed")
            self._unclaimed += 1
            # A thread finishing its job may be about to take it: then one more thread than
            # needed is started, never more than ``workers``.
            if self._unclaimed > self._idle and len(self._threads) < self._max_threads:
                thread = threading.Thread(
                    target=self._work, name=f"evalkit-worker-{len(self._threads)}", daemon=True
                )
                thread.start()  # under the lock: close never sees a thread not yet started
                self._threads.append(thread)
        self._queue.put(execution_id)

    def close(self, timeout: float = 30.0) -> None:
        """Stop taking work and join the workers (callers cancel running jobs first)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            threads = list(self._threads)
        for _ in threads:
            self._queue.put(_STOP)
        for thread in threads:
            thread.join(timeout)

    def _work(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
            item = self._queue.get()
            if item is _STOP:
                return
            with self._lock:
                self._idle -= 1
                self._unclaimed -= 1
            try:
                self._handle(str(item))
            except Exception:  # a bug in one job must not kill the worker
                logger.exception("execution %s crashed its worker", item)
