"""The token bucket behind rate limiting (contract B7)."""

from __future__ import annotations

from evalkit.emulator.ratelimit import TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_wait_in_whole_seconds() -> None:
    clock = Clock()
    bucket = TokenBucket(rate_per_second=2, burst=3, clock=clock)
    assert [bucket.take() for _ in range(3)] == [0, 0, 0]
    assert bucket.take() == 1
    clock.now += 0.5  # one token back
    assert bucket.take() == 0
    assert bucket.take() == 1


def test_slow_rates_ask_for_longer_waits() -> None:
    clock = Clock()
    bucket = TokenBucket(rate_per_second=0.25, burst=1, clock=clock)
    assert bucket.take() == 0
    assert bucket.take() == 4
    clock.now += 2
    assert bucket.take() == 2


def test_the_bucket_never_overfills() -> None:
    clock = Clock()
    bucket = TokenBucket(rate_per_second=10, burst=2, clock=clock)
    clock.now += 3600
    assert [bucket.take() for _ in range(3)] == [0, 0, 1]
