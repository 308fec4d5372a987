"""Statistics for runs of nondeterministic agents. Standard library only; imports nothing
else of evalkit. Each module's docstring states its method and assumptions exactly.

    Interval(low, high)                                   interval.py
    wilson_interval(k, n, confidence) -> Interval         proportions.py
    minimum_detectable_drop(examples, repeats, rate)      proportions.py
    mean_interval(values, confidence) -> (mean, Interval | None)   means.py
    welch_p_value(a, b) / paired_p_value(d) -> p | None   means.py
    fisher_exact(k1, n1, k2, n2) -> p                     fisher.py
    significantly_different(...) / outcome_decided(...)   fisher.py
    paired_bootstrap(pairs, ...) -> Interval; mean_delta  bootstrap.py
    rate_change_interval(counts, ...) -> Interval         rate_change.py
    classify_example(baseline, current) -> ExampleChange  classify.py
    t_cdf / t_quantile / regularized_beta                 distributions.py
    agreement(pairs) -> Agreement (accuracy, kappa)       agreement.py
    nearest_rank(values, p) -> a measured value           nearest_rank.py
    binomial(rng, n, p): the bootstrap's draws            sampling.py
"""

from evalkit.stats.agreement import Agreement, agreement
from evalkit.stats.bootstrap import mean_delta, paired_bootstrap
from evalkit.stats.classify import Attempts, ChangeKind, ExampleChange, classify_example
from evalkit.stats.distributions import t_cdf, t_quantile
from evalkit.stats.fisher import fisher_exact, outcome_decided, significantly_different
from evalkit.stats.interval import Interval
from evalkit.stats.means import mean_interval, paired_p_value, welch_p_value
from evalkit.stats.nearest_rank import nearest_rank
from evalkit.stats.proportions import minimum_detectable_drop, wilson_interval
from evalkit.stats.rate_change import rate_change_interval

__all__ = [
    "Agreement",
    "Attempts",
    "ChangeKind",
    "ExampleChange",
    "Interval",
    "agreement",
    "classify_example",
    "fisher_exact",
    "mean_delta",
    "mean_interval",
    "minimum_detectable_drop",
    "nearest_rank",
    "outcome_decided",
    "paired_bootstrap",
    "paired_p_value",
    "rate_change_interval",
    "significantly_different",
    "t_cdf",
    "t_quantile",
    "welch_p_value",
    "wilson_interval",
]
