"""Ctrl-C during a run: the first one (or SIGTERM) stops it cleanly, a second one aborts.

The first signal sets the run's ``stop`` event: the orchestrator then cancels the executions
in flight on the platform and records every example (see ``runner.orchestrate``). The handlers
are removed at once, so a second Ctrl-C reaches Python as usual (``KeyboardInterrupt``).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def stop_on_interrupt(stop: asyncio.Event, on_first: Callable[[], None]) -> Iterator[None]:
    """Inside a running event loop: SIGINT and SIGTERM set ``stop`` once, after ``on_first``
    (which tells the user). Where signals cannot be handled (not the main thread, Windows),
    nothing is installed."""
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []

    def first_interrupt() -> None:
        on_first()
        stop.set()
        for signum in installed:
            loop.remove_signal_handler(signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, first_interrupt)
            installed.append(signum)
        except (NotImplementedError, RuntimeError):
            pass
    try:
        yield
    finally:
        for signum in installed:
            with contextlib.suppress(ValueError, RuntimeError):
                loop.remove_signal_handler(signum)
