"""Means: the Student-t interval of a mean, Welch's test, and the paired (one-sample) t-test.

* ``mean_interval(values)``: x̄ ± t_{(1+c)/2, n−1} · s/√n with s the sample standard deviation
  (n − 1 in the denominator). Assumes independent values from a distribution whose mean is
  roughly normal (fine for means of bounded scores from a handful of values up).
* ``welch_p_value(a, b)``: Welch's unequal-variance t-test, two-sided:
  t = (ā − b̄)/√(s²_a/n_a + s²_b/n_b), with the Welch–Satterthwaite degrees of freedom
  ν = (s²_a/n_a + s²_b/n_b)² / ((s²_a/n_a)²/(n_a−1) + (s²_b/n_b)²/(n_b−1)). Matches
  ``scipy.stats.ttest_ind(a, b, equal_var=False)``.
* ``paired_p_value(d)``: the one-sample t-test of the differences against 0, t = d̄/(s_d/√n),
  ν = n − 1, two-sided. Matches ``scipy.stats.ttest_1samp(d, 0)``.

Where scipy returns NaN because both variances are zero, these functions decide instead
(documented, tested): equal means -> p = 1.0 (no difference at all), different means ->
p = 0.0 (every value on one side differs from every value on the other by the same amount:
a deterministic change). Fewer than 2 values on a side -> None (no variance to test with).
Values must be finite numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from evalkit.stats.distributions import t_quantile, t_two_sided_tail
from evalkit.stats.interval import Interval
from evalkit.stats.proportions import check_confidence


def _finite(values: Sequence[float], what: str) -> list[float]:
    numbers = [float(value) for value in values]
    for value in numbers:
        if not math.isfinite(value):
            raise ValueError(f"{what} must be finite numbers, got {value}")
    return numbers


def mean(values: Sequence[float]) -> float:
    """The arithmetic mean, summed exactly (math.fsum); a ValueError when there is none."""
    numbers = _finite(values, "values")
    if not numbers:
        raise ValueError("the mean of no values is undefined")
    return math.fsum(numbers) / len(numbers)


def sample_variance(values: Sequence[float]) -> float:
    """The sample variance (n − 1 in the denominator), exactly 0 for constant values."""
    numbers = _finite(values, "values")
    if len(numbers) < 2:
        raise ValueError("a sample variance needs at least 2 values")
    if all(value == numbers[0] for value in numbers):
        return 0.0
    centre = math.fsum(numbers) / len(numbers)
    return math.fsum((value - centre) ** 2 for value in numbers) / (len(numbers) - 1)


def mean_interval(
    values: Sequence[float], confidence: float = 0.95
) -> tuple[float, Interval | None]:
    """The mean and its Student-t confidence interval (None with fewer than 2 values)."""
    check_confidence(confidence)
    centre = mean(values)
    if len(values) < 2:
        return centre, None
    half = t_quantile((1.0 + confidence) / 2.0, len(values) - 1) * math.sqrt(
        sample_variance(values) / len(values)
    )
    return centre, Interval(centre - half, centre + half)


def welch_p_value(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Two-sided p-value of Welch's t-test of mean(a) = mean(b); None below 2 values a side."""
    if len(a) < 2 or len(b) < 2:
        return None
    share_a = sample_variance(a) / len(a)
    share_b = sample_variance(b) / len(b)
    difference = mean(a) - mean(b)
    if share_a + share_b == 0.0:
        return 1.0 if difference == 0.0 else 0.0
    t = difference / math.sqrt(share_a + share_b)
    df = (share_a + share_b) ** 2 / (share_a**2 / (len(a) - 1) + share_b**2 / (len(b) - 1))
    return t_two_sided_tail(t, df)


def paired_p_value(differences: Sequence[float]) -> float | None:
    """Two-sided p-value of the one-sample t-test of mean(differences) = 0; None below 2."""
    if len(differences) < 2:
        return None
    variance = sample_variance(differences)
    centre = mean(differences)
    if variance == 0.0:
        return 1.0 if centre == 0.0 else 0.0
    t = centre / math.sqrt(variance / len(differences))
    return t_two_sided_tail(t, len(differences) - 1)
