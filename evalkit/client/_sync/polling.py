# generated from _async/polling.py by scripts/unasync.py; do not edit
"""Polling an execution until it ends; the schedule and the deadline are ``wait``'s."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from evalkit.client.wait import MAX_POLL_SECONDS, Deadline, poll_delays, timed_out

S = TypeVar("S")


def poll_until(
    fetch: Callable[[], S],
    done: Callable[[S], bool],
    *,
    deadline: Deadline,
    sleep: Callable[[float], None],
    execution_id: str,
    timeout_seconds: float,
    cap: float = MAX_POLL_SECONDS,
) -> S:
    """Fetch at once, then after each pause of the schedule, until ``done`` or the deadline."""
    delays = poll_delays(cap=cap)
    while True:
        state = fetch()
        if done(state):
            return state
        remaining = deadline.remaining()
        if remaining <= 0:
            raise timed_out(execution_id, timeout_seconds)
        sleep(min(next(delays), remaining))
