"""Adaptive concurrency: how many examples may be in flight on the platform at once.

AIMD, as in TCP congestion control: each success adds ``1/limit`` to the limit (about one more
slot per round of completions, up to the configured maximum); a 429 halves it (down to 1) and
pauses every new start until ``Retry-After`` has passed. The 429s of one burst halve the limit
once: a 429 for a request that started before the last decrease says nothing new.

``AimdState`` is the pure rule (the clock is passed in, so tests need no sleeping);
``AdaptiveLimiter`` wraps it for asyncio tasks.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

#: pause after a 429 that carries no usable Retry-After
DEFAULT_RETRY_AFTER = 1.0
#: never pause longer than this, whatever a server says (a bad header must not hang a run)
MAX_RETRY_AFTER = 120.0


@dataclass
class AimdState:
    maximum: int
    limit: float = 0.0
    in_flight: int = 0
    paused_until: float = 0.0
    last_decrease_at: float = -math.inf
    #: the lowest the limit went (for the summary and for tests)
    lowest: float = 0.0
    #: how many 429s were seen
    rate_limited: int = 0

    def __post_init__(self) -> None:
        if self.maximum < 1:
            raise ValueError(f"concurrency must be at least 1, got {self.maximum}")
        if self.limit <= 0:
            self.limit = float(self.maximum)
        self.lowest = self.limit

    @property
    def slots(self) -> int:
        """Whole slots the current limit allows."""
        return max(1, math.floor(self.limit))

    def pause_left(self, now: float) -> float:
        return max(0.0, self.paused_until - now)

    def can_start(self, now: float) -> bool:
        return self.pause_left(now) == 0.0 and self.in_flight < self.slots

    def start(self, now: float) -> float:
        """Take a slot; returns the start time to hand back to ``on_rate_limited``."""
        if not self.can_start(now):
            raise RuntimeError("no slot free")
        self.in_flight += 1
        return now

    def finish(self) -> None:
        """Give a slot back (whatever the outcome)."""
        if self.in_flight <= 0:
            raise RuntimeError("finish() without start()")
        self.in_flight -= 1

    def on_success(self) -> None:
        self.limit = min(float(self.maximum), self.limit + 1.0 / self.limit)

    def on_rate_limited(self, now: float, started_at: float, retry_after: float | None) -> None:
        pause = DEFAULT_RETRY_AFTER if retry_after is None or retry_after < 0 else retry_after
        self.paused_until = max(self.paused_until, now + min(pause, MAX_RETRY_AFTER))
        self.rate_limited += 1
        if started_at >= self.last_decrease_at:
            self.limit = max(1.0, self.limit / 2)
            self.last_decrease_at = now
            self.lowest = min(self.lowest, self.limit)


class AdaptiveLimiter:
    """``async with limiter.slot() as slot:`` around one example's work on the platform."""

    def __init__(self, maximum: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.state = AimdState(maximum)
        self._clock = clock
        self._changed = asyncio.Condition()

    async def acquire(self) -> float:
        async with self._changed:
            while True:
                now = self._clock()
                if self.state.can_start(now):
                    return self.state.start(now)
                pause = self.state.pause_left(now)
                # Wake on any change, or when the pause ends.
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), pause if pause > 0 else None)

    async def release(self, started_at: float, *, success: bool = False) -> None:
        del started_at  # kept for symmetry with rate_limited()
        async with self._changed:
            self.state.finish()
            if success:
                self.state.on_success()
            self._changed.notify_all()

    async def rate_limited(self, started_at: float, retry_after: float | None) -> None:
        """Give the slot back after a 429: shrink the limit and pause new starts."""
        async with self._changed:
            self.state.finish()
            self.state.on_rate_limited(self._clock(), started_at, retry_after)
            self._changed.notify_all()

    async def observe_rate_limit(self, sent_at: float, retry_after: float | None) -> None:
        """A 429 seen on any call (the client may retry it by itself): shrink and pause,
        without touching slots. ``sent_at`` is when that request was sent (this clock)."""
        async with self._changed:
            self.state.on_rate_limited(self._clock(), sent_at, retry_after)
            self._changed.notify_all()

    def now(self) -> float:
        return self._clock()

    def free(self) -> bool:
        """Whether ``acquire`` would return at once."""
        return self.state.can_start(self._clock())
