"""Calls that are safe to repeat outlast failures that may pass, until their deadline; failures
that will not pass, and a platform taken for down, end them at once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest

from evalkit.client.errors import (
    EigenpalConnectionError,
    EigenpalError,
    EigenpalNotFoundError,
    EigenpalRateLimitError,
    EigenpalServerError,
    EigenpalTimeoutError,
)
from evalkit.runner.health import PlatformDown, PlatformHealth
from evalkit.runner.patience import Patience, is_transient, patiently_sync, pause_after

NO_WAIT = (0.0,)


class Clock:
    """Seconds that pass only when a test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def unavailable() -> EigenpalServerError:
    return EigenpalServerError("busy", status=503, method="GET", path="/api/v1/x")


def refused() -> EigenpalConnectionError:
    err = EigenpalConnectionError("cannot reach the EigenPal API")
    err.__cause__ = httpx.ConnectError("refused")
    return err


def failing(
    errors: list[EigenpalError], clock: Clock | None = None, step: float = 0.0
) -> tuple[Callable[[], Awaitable[str]], list[int]]:
    """A call that raises ``errors`` in turn (each time ``step`` seconds pass), then answers."""
    calls: list[int] = []

    async def call() -> str:
        calls.append(1)
        if clock is not None:
            clock.now += step
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return "answer"

    return call, calls


@pytest.mark.parametrize(
    "error",
    [
        unavailable(),
        EigenpalServerError("bad gateway", status=502),
        EigenpalRateLimitError("slow down", retry_after=0, status=429),
        EigenpalConnectionError("the connection failed mid-request"),
        EigenpalTimeoutError("no answer in time"),
        refused(),
    ],
)
def test_a_failure_that_may_pass_is_called_again_until_it_answers(error: EigenpalError) -> None:
    health = PlatformHealth()
    call, calls = failing([error] * 6)
    patience = Patience.for_seconds(health, 60, NO_WAIT)
    assert asyncio.run(patience.call(call)) == "answer"
    assert len(calls) == 7
    assert patience.repeated == health.repeated == 6


@pytest.mark.parametrize(
    "error",
    [
        EigenpalNotFoundError("no such execution", status=404),
        EigenpalError("bad request", status=400),
        PlatformDown("down"),
    ],
)
def test_a_failure_that_will_not_pass_is_raised_at_once(error: EigenpalError) -> None:
    call, calls = failing([error])
    patience = Patience.for_seconds(PlatformHealth(), 60, NO_WAIT)
    with pytest.raises(type(error)):
        asyncio.run(patience.call(call))
    assert len(calls) == 1
    assert not is_transient(error)


def test_at_the_deadline_the_last_failure_is_raised_and_named() -> None:
    clock = Clock()
    health = PlatformHealth(down_after=1000, clock=clock)
    errors: list[EigenpalError] = [unavailable() for _ in range(100)]
    call, calls = failing(errors, clock, step=5.0)
    patience = Patience(health, until=30.0, backoff=NO_WAIT)
    with pytest.raises(EigenpalServerError) as raised:
        asyncio.run(patience.call(call))
    assert raised.value is errors[len(calls) - 1]
    assert len(calls) == 6  # the sixth failure comes at 30 s: no time is left
    assert patience.note() == " (called again 5 times over 25 s)"


def test_a_call_waits_as_long_as_retry_after_says() -> None:
    limited = EigenpalRateLimitError("slow down", retry_after=7, status=429)
    assert pause_after(limited, 0, (0.5,)) == 7.0
    assert pause_after(EigenpalRateLimitError("x", status=429), 0, (0.5,)) == 1.0
    assert pause_after(unavailable(), 0, (0.5, 1.0)) == 0.5
    assert pause_after(unavailable(), 9, (0.5, 1.0)) == 1.0  # the last pause repeats


def test_calls_stop_at_once_when_the_platform_is_taken_for_down() -> None:
    clock = Clock()
    health = PlatformHealth(down_after=10, clock=clock)
    call, calls = failing([unavailable() for _ in range(100)], clock, step=4.0)
    patience = Patience.for_seconds(health, 1000, NO_WAIT)
    with pytest.raises(PlatformDown) as raised:
        asyncio.run(patience.call(call))
    assert len(calls) == 4  # failing since 4 s; at 16 s, 12 s without an answer
    assert "no answer from the platform for 12 s" in str(raised.value)
    assert "HTTP 503" in str(raised.value)
    # Every later patient call gives up before calling.
    again, more = failing([])
    with pytest.raises(PlatformDown):
        asyncio.run(Patience.for_seconds(health, 1000, NO_WAIT).call(again))
    assert not more


def test_checks_before_a_run_wait_out_a_failing_platform_but_not_a_missing_one() -> None:
    clock = Clock()
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.now += seconds

    errors: list[EigenpalError] = [unavailable()] * 3

    def flaky() -> str:
        if len(sleeps) < len(errors):
            raise errors[len(sleeps)]
        return "answer"

    assert patiently_sync(flaky, seconds=60, sleep=sleep, clock=clock) == "answer"
    assert sleeps == [0.5, 1.0, 2.0]

    def unreachable() -> str:
        raise refused()

    sleeps.clear()
    with pytest.raises(EigenpalConnectionError):
        patiently_sync(unreachable, seconds=60, sleep=sleep, clock=clock)
    assert sleeps == []

    def down() -> str:
        raise unavailable()

    with pytest.raises(EigenpalServerError):
        patiently_sync(down, seconds=60, sleep=sleep, clock=clock)
    assert sum(sleeps) < 60
