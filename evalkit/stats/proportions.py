"""Pass rates: the Wilson score interval, and the smallest drop a run could detect.

``wilson_interval(k, n)``: the Wilson score interval (Wilson 1927) for a binomial proportion,
p̂ = k/n, z = Φ⁻¹((1 + confidence)/2):

    centre = (p̂ + z²/2n) / (1 + z²/n),   half = z/(1 + z²/n) · √(p̂(1−p̂)/n + z²/4n²)

It stays inside [0, 1] and is not degenerate at 0/n or n/n (unlike the Wald interval).
Assumes the n trials are independent with one common pass probability. n = 0 -> [0, 1].

``minimum_detectable_drop(examples, repeats, pass_rate)``: the smallest drop δ from the rate
p₁ = pass_rate to p₂ = p₁ − δ that a two-sided two-proportion z-test at level
α = 1 − confidence detects with the given power, with N = examples × repeats attempts per side
(the Fleiss sample-size formula without continuity correction, solved for δ):

    z_{1−α/2}·√(2·p̄(1−p̄)/N) + z_{power}·√((p₁(1−p₁) + p₂(1−p₂))/N) <= δ,   p̄ = (p₁ + p₂)/2

It treats every attempt as an independent trial with one common rate and ignores that the run
and its baseline share their examples; both simplifications only overstate the variance for
the question "did these examples get worse", so the figure is conservative (the real paired
comparison can detect somewhat smaller drops). The result is clamped to [0, 1]; 1.0 means no
drop at all (down to a rate of 0) would be detected, which is what ``examples=0`` or
``pass_rate=0`` give.
"""

from __future__ import annotations

import math
from statistics import NormalDist

from evalkit.stats.interval import Interval

_STANDARD_NORMAL = NormalDist()


def check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"a confidence must be between 0 and 1 (e.g. 0.95), got {confidence}")


def two_sided_z(confidence: float) -> float:
    """z with P(|Z| <= z) = confidence for a standard normal Z."""
    check_confidence(confidence)
    return _STANDARD_NORMAL.inv_cdf((1.0 + confidence) / 2.0)


def check_counts(successes: int, trials: int) -> None:
    if trials < 0 or not 0 <= successes <= trials:
        raise ValueError(f"counts must satisfy 0 <= successes <= trials, got {successes}/{trials}")


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> Interval:
    """The Wilson score interval of the proportion successes/trials ([0, 1] when trials is 0)."""
    check_counts(successes, trials)
    z = two_sided_z(confidence)
    if trials == 0:
        return Interval(0.0, 1.0)
    rate = successes / trials
    z2_n = z * z / trials
    centre = (rate + z2_n / 2.0) / (1.0 + z2_n)
    half = z / (1.0 + z2_n) * math.sqrt(rate * (1.0 - rate) / trials + z2_n / (4.0 * trials))
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return Interval(low, high)


def _shortfall(drop: float, rate: float, attempts: int, z_alpha: float, z_power: float) -> float:
    """How far the drop is from detectable: <= 0 when a drop this big is detected."""
    lower = rate - drop
    pooled = (rate + lower) / 2.0
    null_sd = math.sqrt(2.0 * pooled * (1.0 - pooled) / attempts)
    alternative_sd = math.sqrt((rate * (1.0 - rate) + lower * (1.0 - lower)) / attempts)
    return z_alpha * null_sd + z_power * alternative_sd - drop


def minimum_detectable_drop(
    examples: int,
    repeats: int,
    pass_rate: float,
    *,
    confidence: float = 0.95,
    power: float = 0.8,
) -> float:
    """The smallest pass-rate drop (a fraction) detectable with examples × repeats attempts per
    side; 1.0 when no drop can be detected."""
    if examples < 0 or repeats < 1:
        raise ValueError(f"need examples >= 0 and repeats >= 1, got {examples} and {repeats}")
    if not 0.0 <= pass_rate <= 1.0:
        raise ValueError(f"a pass rate is between 0 and 1, got {pass_rate}")
    if not 0.0 < power < 1.0:
        raise ValueError(f"power must be between 0 and 1 (e.g. 0.8), got {power}")
    z_alpha = two_sided_z(confidence)
    z_power = _STANDARD_NORMAL.inv_cdf(power)
    attempts = examples * repeats
    if attempts == 0 or pass_rate == 0.0:
        return 1.0

    def shortfall(drop: float) -> float:
        return _shortfall(drop, pass_rate, attempts, z_alpha, z_power)

    # The shortfall is not monotone in the drop (the variance peaks at a rate of ½), so find
    # the first grid cell where it turns negative, then bisect inside that cell.
    steps = 1000
    previous = 0.0
    for step in range(1, steps + 1):
        drop = pass_rate * step / steps
        if shortfall(drop) <= 0.0:
            low, high = previous, drop
            for _ in range(60):
                middle = (low + high) / 2.0
                if shortfall(middle) <= 0.0:
                    high = middle
                else:
                    low = middle
            return min(1.0, max(0.0, high))
        previous = drop
    return 1.0
