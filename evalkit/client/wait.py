"""Waiting for an execution to end: hold the request open first, then poll, with a deadline.

The server can hold a run request until the execution ends (``wait_for_completion``, at most
600 s for agents and 60 s for workflows), so a short execution costs one request. Past the
hold, the client polls with a growing interval: 0.25 s, x1.5 each time, capped at 2 s, so a
run that ends just after the hold is still seen within a fraction of a second.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

from evalkit.api import TERMINAL_STATUSES
from evalkit.client.errors import EigenpalTimeoutError

FIRST_POLL_SECONDS = 0.25
POLL_GROWTH = 1.5
MAX_POLL_SECONDS = 2.0
DEFAULT_WAIT_SECONDS = 600.0
DEFAULT_HOLD_SECONDS = 60

_TERMINAL_VALUES = frozenset(status.value for status in TERMINAL_STATUSES)


def poll_delays(
    *, first: float = FIRST_POLL_SECONDS, growth: float = POLL_GROWTH, cap: float = MAX_POLL_SECONDS
) -> Iterator[float]:
    """Pauses between polls: ``first``, then ``growth`` times longer each time, up to ``cap``."""
    delay = min(first, cap)
    while True:
        yield delay
        delay = min(delay * growth, cap)


def hold_seconds_for(requested: float | None, *, remaining: float, max_hold: int) -> int:
    """Whole seconds to ask the server to hold the run open; 0 means do not hold.

    Never more than the server allows, nor past the caller's own deadline.
    """
    if not requested or requested <= 0:
        return 0
    return max(0, min(math.floor(requested), max_hold, math.floor(remaining)))


def is_terminal(status: Any) -> bool:
    """True for completed, failed, cancelled and rejected; ``"timeout"`` (hold ran out) is not."""
    value = status.value if isinstance(status, Enum) else status
    return value in _TERMINAL_VALUES


@dataclass(frozen=True)
class Deadline:
    ends_at: float
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def after(cls, seconds: float, clock: Callable[[], float] = time.monotonic) -> Deadline:
        return cls(clock() + seconds, clock)

    def remaining(self) -> float:
        return self.ends_at - self.clock()


def timed_out(execution_id: str, timeout_seconds: float) -> EigenpalTimeoutError:
    return EigenpalTimeoutError(
        f"execution {execution_id} did not finish within {timeout_seconds:g} s; it may still be "
        f"running: wait again or cancel it (execution_id={execution_id})"
    )
