"""Percentiles by the nearest-rank method: a value that was measured, never an interpolation.

The p-th percentile of n values is the value of rank ceil(p/100 * n) in ascending order (rank 1
for p = 0). So p50 of [1, 2, 3, 4] is 2, p95 of 20 values is the 19th, and p95 of fewer than 20
values is the largest: with few executions the tail is what was seen, not an estimate of it.
(The bootstrap's interval interpolates instead: ``bootstrap.percentile``.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def nearest_rank(values: Sequence[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile (0 <= p <= 100) of ``values`` (at least one)."""
    if not values:
        raise ValueError("a percentile of no values")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p!r}: p is 0 to 100")
    ordered = sorted(values)
    # p * n first, then / 100: 7 * 100 / 100 is exactly 7, where 7 / 100 * 100 is 7.000000000000001
    rank = math.ceil(p * len(ordered) / 100)
    return ordered[max(rank, 1) - 1]
