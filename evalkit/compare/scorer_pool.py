"""A small pool of worker processes that run custom Python scorers (``scorer_worker``).

User code never runs in evalkit's process: a scorer that hangs, exits (``os._exit``),
crashes the interpreter (a segfault) or eats the process's memory takes its worker down,
not the run. Each call has a time limit; past it the worker is killed and, when needed
again, replaced.

Workers start on demand, up to ``size`` of them, each a fresh interpreter running
``scorer_worker`` as a script (nothing of evalkit's state, threads or sockets inherited; it
imports the standard library only, so it is ready in tens of milliseconds), talking over a
socket pair with ``multiprocessing.connection``'s framing. (Not ``multiprocessing``'s
``spawn`` itself: it runs the parent's main script again in the child, which breaks every
script that calls ``evalkit.run`` without an ``if __name__ == "__main__"`` guard.) Workers
are kept for the calls that follow: the
comparisons run in threads, each call takes an idle worker, or starts one, or waits for one.
A worker keeps the modules it imported. They are stopped when evalkit exits.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from evalkit.compare import scorer_worker

#: workers at most (each is a Python interpreter of ~15-30 MB)
DEFAULT_SIZE = max(1, min(4, os.cpu_count() or 1))
#: how long a stopping worker may take before it is killed
_STOP_SECONDS = 2.0
#: the worker runs as a script, so that starting it imports nothing of evalkit
_WORKER_FILE = scorer_worker.__file__


class ScorerTimeout(Exception):
    """The call ran past its time limit; its worker was killed."""


class ScorerCrash(Exception):
    """The worker ended during the call (``os._exit``, a signal...); the message says how."""


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen[bytes]
    connection: Connection

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.connection.close()

    def ended(self) -> str:
        """How the process ended, in words."""
        try:
            code = self.process.wait(_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            return "stopped answering"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return f"was killed by {name}"
        return f"exited with code {code}"


class ScorerPool:
    """Worker processes for ``request``; thread-safe."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._idle: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._started = 0  # workers alive or being started
        self._workers: list[_Worker] = []
        self.starts = 0  # workers started so far (for tests and figures)

    def request(self, message: tuple[Any, ...], timeout: float) -> tuple[str, Any]:
        """Send one request to a worker and wait for its answer at most ``timeout`` seconds
        (starting the worker does not count)."""
        worker = self._take()
        healthy = False
        try:
            try:
                worker.connection.send(message)
            except (OSError, EOFError) as err:
                raise ScorerCrash(worker.ended()) from err
            if not worker.connection.poll(timeout):
                worker.kill()
                raise ScorerTimeout()
            try:
                reply: tuple[str, Any] = worker.connection.recv()
            except (EOFError, OSError) as err:
                raise ScorerCrash(worker.ended()) from err
            healthy = True
            return reply
        finally:
            self._give_back(worker, healthy)

    def close(self) -> None:
        """Stop every worker (idle ones at once; busy ones are killed)."""
        with self._lock:
            workers, self._workers = self._workers, []
        for worker in workers:
            with contextlib.suppress(OSError):
                worker.connection.close()  # an idle worker ends on EOF
        deadline = time.monotonic() + _STOP_SECONDS
        for worker in workers:
            try:
                worker.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()

    def _take(self) -> _Worker:
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                with self._lock:
                    start = self._started < self.size
                    if start:
                        self._started += 1
                if start:
                    try:
                        return self._start()
                    except BaseException:
                        self._drop(None)
                        raise
                worker = self._idle.get()
            if worker is None:
                continue  # a worker was dropped: there may be room to start one
            if worker.alive():
                return worker
            self._drop(worker)  # it died while idle

    def _give_back(self, worker: _Worker, healthy: bool) -> None:
        if healthy:
            self._idle.put(worker)
        else:
            self._drop(worker)

    def _drop(self, worker: _Worker | None) -> None:
        if worker is not None:
            worker.kill()
        with self._lock:
            self._started -= 1
            if worker in self._workers:
                self._workers.remove(worker)
        self._idle.put(None)  # wakes a thread waiting for a worker: it may start one

    def _start(self) -> _Worker:
        mine, theirs = socket.socketpair()
        try:
            process = subprocess.Popen(
                [sys.executable, _WORKER_FILE, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
            )
        except BaseException:
            mine.close()
            raise
        finally:
            theirs.close()
        worker = _Worker(process, Connection(mine.detach()))
        with self._lock:
            self._workers.append(worker)
            self.starts += 1
        return worker


_shared: ScorerPool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> ScorerPool:
    """The process's pool, started on first use and stopped at exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ScorerPool()
            atexit.register(_shared.close)
        return _shared
