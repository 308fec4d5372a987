"""The paired bootstrap: a confidence interval for the change in a mean over examples.

``paired_bootstrap(pairs)`` takes one (before, after) pair per example (e.g. an example's pass
rate or mean score in the baseline and in the run), forms the differences dᵢ = afterᵢ − beforeᵢ,
and resamples the n examples with replacement ``resamples`` times; each resample's statistic is
the mean of its n differences. The interval is the percentile interval: the (1 − c)/2 and
(1 + c)/2 quantiles of the resampled means, by linear interpolation between order statistics
(numpy's default "linear" method). Resampling whole examples keeps each example's before and
after together, so the pairing (the same examples on both sides) is respected.

Assumptions: the examples are a sample from the examples one cares about, independent of each
other; the percentile interval is accurate when n is not tiny (with a few examples it is too
narrow, as every bootstrap is). With n = 1 the interval is the single difference.

Reproducible: the same pairs, confidence, resamples and seed give the same interval on every
platform and Python version (a private ``random.Random(seed)`` and only its ``random()``).

Speed: a resample is a draw of how many times each distinct difference is picked, a multinomial
drawn as a chain of exact binomials (``sampling.binomial``), so the cost per resample is the
number of distinct differences, not n. Pass rates (a few distinct differences) take
milliseconds at any n; when most differences are distinct, examples are picked one by one
(O(n) per resample).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence

from evalkit.stats.interval import Interval
from evalkit.stats.proportions import check_confidence
from evalkit.stats.sampling import binomial

# A binomial draw costs about as much as this many single picks: past n / this many distinct
# differences, picking examples one by one is faster.
_PICKS_PER_BINOMIAL = 12


def differences(pairs: Sequence[tuple[float, float]]) -> list[float]:
    """after − before for each (before, after) pair; finite numbers only."""
    result = []
    for before, after in pairs:
        difference = float(after) - float(before)
        if not math.isfinite(difference):
            raise ValueError(f"a pair must hold finite numbers, got ({before}, {after})")
        result.append(difference)
    return result


def mean_delta(pairs: Sequence[tuple[float, float]]) -> float:
    """The point estimate: mean(after − before) over the pairs."""
    deltas = differences(pairs)
    if not deltas:
        raise ValueError("a change needs at least one (before, after) pair")
    return math.fsum(deltas) / len(deltas)


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile of sorted values by linear interpolation (numpy's default)."""
    position = (len(sorted_values) - 1) * fraction
    below = math.floor(position)
    above = min(below + 1, len(sorted_values) - 1)
    weight = position - below
    return sorted_values[below] + (sorted_values[above] - sorted_values[below]) * weight


def _multinomial_means(rng: random.Random, deltas: list[float], resamples: int) -> list[float]:
    counts = sorted(Counter(deltas).items())
    n = len(deltas)
    means = []
    for _ in range(resamples):
        left, weight_left, total = n, n, 0.0
        for value, weight in counts[:-1]:
            picked = binomial(rng, left, weight / weight_left) if left else 0
            total += picked * value
            left -= picked
            weight_left -= weight
        total += left * counts[-1][0]
        means.append(total / n)
    return means


def _pick_means(rng: random.Random, deltas: list[float], resamples: int) -> list[float]:
    n = len(deltas)
    draw = rng.random
    return [sum([deltas[int(draw() * n)] for _ in range(n)]) / n for _ in range(resamples)]


def paired_bootstrap(
    pairs: Sequence[tuple[float, float]],
    *,
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> Interval:
    """The percentile bootstrap interval of mean(after − before), resampling the pairs."""
    check_bootstrap(confidence, resamples)
    deltas = differences(pairs)
    if not deltas:
        raise ValueError("a change needs at least one (before, after) pair")
    rng = random.Random(seed)
    if len(set(deltas)) * _PICKS_PER_BINOMIAL <= len(deltas):
        means = _multinomial_means(rng, deltas, resamples)
    else:
        means = _pick_means(rng, deltas, resamples)
    return percentile_interval(means, confidence)


def check_bootstrap(confidence: float, resamples: int) -> None:
    check_confidence(confidence)
    if resamples < 1:
        raise ValueError(f"the bootstrap needs at least 1 resample, got {resamples}")


def percentile_interval(means: list[float], confidence: float) -> Interval:
    """The percentile interval of resampled statistics (sorted here)."""
    means.sort()
    # Rounded: float residue must not decide whether an interval reaches zero.
    low = round(percentile(means, (1.0 - confidence) / 2.0), 12)
    high = round(percentile(means, (1.0 + confidence) / 2.0), 12)
    return Interval(min(low, high), max(low, high))
