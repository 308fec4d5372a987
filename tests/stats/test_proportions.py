"""Wilson intervals against scipy; the minimum detectable drop against published sample sizes."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest
from scipy import stats

from evalkit.stats.interval import Interval
from evalkit.stats.proportions import minimum_detectable_drop, wilson_interval


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99, 0.999])
def test_wilson_matches_scipy(confidence: float) -> None:
    for trials in [1, 2, 3, 5, 10, 37, 100, 1000, 10**6]:
        for successes in sorted({0, 1, trials // 3, trials // 2, trials - 1, trials}):
            expected = stats.binomtest(successes, trials).proportion_ci(confidence, "wilson")
            got = wilson_interval(successes, trials, confidence)
            assert got.low == pytest.approx(expected.low, rel=1e-12, abs=1e-15)
            assert got.high == pytest.approx(expected.high, rel=1e-12, abs=1e-15)


def test_wilson_edges() -> None:
    assert wilson_interval(0, 0) == Interval(0.0, 1.0)
    assert wilson_interval(0, 10).low == 0.0
    assert wilson_interval(10, 10).high == 1.0
    # Published: Newcombe (1998), Table I, 81/263 -> 0.2553 to 0.3662.
    interval = wilson_interval(81, 263)
    assert (round(interval.low, 4), round(interval.high, 4)) == (0.2553, 0.3662)
    with pytest.raises(ValueError, match="successes <= trials"):
        wilson_interval(3, 2)
    with pytest.raises(ValueError, match="confidence"):
        wilson_interval(1, 2, confidence=95)


def fleiss_sample_size(p1: float, p2: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Attempts per side for a two-sided two-proportion z-test (no continuity correction),
    with scipy's normal quantiles: the reference the drop is inverted from."""
    z_a, z_b = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
    pooled = (p1 + p2) / 2
    spread = z_a * math.sqrt(2 * pooled * (1 - pooled)) + z_b * math.sqrt(
        p1 * (1 - p1) + p2 * (1 - p2)
    )
    return float(spread**2 / (p1 - p2) ** 2)


def test_minimum_detectable_drop_inverts_the_published_sample_size() -> None:
    # 60% vs 40%, alpha 0.05 two-sided, power 0.8: 97 per group (Fleiss, without correction).
    assert math.ceil(fleiss_sample_size(0.6, 0.4)) == 97
    assert minimum_detectable_drop(97, 1, 0.6) <= 0.2 < minimum_detectable_drop(96, 1, 0.6)
    assert minimum_detectable_drop(97, 1, 0.6) == pytest.approx(0.2, abs=0.002)


@pytest.mark.parametrize("rate", [0.05, 0.3, 0.5, 0.84, 0.95, 1.0])
@pytest.mark.parametrize(("examples", "repeats"), [(10, 1), (50, 3), (200, 5), (10_000, 10)])
def test_the_drop_found_needs_exactly_that_many_attempts(
    rate: float, examples: int, repeats: int
) -> None:
    drop = minimum_detectable_drop(examples, repeats, rate)
    if drop == 1.0:
        assert fleiss_sample_size(rate, 0.0) > examples * repeats
        return
    assert 0.0 < drop <= rate
    assert fleiss_sample_size(rate, rate - drop) == pytest.approx(examples * repeats, rel=1e-6)


def test_minimum_detectable_drop_edges() -> None:
    assert minimum_detectable_drop(0, 5, 0.8) == 1.0
    assert minimum_detectable_drop(100, 1, 0.0) == 1.0
    assert minimum_detectable_drop(2, 1, 0.5) == 1.0  # nothing down to 0% is detectable
    assert minimum_detectable_drop(100, 10, 0.8) < minimum_detectable_drop(100, 1, 0.8)
    strict = minimum_detectable_drop(100, 1, 0.8, confidence=0.99, power=0.9)
    assert strict > minimum_detectable_drop(100, 1, 0.8)
    with pytest.raises(ValueError, match="repeats >= 1"):
        minimum_detectable_drop(10, 0, 0.5)
    with pytest.raises(ValueError, match="power"):
        minimum_detectable_drop(10, 1, 0.5, power=1.0)


def test_normal_quantiles_agree_with_scipy() -> None:
    assert NormalDist().inv_cdf(0.975) == pytest.approx(stats.norm.ppf(0.975), rel=1e-15)
