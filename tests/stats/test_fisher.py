"""Fisher's exact test against scipy, and the adaptive decision against brute force."""

from __future__ import annotations

import random

import pytest
from scipy import stats

from evalkit.stats.fisher import (
    fisher_exact,
    outcome_decided,
    separable,
    significantly_different,
)


def scipy_p(k1: int, n1: int, k2: int, n2: int) -> float:
    return float(stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]]).pvalue)


def test_every_small_table_matches_scipy() -> None:
    for n1 in range(9):
        for n2 in range(9):
            for k1 in range(n1 + 1):
                for k2 in range(n2 + 1):
                    expected = scipy_p(k1, n1, k2, n2)
                    assert fisher_exact(k1, n1, k2, n2) == pytest.approx(expected, rel=1e-12)


def test_random_tables_up_to_10000_match_scipy() -> None:
    rng = random.Random(7)
    for _ in range(150):
        n1, n2 = rng.randint(1, 10_000), rng.randint(1, 10_000)
        rate = rng.random()
        k1 = round(rate * n1)
        k2 = min(n2, max(0, round((rate + rng.gauss(0, 0.02)) * n2)))
        expected = scipy_p(k1, n1, k2, n2)
        if expected > 1e-290:
            assert fisher_exact(k1, n1, k2, n2) == pytest.approx(expected, rel=1e-8)


def test_published_values() -> None:
    # Fisher's tea-tasting lady: 3 of 4 cups right on each side -> 0.4857 (34/70).
    assert fisher_exact(3, 4, 1, 4) == pytest.approx(34 / 70, rel=1e-13)
    # scipy's documented example [[6, 2], [1, 4]] -> 0.10256410256410257.
    assert fisher_exact(6, 8, 1, 5) == pytest.approx(0.10256410256410257, rel=1e-13)


def test_ties_and_degenerate_tables() -> None:
    assert fisher_exact(5, 10, 5, 10) == 1.0  # the most likely table
    assert fisher_exact(0, 0, 3, 7) == 1.0  # an empty row
    assert fisher_exact(0, 5, 0, 5) == 1.0  # an empty column
    # Mirror tables are exactly as likely: the p-value counts both (ties are included).
    assert fisher_exact(0, 5, 5, 5) == pytest.approx(scipy_p(0, 5, 5, 5), rel=1e-14)
    assert fisher_exact(5000, 10_000, 5000, 10_000) == 1.0
    assert fisher_exact(1, 1, 0, 1) == 1.0
    with pytest.raises(ValueError, match="successes <= trials"):
        fisher_exact(3, 2, 0, 1)


def test_significantly_different() -> None:
    assert significantly_different(10, 10, 2, 10, 0.05)
    assert not significantly_different(10, 10, 7, 10, 0.05)
    with pytest.raises(ValueError, match="significance level"):
        significantly_different(1, 2, 1, 2, alpha=5)


def brute_force_decided(b: int, bn: int, k: int, n: int, budget: int, alpha: float) -> bool:
    if scipy_p(b, bn, k, n) < alpha:
        return True
    return not any(
        scipy_p(b, bn, k + j, n + m) < alpha for m in range(1, budget - n + 1) for j in range(m + 1)
    )


def test_separable_matches_every_outcome() -> None:
    """Whether any outcome of n1 against n2 attempts is significant, checked on every table."""
    for alpha in (0.05, 0.01, 0.2):
        for n1 in range(1, 9):
            for n2 in range(1, 9):
                smallest = min(
                    fisher_exact(k1, n1, k2, n2) for k1 in range(n1 + 1) for k2 in range(n2 + 1)
                )
                assert separable(n1, n2, alpha) == (smallest < alpha), (n1, n2, alpha)
    assert not separable(3, 3)  # p = 0.1 at best
    assert separable(4, 4)  # 0.029
    assert not separable(1, 19)  # 0.05, not below it
    assert separable(1, 20)


def test_outcome_decided_matches_brute_force() -> None:
    for base_trials in (1, 3, 8):
        for base_passes in range(base_trials + 1):
            for trials in range(1, 6):
                for passes in range(trials + 1):
                    for budget in (trials, trials + 2, 8):
                        expected = brute_force_decided(
                            base_passes, base_trials, passes, trials, budget, 0.05
                        )
                        got = outcome_decided(
                            base_passes, base_trials, passes, trials, max_trials=budget
                        )
                        assert got == expected, (base_passes, base_trials, passes, trials)


def test_outcome_decided_cases() -> None:
    # 8/8 in the baseline, 0/3 now: already significant.
    assert outcome_decided(8, 8, 0, 3, max_trials=8)
    # 8/8, then 1/1: three more failures (1/4) could still separate -> keep going.
    assert not outcome_decided(8, 8, 1, 1, max_trials=8)
    # 1 baseline attempt: no 8 attempts can reach p < 0.05 -> futile, stop.
    assert outcome_decided(1, 1, 1, 1, max_trials=8)
    # budget spent
    assert outcome_decided(8, 8, 6, 8, max_trials=8)
    with pytest.raises(ValueError, match="exceed the budget"):
        outcome_decided(1, 2, 1, 5, max_trials=4)
