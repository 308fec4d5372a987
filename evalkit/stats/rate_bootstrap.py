"""The two-level bootstrap of a change in pass rate: examples, and the attempts within each.

``paired_bootstrap`` resamples examples only; each example's observed pass rate is taken as
exact. With repeated attempts that is not so: 4 of 5 may be a 0.6 or a 0.95 agent. Resampling
examples alone then gives intervals that are too narrow, and with a few examples whose rates
moved alike, no width at all. So each resample here (1) picks the examples with replacement,
and (2) draws each picked example's pass counts again, k* ~ Binomial(n, k/n) on each side (the
parametric bootstrap of its attempts); the statistic is the mean of k₁*/n₁ − k₀*/n₀. An example
run once on each side keeps its outcome (k/n is 0 or 1), so without repeats this is the plain
paired bootstrap.

Speed: examples with the same four counts (k₀, n₀, k₁, n₁) form one group; a resample draws
how many times each group is picked (a multinomial, as a chain of exact binomials) and, for a
group picked C times, the sum of its C redrawn rates as Binomial(C·n, k/n)/n on each side. The
cost per resample follows the number of distinct groups, which repeats keep small.

Reproducible: ``random.Random(seed)``, and the percentile interval as ``paired_bootstrap``'s.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence

from evalkit.stats.bootstrap import check_bootstrap, percentile_interval
from evalkit.stats.interval import Interval
from evalkit.stats.sampling import binomial

#: (passes before, trials before, passes after, trials after) of one example
Counts = tuple[int, int, int, int]


def rate_change_bootstrap(
    counts: Sequence[Counts],
    *,
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> Interval:
    """The percentile interval of the mean change in pass rate over examples."""
    check_bootstrap(confidence, resamples)
    if not counts:
        raise ValueError("a change needs at least one example in both runs")
    for k0, n0, k1, n1 in counts:
        if not (0 <= k0 <= n0 and 0 <= k1 <= n1 and n0 > 0 and n1 > 0):
            raise ValueError(f"pass counts must be 0 <= k <= n, n > 0, got {(k0, n0, k1, n1)}")
    groups = sorted(Counter(counts).items())
    total = len(counts)
    rng = random.Random(seed)
    return percentile_interval(
        [_resample(rng, groups, total) for _ in range(resamples)], confidence
    )


def _resample(rng: random.Random, groups: list[tuple[Counts, int]], total: int) -> float:
    left, weight_left, changes = total, total, 0.0
    for index, ((k0, n0, k1, n1), weight) in enumerate(groups):
        last = index == len(groups) - 1
        picked = left if last else (binomial(rng, left, weight / weight_left) if left else 0)
        left -= picked
        weight_left -= weight
        if picked:
            changes += _redrawn(rng, picked, k1, n1) - _redrawn(rng, picked, k0, n0)
    return changes / total


def _redrawn(rng: random.Random, times: int, passes: int, trials: int) -> float:
    """The sum of ``times`` redrawn pass rates of an example with ``passes`` of ``trials``."""
    if passes in (0, trials):
        return times * passes / trials
    return binomial(rng, times * trials, passes / trials) / trials
