"""Accuracy and Cohen's kappa against values computed by hand (each test shows the arithmetic)."""

from __future__ import annotations

import pytest

from evalkit.stats.agreement import ONE_CATEGORY, agreement

T, F = True, False


def test_nine_of_ten_with_one_false_pass() -> None:
    # labels: 6 pass, 4 fail; the judge passes one of the fails: 7 pass, 3 fail
    pairs = [(T, T)] * 6 + [(F, F)] * 3 + [(F, T)]
    found = agreement(pairs)
    # p_o = 9/10; p_e = 0.6·0.7 + 0.4·0.3 = 0.54; κ = 0.36/0.46
    assert (found.total, found.agreed) == (10, 9)
    assert found.accuracy == pytest.approx(0.9)
    assert found.kappa == pytest.approx(0.36 / 0.46)
    assert round(found.kappa or 0, 2) == 0.78
    assert found.table == {(T, T): 6, (F, F): 3, (F, T): 1}
    assert found.kappa_undefined is None


def test_perfect_agreement_on_both_categories_is_one() -> None:
    found = agreement([(T, T), (T, T), (F, F)])
    # p_o = 1; p_e = (2/3)² + (1/3)² = 5/9; κ = (4/9)/(4/9)
    assert found.accuracy == 1.0
    assert found.kappa == pytest.approx(1.0)


def test_perfect_disagreement_on_balanced_labels_is_minus_one() -> None:
    found = agreement([(T, F), (F, T), (T, F), (F, T)])
    # p_o = 0; p_e = 0.5·0.5 + 0.5·0.5 = 0.5; κ = −0.5/0.5
    assert found.accuracy == 0.0
    assert found.kappa == pytest.approx(-1.0)


def test_a_judge_that_always_passes_is_accurate_but_no_better_than_chance() -> None:
    found = agreement([(T, T)] * 8 + [(F, T)] * 2)
    # p_o = 0.8; p_e = 0.8·1 + 0.2·0 = 0.8; κ = 0
    assert found.accuracy == pytest.approx(0.8)
    assert found.kappa == pytest.approx(0.0)


def test_labels_of_one_category_and_varying_verdicts_give_kappa_at_most_zero() -> None:
    found = agreement([(T, T)] * 3 + [(T, F)])
    # p_o = 0.75; p_e = 1·0.75 + 0·0.25 = 0.75; κ = 0
    assert found.kappa == pytest.approx(0.0)
    worse = agreement([(T, F)] * 3 + [(T, T)])
    # p_o = 0.25; p_e = 1·0.25 = 0.25; κ = 0
    assert worse.kappa == pytest.approx(0.0)


@pytest.mark.parametrize("value", [T, F])
def test_one_category_throughout_leaves_kappa_undefined(value: bool) -> None:
    found = agreement([(value, value)] * 5)
    # p_o = p_e = 1: κ = 0/0
    assert found.accuracy == 1.0
    assert found.kappa is None
    assert found.kappa_undefined == ONE_CATEGORY


def test_no_pairs_defines_nothing() -> None:
    found = agreement([])
    assert (found.total, found.agreed, found.accuracy, found.kappa) == (0, 0, None, None)
    assert found.kappa_undefined is None


def test_a_single_pair_that_disagrees() -> None:
    found = agreement([(T, F)])
    # p_o = 0; p_e = 1·0 + 0·1 = 0; κ = 0
    assert found.accuracy == 0.0
    assert found.kappa == pytest.approx(0.0)


def test_three_categories() -> None:
    pairs = [("a", "a")] * 4 + [("b", "b")] * 3 + [("c", "c")] * 1 + [("a", "b"), ("c", "a")]
    found = agreement(pairs)
    # labels a5 b3 c2, verdicts a5 b4 c1; p_o = 0.8; p_e = (25 + 12 + 2)/100 = 0.39
    assert found.accuracy == pytest.approx(0.8)
    assert found.kappa == pytest.approx((0.8 - 0.39) / 0.61)
