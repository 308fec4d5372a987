"""Exact binomial draws from a ``random.Random``, the same on every platform and Python.

Only ``Random.random()`` is used, the one method whose sequence Python guarantees for a given
seed across versions (its other samplers may change between releases). Methods:

* n·p < 10: Devroye's geometric method (count geometric gaps until they pass n), O(n·p).
* otherwise: Hörmann's BTRS, transformed rejection with squeeze (W. Hörmann, "The generation
  of binomial random variates", J. Stat. Comput. Simul. 46, 1993), O(1) expected; with the
  log(v) correction to the acceptance test that the paper omits (as CPython 3.12's
  ``random.binomialvariate`` does, which this follows).
"""

from __future__ import annotations

import math
import random


def binomial(rng: random.Random, n: int, p: float) -> int:
    """One draw of Binomial(n, p)."""
    if n < 0 or not 0.0 <= p <= 1.0:
        raise ValueError(f"a binomial needs n >= 0 and 0 <= p <= 1, got n={n}, p={p}")
    if n == 0 or p == 0.0:
        return 0
    if p == 1.0:
        return n
    if p > 0.5:
        return n - binomial(rng, n, 1.0 - p)
    if n * p < 10.0:
        return _geometric_method(rng, n, p)
    return _btrs(rng, n, p)


def _geometric_method(rng: random.Random, n: int, p: float) -> int:
    log_q = math.log1p(-p)
    successes = position = 0
    while True:
        # 1 − random() lies in (0, 1]: its log is finite
        position += math.floor(math.log(1.0 - rng.random()) / log_q) + 1
        if position > n:
            return successes
        successes += 1


def _btrs(rng: random.Random, n: int, p: float) -> int:
    spq = math.sqrt(n * p * (1.0 - p))
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    v_r = 0.92 - 4.2 / b
    alpha = (2.83 + 5.1 / b) * spq
    log_odds = math.log(p / (1.0 - p))
    mode = math.floor((n + 1) * p)
    h = math.lgamma(mode + 1) + math.lgamma(n - mode + 1)
    while True:
        u = rng.random() - 0.5
        us = 0.5 - abs(u)
        if us == 0.0:
            continue
        k = math.floor((2.0 * a / us + b) * u + c)
        if k < 0 or k > n:
            continue
        v = rng.random()
        if us >= 0.07 and v <= v_r:
            return k
        v *= alpha / (a / (us * us) + b)
        if v == 0.0:
            return k
        if math.log(v) <= h - math.lgamma(k + 1) - math.lgamma(n - k + 1) + (k - mode) * log_odds:
            return k
