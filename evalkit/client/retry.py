"""When to retry a request and how long to wait first: pure functions, tested by tables.

Two kinds of request:

- ``SAFE``: reads, and writes that are idempotent by nature (GET, PUT, PATCH, DELETE, the
  cancel POSTs, and expected uploads or copies stored under a name the caller chose). Retried
  on 429, any 5xx, and any transport failure.
- ``STARTS_WORK``: a POST that creates something (agent run, rerun, create agent, file
  upload, expected upload or copy without a name, workflow run). Retried only when the server
  cannot have acted: the connection was never made, or the answer was 429 or 503. Every POST
  also carries one ``Idempotency-Key`` for all its attempts, for servers that honour it.

A client with ``patience_seconds`` waits out 429 answers (the server did nothing and asked to
come back) for up to that long in all, outside ``max_retries`` (``rate_limit_pause``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from enum import Enum

INITIAL_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 8.0
MAX_RETRY_AFTER_SECONDS = 60.0
DEFAULT_MAX_RETRIES = 3
#: how long evalkit's commands wait out a platform that does not serve them, the run's own
#: calls aside (``patience_seconds`` of plan, sync, pull, harvest and the checks before a
#: run): a rate limit, or nothing answered at all (docs/run.md: taken for down after 60 s)
PLATFORM_PATIENCE_SECONDS = 60.0


class RetryPolicy(str, Enum):
    SAFE = "safe"
    STARTS_WORK = "starts_work"


class Failure(str, Enum):
    """What went wrong with one attempt, as far as retrying is concerned."""

    CONNECT = "connect"  # never reached the server: it cannot have acted
    READ_TIMEOUT = "read_timeout"  # sent, no answer in time: it may have acted
    DROPPED = "dropped"  # connection closed mid-answer (RemoteProtocolError)
    STATUS = "status"  # an HTTP answer; see the status code


_STARTS_WORK_STATUSES = frozenset({429, 503})


def is_retryable(policy: RetryPolicy, failure: Failure, status: int | None = None) -> bool:
    """Whether this failure of a request of this policy may be retried at all."""
    if failure is Failure.STATUS:
        if status is None:
            return False
        if policy is RetryPolicy.STARTS_WORK:
            return status in _STARTS_WORK_STATUSES
        return status == 429 or status >= 500
    if policy is RetryPolicy.STARTS_WORK:
        return failure is Failure.CONNECT
    return True


def should_retry(
    policy: RetryPolicy,
    failure: Failure,
    *,
    status: int | None = None,
    retries_done: int,
    max_retries: int,
) -> bool:
    """Whether to make another attempt after ``retries_done`` retries already made."""
    return retries_done < max_retries and is_retryable(policy, failure, status)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from now: a number of seconds or an HTTP date. None if bad."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        seconds = (moment - (now or datetime.now(timezone.utc))).total_seconds()
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN or infinite
        return None
    return max(0.0, seconds)


def backoff_seconds(
    retries_done: int,
    *,
    retry_after: float | None = None,
    jitter: Callable[[], float] = random.random,
) -> float:
    """The pause before retry number ``retries_done + 1``.

    The server's ``Retry-After`` wins, capped at ``MAX_RETRY_AFTER_SECONDS``. Otherwise
    0.5 s doubling per retry, capped at 8 s, shortened by up to a quarter at random so that
    many clients do not retry in step. ``jitter`` returns a float in [0, 1).
    """
    if retry_after is not None:
        return min(retry_after, MAX_RETRY_AFTER_SECONDS)
    base = min(INITIAL_BACKOFF_SECONDS * 2.0**retries_done, MAX_BACKOFF_SECONDS)
    return base * (1.0 - 0.25 * jitter())


def rate_limit_pause(
    retry_after: float | None,
    waits_done: int,
    *,
    jitter: Callable[[], float] = random.random,
) -> float:
    """The pause before trying again after a 429 that is waited out: the server's
    ``Retry-After`` (else the backoff, growing with each wait), made up to twice as long at
    random, never shorter: workers told to come back together must not come back in step.
    Capped at ``MAX_RETRY_AFTER_SECONDS``."""
    asked = retry_after
    if asked is None:
        asked = min(INITIAL_BACKOFF_SECONDS * 2.0**waits_done, MAX_BACKOFF_SECONDS)
    return min(asked * (1.0 + jitter()), MAX_RETRY_AFTER_SECONDS)
