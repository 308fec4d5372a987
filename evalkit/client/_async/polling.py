"""Polling an execution until it ends; the schedule and the deadline are ``wait``'s."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from evalkit.client.wait import MAX_POLL_SECONDS, Deadline, poll_delays, timed_out

S = TypeVar("S")


async def apoll_until(
    fetch: Callable[[], Awaitable[S]],
    done: Callable[[S], bool],
    *,
    deadline: Deadline,
    sleep: Callable[[float], Awaitable[None]],
    execution_id: str,
    timeout_seconds: float,
    cap: float = MAX_POLL_SECONDS,
) -> S:
    """Fetch at once, then after each pause of the schedule, until ``done`` or the deadline."""
    delays = poll_delays(cap=cap)
    while True:
        state = await fetch()
        if done(state):
            return state
        remaining = deadline.remaining()
        if remaining <= 0:
            raise timed_out(execution_id, timeout_seconds)
        await sleep(min(next(delays), remaining))
