"""Fisher's exact test on two pass counts, and the decisions adaptive confirmation needs.

``fisher_exact(k1, n1, k2, n2)`` is the two-sided p-value of the 2×2 table
[[k1, n1 − k1], [k2, n2 − k2]] with scipy.stats.fisher_exact's definition: with every margin
fixed, k1 follows the hypergeometric distribution; the p-value is the total probability of
the tables no more likely than the observed one, where "no more likely" has scipy's relative
tolerance (P(table) <= P(observed)·(1 + 1e-14)), and a table as likely as the most likely one
(within 1e-14) gives p = 1. A row or column of zeros gives p = 1.

Probabilities are computed in log space (log-gamma), so n of 10,000 and more per side work;
where a table's probability is within 1e-9 of the observed one (where rounding could decide),
the comparison is made exactly on integers (binomial coefficients), so ties break as scipy's.
Assumes the trials are independent and, under the null hypothesis, share one pass rate.

``separable(n1, n2, alpha)`` says whether any outcome of n1 against n2 attempts could be
significant: 3 against 3 cannot at 0.05, so the test cannot tell a collapse from noise there.

``outcome_decided`` serves adaptive confirmation: after ``trials`` attempts of a budget of
``max_trials``, it is True when the test already separates the two sides (p < alpha) or when
no result of any number of the remaining attempts (1 .. max_trials − trials, each with any
count of passes) could bring p under alpha (futility: more attempts are wasted).
"""

from __future__ import annotations

import math
from functools import lru_cache

from evalkit.stats.proportions import check_counts

_AMBIGUOUS = 1e-9  # log-probability gap under which the integers decide


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _not_more_likely(x: int, observed: int, row1: int, row2: int, column1: int) -> bool:
    """P(x) <= P(observed)·(1 + 1e-14), exactly (the hypergeometric's common denominator
    cancels)."""
    weight_x = math.comb(row1, x) * math.comb(row2, column1 - x)
    weight_observed = math.comb(row1, observed) * math.comb(row2, column1 - observed)
    return weight_x * 10**14 <= weight_observed * (10**14 + 1)  # scipy's 1 + 1e-14


@lru_cache(maxsize=4096)
def fisher_exact(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p-value of Fisher's exact test on k1/n1 against k2/n2 (scipy's definition)."""
    check_counts(k1, n1)
    check_counts(k2, n2)
    column1, total = k1 + k2, n1 + n2
    if 0 in (n1, n2, column1, total - column1):
        return 1.0
    low, high = max(0, column1 - n2), min(column1, n1)
    log_denominator = _log_comb(total, column1)

    def log_p(x: int) -> float:
        return _log_comb(n1, x) + _log_comb(n2, column1 - x) - log_denominator

    mode = (column1 + 1) * (n1 + 1) // (total + 2)
    log_observed = log_p(k1)
    weight_observed = math.comb(n1, k1) * math.comb(n2, column1 - k1)
    weight_mode = math.comb(n1, mode) * math.comb(n2, column1 - mode)
    # scipy: |P(mode) − P(observed)| / P(mode) <= 1e-14 -> p = 1
    if (weight_mode - weight_observed) * 10**14 <= weight_mode:
        return 1.0

    def qualifies(x: int) -> bool:
        gap = log_p(x) - log_observed
        if abs(gap) < _AMBIGUOUS:
            return _not_more_likely(x, k1, n1, n2, column1)
        return gap < 0

    # The observed side of the mode: every table from the end of the support to the observed
    # one is less likely (the hypergeometric is unimodal). The other side: walk in from its
    # end while the tables stay no more likely than the observed one.
    if k1 < mode:
        same_side = range(low, k1 + 1)
        other_side = range(high, mode, -1)
    else:
        same_side = range(k1, high + 1)
        other_side = range(low, mode)
    terms = [log_p(x) for x in same_side]
    for x in other_side:
        if not qualifies(x):
            break
        terms.append(log_p(x))
    largest = max(terms)
    scaled = math.fsum(math.exp(term - largest) for term in terms)
    return min(1.0, math.exp(largest) * scaled)


def significantly_different(k1: int, n1: int, k2: int, n2: int, alpha: float = 0.05) -> bool:
    """True when Fisher's exact test separates k1/n1 from k2/n2 at level alpha (p < alpha)."""
    _check_alpha(alpha)
    return fisher_exact(k1, n1, k2, n2) < alpha


def separable(n1: int, n2: int, alpha: float = 0.05) -> bool:
    """True when some outcome of ``n1`` attempts against ``n2`` could be significant at
    ``alpha``: all passing on one side and none on the other, the most extreme table, gives
    the smallest p-value (3 against 3 gives 0.1, so no outcome is significant at 0.05)."""
    _check_alpha(alpha)
    return n1 > 0 and n2 > 0 and fisher_exact(n1, n1, 0, n2) < alpha


def outcome_decided(
    base_passes: int,
    base_trials: int,
    passes: int,
    trials: int,
    *,
    max_trials: int,
    alpha: float = 0.05,
) -> bool:
    """True when more attempts cannot change the verdict: already significant, or no outcome
    of the remaining ``max_trials − trials`` attempts could make it significant."""
    _check_alpha(alpha)
    check_counts(base_passes, base_trials)
    check_counts(passes, trials)
    if max_trials < trials:
        raise ValueError(f"{trials} trials already exceed the budget of {max_trials}")
    if fisher_exact(base_passes, base_trials, passes, trials) < alpha:
        return True
    for extra in range(1, max_trials - trials + 1):
        # The extremes (all pass, all fail) are the likeliest to separate; try them first.
        order = [0, extra, *range(1, extra)]
        for extra_passes in order:
            p = fisher_exact(base_passes, base_trials, passes + extra_passes, trials + extra)
            if p < alpha:
                return False
    return True


def _check_alpha(alpha: float) -> None:
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"a significance level must be between 0 and 1 (e.g. 0.05), got {alpha}")
