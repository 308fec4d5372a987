"""The execution queue: at most ``workers`` executions at once, the rest waiting in order.

An execution runs on a worker thread or, put on the thread of the event loop that serves the
platform (``serve_on``) when the queue has ``on_loop``, on the loop itself: a builtin runtime's
run is a few SQLite statements and a timer (``ExecutionWorker.start_on_loop``), and the
hand-offs to and from a thread cost the platform more CPU than the rest of it (a quarter of its
CPU per example of a run, ~15 context switches each). Either way it takes one of the slots.

The threads are started on demand, up to ``workers``: one when an execution is handed to a
thread and no thread is free to take it. A platform that never runs anything starts none, and
the embedded platform of a run no longer starts its 50 threads (~9 ms) before it can answer.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import logging
import queue
import threading
from collections.abc import Callable

logger = logging.getLogger("evalkit.emulator")


#: ``on_loop(execution_id, done, to_thread)``, called on the event loop's thread: False when it
#: did nothing (the execution goes to a thread). True when it took the execution: it then calls
#: ``done()`` on the loop once the execution ended, or ``to_thread(fn)`` to go on with it on a
#: worker thread (``fn()`` runs there), exactly one of the two, exactly once.
OnLoop = Callable[[str, Callable[[], None], Callable[[Callable[[], None]], None]], bool]


class ExecutionQueue:
    def __init__(
        self, *, workers: int, handle: Callable[[str], None], on_loop: OnLoop | None = None
    ) -> None:
        """``handle(execution_id)`` runs one execution on a worker thread."""
        # SimpleQueue: put and get are C calls, with no Python-level condition to notify.
        #: (execution id, its job) for the threads; None tells a thread to stop
        self._queue: queue.SimpleQueue[tuple[str, Callable[[], None]] | None] = queue.SimpleQueue()
        self._handle = handle
        self._on_loop = on_loop
        self._slots = workers
        #: the threads started so far (at most ``workers``)
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        #: executions taking a slot; those waiting for one, in order
        self._busy = 0
        self._waiting: collections.deque[str] = collections.deque()
        #: jobs handed to the threads and not yet taken; threads waiting for one
        self._unclaimed = 0
        self._idle = 0
        #: executions held by the loop (taken by ``on_loop``, not yet done nor sent to a thread)
        self._on_loop_now = 0
        self._loop_drained = threading.Condition(self._lock)
        #: the loop ``on_loop`` runs on (``serve_on``); None: every execution goes to a thread
        self._serving_loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    def serve_on(self, loop: asyncio.AbstractEventLoop) -> None:
        """The event loop that serves the platform until it closes (the app's lifespan runs
        on it): ``on_loop`` is offered what is put on it. Only that loop: a timer on a loop
        made for one request (a test client without its lifespan) would never fire."""
        self._serving_loop = loop

    def put(self, execution_id: str) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("the execution queue is closed")
            if self._busy >= self._slots:
                self._waiting.append(execution_id)
                return
            self._busy += 1
        self._dispatch(execution_id)

    def close(self, timeout: float = 30.0) -> None:
        """Stop taking work and join the workers (callers cancel running jobs first). Called
        off the loop, it first waits for the executions the loop holds to end (cancelled by
        the caller), so that nothing is stored after the platform closed its database."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if asyncio._get_running_loop() is None:
                self._loop_drained.wait_for(lambda: self._on_loop_now == 0, timeout)
            threads = list(self._threads)
        for _ in threads:
            self._queue.put(None)
        for thread in threads:
            thread.join(timeout)

    def _dispatch(self, execution_id: str) -> None:
        """Run an execution that has its slot: on the loop if this is its thread and
        ``on_loop`` takes it, else on a worker thread."""
        on_loop = self._on_loop
        if on_loop is not None:
            loop = asyncio._get_running_loop()  # a C call; None off the loop
            if loop is not None and loop is self._serving_loop:
                with self._lock:
                    self._on_loop_now += 1
                done = functools.partial(self._done_on_loop, loop)
                to_thread = functools.partial(self._from_loop_to_thread, execution_id)
                try:
                    taken = on_loop(execution_id, done, to_thread)
                except BaseException:  # a bug: the slot is freed, the error goes on
                    done()
                    raise
                if taken:
                    return
                self._leave_loop()
        self._to_thread(execution_id, functools.partial(self._handle, execution_id))

    def _done_on_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        self._leave_loop()
        following = self._next()
        if following is None or self._closed:
            return  # closing: left pending, as a thread leaves it
        try:  # later, not within the ending execution's call
            loop.call_soon(self._dispatch, following)
        except RuntimeError:  # the loop is closed (its runs were ended from another thread)
            self._to_thread(following, functools.partial(self._handle, following))

    def _from_loop_to_thread(self, execution_id: str, job: Callable[[], None]) -> None:
        self._leave_loop()
        self._to_thread(execution_id, job)

    def _leave_loop(self) -> None:
        with self._lock:
            self._on_loop_now -= 1
            if self._on_loop_now == 0:
                self._loop_drained.notify_all()

    def _to_thread(self, execution_id: str, job: Callable[[], None]) -> None:
        with self._lock:
            self._unclaimed += 1
            # A thread finishing its job may be about to take it: then one more thread than
            # needed is started, never more than ``workers`` (one job per slot).
            if self._unclaimed > self._idle and len(self._threads) < self._slots:
                thread = threading.Thread(
                    target=self._work, name=f"evalkit-worker-{len(self._threads)}", daemon=True
                )
                thread.start()  # under the lock: close never sees a thread not yet started
                self._threads.append(thread)
        self._queue.put((execution_id, job))

    def _next(self) -> str | None:
        """A slot was freed: the execution that takes it (it keeps the slot), or None."""
        with self._lock:
            if self._waiting:
                return self._waiting.popleft()
            self._busy -= 1
            return None

    def _work(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
            item = self._queue.get()
            if item is None:
                return
            with self._lock:
                self._idle -= 1
                self._unclaimed -= 1
            execution_id, job = item
            while True:
                try:
                    job()
                except Exception:  # a bug in one job must not kill the worker
                    logger.exception("execution %s crashed its worker", execution_id)
                # The slot this thread held goes to the next execution waiting, run here.
                following = self._next()
                if following is None:
                    break
                execution_id, job = following, functools.partial(self._handle, following)
