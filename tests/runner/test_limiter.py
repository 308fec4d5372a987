"""AIMD concurrency limit: tested on the pure state with a hand-moved clock, no sleeping."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evalkit.runner.limiter import (
    DEFAULT_RETRY_AFTER,
    MAX_RETRY_AFTER,
    AdaptiveLimiter,
    AimdState,
)


def test_starts_at_the_configured_maximum_and_refuses_past_it() -> None:
    state = AimdState(3)
    for _ in range(3):
        state.start(now=0.0)
    assert not state.can_start(0.0)
    with pytest.raises(RuntimeError):
        state.start(0.0)
    state.finish()
    assert state.can_start(0.0)


def test_rejects_a_maximum_below_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        AimdState(0)


def test_429_halves_the_limit_and_pauses_for_retry_after() -> None:
    state = AimdState(8)
    started = state.start(now=10.0)
    state.finish()
    state.on_rate_limited(now=11.0, started_at=started, retry_after=5)
    assert state.slots == 4
    assert not state.can_start(15.9)
    assert state.pause_left(13.0) == pytest.approx(3.0)
    assert state.can_start(16.0)


def test_429s_of_one_burst_halve_only_once() -> None:
    state = AimdState(8)
    starts = [state.start(now=1.0) for _ in range(4)]
    for when, started in zip([2.0, 2.1, 2.2, 2.3], starts, strict=True):
        state.finish()
        state.on_rate_limited(now=when, started_at=started, retry_after=0)
    assert state.slots == 4
    # A request started after the decrease that still gets a 429 halves again.
    later = state.start(now=3.0)
    state.finish()
    state.on_rate_limited(now=3.5, started_at=later, retry_after=0)
    assert state.slots == 2


def test_limit_never_drops_below_one() -> None:
    state = AimdState(2)
    for step in range(10):
        now = float(step)
        started = state.start(now + 0.5 if step else now)
        state.finish()
        state.on_rate_limited(now=now + 0.9, started_at=started, retry_after=0)
    assert state.limit >= 1.0
    assert state.slots == 1


def test_successes_grow_the_limit_back_additively_up_to_the_maximum() -> None:
    state = AimdState(8)
    state.on_rate_limited(now=0.0, started_at=0.0, retry_after=0)
    state.on_rate_limited(now=1.0, started_at=1.0, retry_after=0)
    assert state.slots == 2
    state.on_success()
    state.on_success()
    # 2 + 1/2 + 1/2.5: about one slot per round of completions
    assert state.slots == 2
    assert state.limit == pytest.approx(2.9)
    for _ in range(200):
        state.on_success()
    assert state.limit == 8.0


@pytest.mark.parametrize(
    ("retry_after", "expected_pause"),
    [
        (None, DEFAULT_RETRY_AFTER),
        (-3, DEFAULT_RETRY_AFTER),
        (0, 0.0),
        (7, 7.0),
        (10_000, MAX_RETRY_AFTER),
    ],
)
def test_retry_after_is_honoured_within_bounds(
    retry_after: float | None, expected_pause: float
) -> None:
    state = AimdState(4)
    state.on_rate_limited(now=100.0, started_at=100.0, retry_after=retry_after)
    assert state.pause_left(100.0) == pytest.approx(expected_pause)


def test_a_later_shorter_retry_after_does_not_shorten_the_pause() -> None:
    state = AimdState(4)
    state.on_rate_limited(now=0.0, started_at=0.0, retry_after=10)
    state.on_rate_limited(now=1.0, started_at=0.0, retry_after=1)
    assert state.pause_left(5.0) == pytest.approx(5.0)


def test_finish_without_start_is_a_bug() -> None:
    with pytest.raises(RuntimeError):
        AimdState(1).finish()


def test_async_limiter_bounds_concurrent_holders() -> None:
    async def scenario() -> int:
        limiter = AdaptiveLimiter(3)
        active = 0
        peak = 0

        async def work() -> None:
            nonlocal active, peak
            started = await limiter.acquire()
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(0)
            active -= 1
            await limiter.release(started, success=True)

        await asyncio.gather(*(work() for _ in range(20)))
        return peak

    assert asyncio.run(scenario()) == 3


def test_async_limiter_wakes_waiters_when_a_pause_ends() -> None:
    clock = [0.0]

    async def scenario() -> list[str]:
        limiter = AdaptiveLimiter(2, clock=lambda: clock[0])
        events: list[str] = []
        first = await limiter.acquire()
        await limiter.rate_limited(first, retry_after=30)

        async def waiter() -> None:
            started = await limiter.acquire()
            events.append("started")
            await limiter.release(started)

        task = asyncio.create_task(waiter())
        for _ in range(5):
            await asyncio.sleep(0)
        events.append("paused")
        clock[0] = 31.0  # the pause is over; a release wakes the waiter to look again
        other = limiter.state.start(31.0)
        await limiter.release(other)
        await task
        return events

    assert asyncio.run(scenario()) == ["paused", "started"]


@given(
    maximum=st.integers(1, 64),
    events=st.lists(
        st.tuples(
            st.sampled_from(["start", "finish", "success", "429"]),
            st.floats(0, 5),
            st.one_of(st.none(), st.floats(-1, 200)),
        ),
        max_size=200,
    ),
)
def test_limit_stays_within_bounds_and_starts_never_exceed_it(
    maximum: int, events: list[tuple[str, float, float | None]]
) -> None:
    state = AimdState(maximum)
    now = 0.0
    starts: list[float] = []
    for kind, step, retry_after in events:
        now += step
        if kind == "start" and state.can_start(now):
            starts.append(state.start(now))
            assert state.in_flight <= state.slots  # a start never goes past the limit
        elif kind == "finish" and starts:
            starts.pop()
            state.finish()
        elif kind == "success":
            state.on_success()
        elif kind == "429":
            state.on_rate_limited(now, starts[-1] if starts else now, retry_after)
            assert not state.can_start(now) or state.pause_left(now) == 0.0
        assert 1.0 <= state.limit <= maximum
        assert state.lowest <= state.limit
        assert state.in_flight <= maximum
        assert 0.0 <= state.pause_left(now) <= MAX_RETRY_AFTER + 1e-9
