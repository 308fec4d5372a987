"""Idempotent calls wait out rate limits, a bounded number of times."""

from __future__ import annotations

import asyncio

import pytest

from evalkit.client.errors import EigenpalRateLimitError, EigenpalServerError
from evalkit.runner.patience import RATE_LIMIT_ROUNDS, outlast_rate_limits


def limited() -> EigenpalRateLimitError:
    return EigenpalRateLimitError("slow down", retry_after=0, status=429)


def test_a_call_refused_a_few_times_succeeds() -> None:
    calls = []

    async def call() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise limited()
        return "done"

    assert asyncio.run(outlast_rate_limits(call)) == "done"
    assert len(calls) == 3


def test_gives_up_after_its_rounds_with_the_last_error() -> None:
    calls = []

    async def call() -> None:
        calls.append(1)
        raise limited()

    with pytest.raises(EigenpalRateLimitError):
        asyncio.run(outlast_rate_limits(call))
    assert len(calls) == RATE_LIMIT_ROUNDS


def test_other_errors_are_not_its_business() -> None:
    calls = []

    async def call() -> None:
        calls.append(1)
        raise EigenpalServerError("boom", status=500)

    with pytest.raises(EigenpalServerError):
        asyncio.run(outlast_rate_limits(call))
    assert len(calls) == 1
