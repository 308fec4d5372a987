"""Interval's invariants and helpers."""

from __future__ import annotations

import pytest

from evalkit.stats.interval import Interval


def test_helpers() -> None:
    interval = Interval(-0.11, -0.01)
    assert interval.width == pytest.approx(0.10)
    assert interval.midpoint == pytest.approx(-0.06)
    assert interval.excludes_zero
    assert interval.contains(-0.11)
    assert interval.contains(-0.01)
    assert not interval.contains(0.0)
    assert interval.below(0.0)
    assert not interval.above(-0.2 + 0.1)
    assert not Interval(-0.07, 0.03).excludes_zero
    assert Interval(0.0, 0.0).contains(0.0)


def test_rejects_reversed_or_nan_bounds() -> None:
    with pytest.raises(ValueError, match="above its high"):
        Interval(1.0, 0.0)
    with pytest.raises(ValueError, match="must be numbers"):
        Interval(float("nan"), 1.0)
