"""The two-level bootstrap of a pass-rate change: examples, and the attempts within each."""

from __future__ import annotations

import random

import pytest

from evalkit.stats import paired_bootstrap, rate_change_bootstrap


def test_it_is_reproducible_and_seeded() -> None:
    counts = [(4, 5, 2, 5), (5, 5, 5, 5), (3, 5, 4, 5)] * 4
    first = rate_change_bootstrap(counts, seed=7)
    assert first == rate_change_bootstrap(counts, seed=7)
    assert first != rate_change_bootstrap(counts, seed=8)


def test_examples_that_moved_alike_still_leave_room_for_noise() -> None:
    # Resampling examples alone gives [-0.2, -0.2] here: as if 4/5 -> 3/5 were exact.
    alike = [(4, 5, 3, 5)] * 3
    examples_only = paired_bootstrap([(0.8, 0.6)] * 3)
    assert examples_only.width == 0
    both_levels = rate_change_bootstrap(alike)
    assert both_levels.contains(0.0)
    assert both_levels.contains(-0.2)


def test_certain_outcomes_keep_their_value() -> None:
    assert rate_change_bootstrap([(5, 5, 0, 5)] * 20).high == pytest.approx(-1.0)
    once = [(1, 1, 0, 1)] * 4 + [(1, 1, 1, 1)] * 16
    interval = rate_change_bootstrap(once)
    plain = paired_bootstrap([(1.0, 0.0)] * 4 + [(1.0, 1.0)] * 16)
    # Run once on each side, it is the plain paired bootstrap (same distribution).
    assert interval.low == pytest.approx(plain.low, abs=0.06)
    assert interval.high == pytest.approx(plain.high, abs=0.06)


def test_it_covers_the_true_change_about_as_often_as_it_says() -> None:
    """30 examples × 5 attempts of agents at 0.8 then 0.7: the 90% interval holds the true
    change of −0.1 in about 90% of simulated runs (a fixed seed: the count is exact)."""
    rng = random.Random(2026)
    covered, trials = 0, 120
    for trial in range(trials):
        counts = []
        for _ in range(30):
            before = sum(rng.random() < 0.8 for _ in range(5))
            after = sum(rng.random() < 0.7 for _ in range(5))
            counts.append((before, 5, after, 5))
        interval = rate_change_bootstrap(counts, confidence=0.9, resamples=400, seed=trial)
        covered += interval.contains(-0.1)
    assert 0.8 <= covered / trials <= 0.98, covered


@pytest.mark.parametrize("bad", [[], [(6, 5, 1, 5)], [(1, 0, 1, 1)], [(-1, 5, 1, 5)]])
def test_bad_counts_are_refused(bad: list[tuple[int, int, int, int]]) -> None:
    with pytest.raises(ValueError, match=r"example|counts"):
        rate_change_bootstrap(bad)
