"""Is the platform still there? A run-level circuit, and the traffic figures of the run.

Every call the runner makes tells ``PlatformHealth`` how it went. A failure that may pass (a
5xx, a dropped or refused connection, no answer in time) is tried again patiently, within the
example's time limit (``runner.patience``). But when calls keep failing and nothing has been
answered for ``down_after`` seconds, across all examples, the platform is down: every patient
call then gives up at once with ``PlatformDown``, an ``unreachable`` error that stops the run
(exit code 3), instead of each example waiting out its own time limit. The circuit stays open
once it opened: the run stops, and running again starts afresh.

The figures (requests sent, 5xx and 429 answers, requests without an answer) are counted by
httpx event hooks (``runner.calls.rate_limit_hooks``), which also see the client's own
retries; the calls the runner repeated itself are counted here.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from evalkit.client.errors import EigenpalConnectionError, EigenpalError
from evalkit.runner.results import Traffic

#: nothing answered for this long while calls fail: the platform is down
DEFAULT_DOWN_AFTER_SECONDS = 60.0


class PlatformDown(EigenpalConnectionError):
    """No call was answered for ``down_after`` seconds while calls kept failing."""


class PlatformHealth:
    def __init__(
        self,
        down_after: float = DEFAULT_DOWN_AFTER_SECONDS,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.down_after = down_after
        self._clock = clock
        #: some call of this run was answered (a refused connection before that is fatal)
        self.ever_answered = False
        self.failing_since: float | None = None
        self.last_failure: EigenpalError | None = None
        self.down: PlatformDown | None = None
        self._opened = asyncio.Event()
        # Figures (see Traffic).
        self.requests = 0
        self.answers = 0
        self.server_errors = 0
        self.rate_limited = 0
        self.repeated = 0

    def now(self) -> float:
        return self._clock()

    def answered(self) -> None:
        """A call got an answer that is not a server error (429 and 4xx included): the
        platform is there."""
        self.ever_answered = True
        self.failing_since = None

    def failed(self, err: EigenpalError) -> None:
        """A call failed in a way that may pass (see ``patience.is_transient``). The circuit
        opens on a failure, never on silence alone: calls held open by the platform are slow,
        not failing."""
        self.last_failure = err
        now = self.now()
        if self.failing_since is None:
            self.failing_since = now
        elif self.down is None and now - self.failing_since >= self.down_after:
            self.down = PlatformDown(
                f"no answer from the platform for {now - self.failing_since:.0f} s while calls "
                f"kept failing (taken for down after {self.down_after:g} s); the last failure: "
                f"{err}"
            )
            self._opened.set()

    def check(self) -> None:
        """Raise ``PlatformDown`` once the circuit is open."""
        if self.down is not None:
            raise self.down

    async def pause(self, seconds: float) -> None:
        """Sleep ``seconds``, or less when the circuit opens meanwhile."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._opened.wait(), max(0.0, seconds))

    def traffic(self) -> Traffic:
        return Traffic(
            requests=self.requests,
            server_errors=self.server_errors,
            rate_limited=self.rate_limited,
            unanswered=max(0, self.requests - self.answers),
            repeated=self.repeated,
        )
