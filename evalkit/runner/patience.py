"""Idempotent calls outlast rate-limit bursts: after the client's own retries, wait as the
platform asks (``Retry-After``) and call again, a bounded number of rounds.

Only for calls that are safe to repeat (reads, the feedback PATCH, expected uploads under a
fixed name); starting a run has its own rule (the limiter, in ``agent_run``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from evalkit.client.errors import EigenpalRateLimitError
from evalkit.runner.limiter import DEFAULT_RETRY_AFTER, MAX_RETRY_AFTER

T = TypeVar("T")

#: rounds of (client retries, then the platform's Retry-After) before giving up
RATE_LIMIT_ROUNDS = 5


async def outlast_rate_limits(call: Callable[[], Awaitable[T]]) -> T:
    for attempt in range(1, RATE_LIMIT_ROUNDS + 1):
        try:
            return await call()
        except EigenpalRateLimitError as err:
            if attempt == RATE_LIMIT_ROUNDS:
                raise
            pause = err.retry_after if err.retry_after is not None else DEFAULT_RETRY_AFTER
            await asyncio.sleep(min(max(float(pause), 0.0), MAX_RETRY_AFTER))
    raise AssertionError("unreachable")  # the loop returns or raises
