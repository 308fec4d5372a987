"""Calls that are safe to repeat outlast failures that may pass, within a deadline.

Every read the runner makes for an example (polls, the execution, output downloads, the
lookup of an execution whose start answer was lost) and the feedback write (a PATCH with the
same body each time, expected uploads under a fixed name) may be repeated. The client already
retries each call a few times; when it gives up on a failure that may pass (a 5xx, a 429, a
dropped or refused connection, no answer in time), the runner waits and calls again, with
backoff (a 429's ``Retry-After``), until the deadline: one 503 too many must not turn an
execution that completed into an ``error``. Only then does the call fail, with its last error.

Failures that will not pass (401, 403, 404, 400) are raised at once. So is ``PlatformDown``,
when the run-level circuit opened (``runner.health``): a dead platform ends the run in
``down_after`` seconds, not after every example's time limit.

Starting a run is not one of these calls: it has its own rules (``runner.agent_run``).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from evalkit.client.errors import (
    EigenpalConnectionError,
    EigenpalError,
    EigenpalRateLimitError,
    EigenpalServerError,
    EigenpalTimeoutError,
)
from evalkit.client.retry import PLATFORM_PATIENCE_SECONDS
from evalkit.runner.failures import never_sent
from evalkit.runner.health import PlatformDown, PlatformHealth
from evalkit.runner.limiter import DEFAULT_RETRY_AFTER, MAX_RETRY_AFTER

T = TypeVar("T")

#: pauses between the runner's own attempts (the last one repeats)
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0, 8.0)

_TRANSIENT = (
    EigenpalServerError,
    EigenpalRateLimitError,
    EigenpalConnectionError,
    EigenpalTimeoutError,
)


def is_transient(err: EigenpalError) -> bool:
    """A failure that may pass if the same call is made again later."""
    return isinstance(err, _TRANSIENT) and not isinstance(err, PlatformDown)


def pause_after(err: EigenpalError, attempt: int, backoff: Sequence[float]) -> float:
    """Seconds to wait before attempt ``attempt + 1``: a 429's ``Retry-After`` (capped), else
    the backoff schedule."""
    if isinstance(err, EigenpalRateLimitError):
        advised = err.retry_after if err.retry_after is not None else DEFAULT_RETRY_AFTER
        return min(max(float(advised), 0.0), MAX_RETRY_AFTER)
    return backoff[min(attempt, len(backoff) - 1)] if backoff else 0.0


@dataclass
class Patience:
    """Patient calls until ``until`` (``health``'s clock), for one example or one write."""

    health: PlatformHealth
    until: float
    backoff: Sequence[float] = BACKOFF_SECONDS
    #: calls made again after a failure; of them, since the last success, and since when
    repeated: int = 0
    streak: int = 0
    failing_since: float | None = None
    last_failure: EigenpalError | None = None

    @classmethod
    def for_seconds(
        cls, health: PlatformHealth, seconds: float, backoff: Sequence[float] = BACKOFF_SECONDS
    ) -> Patience:
        return cls(health, health.now() + seconds, backoff)

    async def call(self, call: Callable[[], Awaitable[T]]) -> T:
        attempt = 0
        while True:
            self.health.check()
            try:
                result = await call()
            except EigenpalError as err:
                if not is_transient(err):
                    self.health.answered()
                    raise
                self._failed(err)
                pause = pause_after(err, attempt, self.backoff)
                if self.health.now() + pause >= self.until:
                    raise
                self.repeated += 1
                self.streak += 1
                self.health.repeated += 1
                attempt += 1
                await self.health.pause(pause)
                continue
            self.health.answered()
            self.streak, self.failing_since = 0, None
            return result

    def _failed(self, err: EigenpalError) -> None:
        self.last_failure = err
        if self.failing_since is None:
            self.failing_since = self.health.now()
        if isinstance(err, EigenpalRateLimitError):
            self.health.answered()  # slow down, says a platform that is there
        else:
            self.health.failed(err)

    def note(self) -> str:
        """How often calls were made again and for how long, for an error message (nothing
        once the platform is taken for down: its message says it all)."""
        if not self.streak or self.failing_since is None or self.health.down is not None:
            return ""
        times = "time" if self.streak == 1 else "times"
        seconds = self.health.now() - self.failing_since
        return f" (called again {self.streak} {times} over {seconds:.0f} s)"


def patiently_sync(
    call: Callable[[], T],
    *,
    seconds: float | None = None,
    backoff: Sequence[float] = BACKOFF_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """``call`` (reads with the sync client, before a run) until it succeeds, a failure that
    will not pass, or ``seconds`` (default ``PLATFORM_PATIENCE_SECONDS``, as long as that
    client waits out a platform by itself). A refused connection is not waited for: a
    platform that cannot be reached at all is reported at once (see ``preflight``)."""
    until = clock() + (PLATFORM_PATIENCE_SECONDS if seconds is None else seconds)
    attempt = 0
    while True:
        try:
            return call()
        except EigenpalError as err:
            if not is_transient(err) or never_sent(err):
                raise
            pause = pause_after(err, attempt, backoff)
            if clock() + pause >= until:
                raise
            attempt += 1
            sleep(pause)
