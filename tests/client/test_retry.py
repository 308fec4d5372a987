"""The retry rule as a table: which failures retry, how long to wait, Retry-After forms."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from evalkit.client.retry import (
    Failure,
    RetryPolicy,
    backoff_seconds,
    is_retryable,
    parse_retry_after,
    rate_limit_pause,
    should_retry,
)

SAFE, STARTS = RetryPolicy.SAFE, RetryPolicy.STARTS_WORK


@pytest.mark.parametrize(
    ("policy", "failure", "status", "expected"),
    [
        (SAFE, Failure.STATUS, 429, True),
        (SAFE, Failure.STATUS, 500, True),
        (SAFE, Failure.STATUS, 502, True),
        (SAFE, Failure.STATUS, 503, True),
        (SAFE, Failure.STATUS, 504, True),
        (SAFE, Failure.STATUS, 400, False),
        (SAFE, Failure.STATUS, 401, False),
        (SAFE, Failure.STATUS, 403, False),
        (SAFE, Failure.STATUS, 404, False),
        (SAFE, Failure.STATUS, 409, False),
        (SAFE, Failure.CONNECT, None, True),
        (SAFE, Failure.READ_TIMEOUT, None, True),
        (SAFE, Failure.DROPPED, None, True),
        # A POST that starts work: only when the server cannot have acted.
        (STARTS, Failure.STATUS, 429, True),
        (STARTS, Failure.STATUS, 503, True),
        (STARTS, Failure.STATUS, 500, False),
        (STARTS, Failure.STATUS, 502, False),
        (STARTS, Failure.STATUS, 504, False),
        (STARTS, Failure.STATUS, 400, False),
        (STARTS, Failure.CONNECT, None, True),
        (STARTS, Failure.READ_TIMEOUT, None, False),
        (STARTS, Failure.DROPPED, None, False),
        (SAFE, Failure.STATUS, None, False),
    ],
)
def test_which_failures_are_retryable(
    policy: RetryPolicy, failure: Failure, status: int | None, expected: bool
) -> None:
    assert is_retryable(policy, failure, status) is expected


@pytest.mark.parametrize(
    ("retries_done", "expected"), [(0, True), (2, True), (3, False), (9, False)]
)
def test_retries_stop_at_max(retries_done: int, expected: bool) -> None:
    assert (
        should_retry(SAFE, Failure.STATUS, status=500, retries_done=retries_done, max_retries=3)
        is expected
    )


def test_no_retries_when_max_is_zero() -> None:
    assert not should_retry(SAFE, Failure.CONNECT, retries_done=0, max_retries=0)


@pytest.mark.parametrize(
    ("retries_done", "jitter", "expected"),
    [
        (0, 0.0, 0.5),
        (1, 0.0, 1.0),
        (2, 0.0, 2.0),
        (3, 0.0, 4.0),
        (4, 0.0, 8.0),
        (5, 0.0, 8.0),
        (30, 0.0, 8.0),
        (0, 0.999999, 0.5 * 0.75),
        (4, 0.5, 8.0 * 0.875),
    ],
)
def test_exponential_backoff_capped_with_jitter(
    retries_done: int, jitter: float, expected: float
) -> None:
    assert backoff_seconds(retries_done, jitter=lambda: jitter) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize(
    ("retry_after", "expected"), [(0.0, 0.0), (3.0, 3.0), (60.0, 60.0), (3600.0, 60.0)]
)
def test_retry_after_wins_up_to_a_cap(retry_after: float, expected: float) -> None:
    assert backoff_seconds(5, retry_after=retry_after, jitter=lambda: 0.9) == expected


@pytest.mark.parametrize(
    ("retry_after", "waits_done", "jitter", "expected"),
    [
        (1.0, 0, 0.0, 1.0),  # never sooner than the server asked
        (1.0, 7, 0.5, 1.5),  # up to twice as late, at random: workers do not come back in step
        (2.0, 0, 0.999, pytest.approx(3.998)),
        (3600.0, 0, 0.0, 60.0),  # capped as any Retry-After
        (None, 0, 0.0, 0.5),  # no Retry-After: the backoff, growing with each wait
        (None, 3, 0.0, 4.0),
        (None, 30, 0.5, 12.0),
    ],
)
def test_a_rate_limit_waited_out_honours_retry_after_with_jitter(
    retry_after: float | None, waits_done: int, jitter: float, expected: float
) -> None:
    assert rate_limit_pause(retry_after, waits_done, jitter=lambda: jitter) == expected


NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("5", 5.0),
        (" 12 ", 12.0),
        ("1.5", 1.5),
        ("0", 0.0),
        ("-3", 0.0),
        (format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),
        ("Thu, 01 Jan 2026 12:00:45 GMT", 45.0),
        (format_datetime(NOW - timedelta(seconds=30), usegmt=True), 0.0),
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == expected
