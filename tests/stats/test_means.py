"""Mean intervals, Welch's test and the paired t-test against scipy."""

from __future__ import annotations

import random

import pytest
from scipy import stats

from evalkit.stats.means import mean_interval, paired_p_value, sample_variance, welch_p_value


def samples(seed: int) -> list[list[float]]:
    rng = random.Random(seed)
    return [
        [rng.random() for _ in range(2)],
        [rng.gauss(0.7, 0.1) for _ in range(5)],
        [float(rng.random() < 0.6) for _ in range(12)],
        [round(rng.random(), 1) for _ in range(40)],  # ties
        [rng.gauss(0.2, 3.0) for _ in range(1000)],
        [rng.expovariate(2.0) for _ in range(100_000)],
    ]


@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99, 0.999])
def test_mean_interval_matches_scipy(confidence: float) -> None:
    for values in samples(1):
        centre, interval = mean_interval(values, confidence)
        assert interval is not None
        low, high = stats.t.interval(
            confidence, len(values) - 1, loc=stats.tmean(values), scale=stats.sem(values)
        )
        assert centre == pytest.approx(stats.tmean(values), rel=1e-13)
        assert interval.low == pytest.approx(low, rel=1e-10)
        assert interval.high == pytest.approx(high, rel=1e-10)


def test_mean_interval_edges() -> None:
    assert mean_interval([0.4]) == (0.4, None)
    centre, interval = mean_interval([0.1, 0.1, 0.1])
    assert interval is not None
    assert (interval.low, interval.high) == (centre, centre)
    with pytest.raises(ValueError, match="no values"):
        mean_interval([])
    with pytest.raises(ValueError, match="finite"):
        mean_interval([1.0, float("nan")])
    assert sample_variance([0.1] * 7) == 0.0


def test_welch_matches_scipy() -> None:
    groups = samples(2)
    for a in groups:
        for b in samples(3):
            expected = stats.ttest_ind(a, b, equal_var=False).pvalue
            assert welch_p_value(a, b) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_welch_with_one_constant_side_matches_scipy() -> None:
    # scipy warns here (a zero variance); Welch then is the one-sample test of b against 1.0.
    a, b = [1.0, 1.0, 1.0], [0.5, 0.7, 0.9, 0.2]
    assert welch_p_value(a, b) == pytest.approx(stats.ttest_1samp(b, 1.0).pvalue, rel=1e-12)


def test_welch_where_scipy_gives_nan() -> None:
    assert welch_p_value([0.5, 0.5], [0.5, 0.5, 0.5]) == 1.0
    assert welch_p_value([1.0, 1.0], [0.5, 0.5]) == 0.0
    assert welch_p_value([1.0], [0.5, 0.6]) is None
    assert welch_p_value([], []) is None


def test_paired_matches_scipy() -> None:
    rng = random.Random(4)
    for values in samples(5):
        shifted = [value - 0.5 + rng.gauss(0, 0.01) for value in values]
        for differences in (values, shifted):
            expected = stats.ttest_1samp(differences, 0.0).pvalue
            assert paired_p_value(differences) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_paired_edges() -> None:
    assert paired_p_value([0.0, 0.0, 0.0]) == 1.0
    assert paired_p_value([-0.2, -0.2]) == 0.0
    assert paired_p_value([0.3]) is None
    assert paired_p_value([]) is None
