"""Student-t and the incomplete beta function against scipy."""

from __future__ import annotations

import pytest
from scipy import special, stats

from evalkit.stats.distributions import (
    log_beta,
    regularized_beta,
    t_cdf,
    t_pdf,
    t_quantile,
    t_two_sided_tail,
)

CONFIDENCES = [0.8, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999]


def test_t_quantile_matches_scipy_over_df_1_to_1000() -> None:
    worst = 0.0
    for df in range(1, 1001):
        for confidence in CONFIDENCES:
            for p in ((1 + confidence) / 2, (1 - confidence) / 2):
                expected = stats.t.ppf(p, df)
                worst = max(worst, abs(t_quantile(p, df) - expected) / abs(expected))
    assert worst < 1e-12


@pytest.mark.parametrize("df", [0.5, 1.5, 2.7, 1e4, 1e5, 1e6])
def test_t_quantile_matches_scipy_for_fractional_and_huge_df(df: float) -> None:
    for p in [1e-6, 0.001, 0.3, 0.6, 0.999, 1 - 1e-6]:
        assert t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-10)


def test_t_quantile_closed_forms() -> None:
    assert t_quantile(0.975, 1) == pytest.approx(12.706204736174698, rel=1e-14)  # Cauchy
    assert t_quantile(0.5, 7) == 0.0
    assert t_quantile(0.975, 2) == pytest.approx(4.302652729749464, rel=1e-14)


@pytest.mark.parametrize("df", [1, 2, 3, 5, 10, 30, 100, 1000, 2.5, 1e4, 1e6])
def test_t_cdf_and_tail_match_scipy(df: float) -> None:
    for t in [0.0, 1e-9, 0.1, 0.5, 1, 2, 3, 5, 10, 30, 100, 1e4, -0.3, -2, -50]:
        # scipy's cdf rounds to 0.5 near 0; there the first-order expansion is the reference
        cdf = stats.t.cdf(t, df) if abs(t) > 1e-6 else 0.5 + t * stats.t.pdf(0.0, df)
        assert t_cdf(t, df) == pytest.approx(cdf, rel=1e-10, abs=1e-300)
        tail = 2 * stats.t.sf(abs(t), df) if abs(t) > 1e-6 else 1 - 2 * abs(cdf - 0.5)
        assert t_two_sided_tail(t, df) == pytest.approx(tail, rel=1e-10, abs=1e-300)
        assert t_pdf(t, df) == pytest.approx(stats.t.pdf(t, df), rel=1e-10, abs=1e-300)


def test_t_infinite_statistic_and_bad_input() -> None:
    assert t_two_sided_tail(float("inf"), 3) == 0.0
    with pytest.raises(ValueError, match="degrees of freedom"):
        t_cdf(1.0, 0)
    with pytest.raises(ValueError, match="0 < p < 1"):
        t_quantile(1.0, 5)


@pytest.mark.parametrize(
    ("a", "b"), [(0.5, 0.5), (1, 1), (2, 5), (5, 2), (0.5, 40), (30, 30), (500, 0.5), (1e4, 3)]
)
def test_regularized_beta_matches_scipy(a: float, b: float) -> None:
    for x in [0.0, 1e-8, 0.01, 0.2, 0.5, 0.8, 0.99, 0.999999, 1.0]:
        expected = special.betainc(a, b, x)
        assert regularized_beta(a, b, x) == pytest.approx(expected, rel=1e-11, abs=1e-300)
    assert log_beta(a, b) == pytest.approx(special.betaln(a, b), rel=1e-13)
