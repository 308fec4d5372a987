"""The exact binomial sampler against scipy's binomial distribution."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest
from scipy import stats

from evalkit.stats.sampling import binomial


@pytest.mark.parametrize(
    ("n", "p"), [(1, 0.3), (20, 0.1), (50, 0.5), (200, 0.9), (10_000, 0.02), (10_000, 0.37)]
)
def test_draws_follow_the_binomial_distribution(n: int, p: float) -> None:
    rng = random.Random(11)
    draws = [binomial(rng, n, p) for _ in range(20_000)]
    distribution = stats.binom(n, p)
    # Chi-square goodness of fit over about 40 bins of equal probability.
    edges = sorted({int(distribution.ppf(q)) for q in [i / 40 for i in range(1, 40)]})
    bins = [(low, high) for low, high in pairwise([-1, *edges, n]) if low < high]
    observed = [sum(1 for d in draws if low < d <= high) for low, high in bins]
    probabilities = [distribution.cdf(high) - distribution.cdf(low) for low, high in bins]
    expected = [probability * len(draws) for probability in probabilities]
    result = stats.chisquare(observed, expected, sum_check=False)
    assert result.pvalue > 1e-4


def test_edges_and_reproducibility() -> None:
    rng = random.Random(0)
    assert binomial(rng, 0, 0.5) == 0
    assert binomial(rng, 10, 0.0) == 0
    assert binomial(rng, 10, 1.0) == 10
    first = [binomial(random.Random(3), 500, 0.4) for _ in range(3)]
    assert first == [binomial(random.Random(3), 500, 0.4) for _ in range(3)]
    with pytest.raises(ValueError, match="binomial"):
        binomial(rng, 5, 1.5)
