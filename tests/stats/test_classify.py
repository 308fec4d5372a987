"""The per-example classification rule, case by case."""

from __future__ import annotations

import pytest
from scipy import stats

from evalkit.stats.classify import Attempts, classify_example


def test_new_and_removed() -> None:
    run = Attempts(1, 1, (1.0,))
    assert classify_example(None, run).kind == "new"
    removed = classify_example(run, None)
    assert (removed.kind, removed.significant, removed.p_value) == ("removed", False, None)
    assert removed.pass_rate_delta is None
    with pytest.raises(ValueError, match="baseline, a run, or both"):
        classify_example(None, None)


def test_one_attempt_each_is_the_plain_comparison() -> None:
    change = classify_example(Attempts(1, 1, (1.0,)), Attempts(0, 1, (0.2,)))
    assert (change.kind, change.significant, change.p_value, change.test) == (
        "regression",
        False,
        None,
        None,
    )
    assert change.pass_rate_delta == -1.0
    assert change.score_delta == pytest.approx(-0.8)
    assert classify_example(Attempts(0, 1), Attempts(1, 1)).kind == "improvement"
    assert classify_example(Attempts(1, 1), Attempts(1, 1)).kind == "unchanged"


def test_pass_counts_decide_with_repeats() -> None:
    change = classify_example(Attempts(10, 10), Attempts(3, 10))
    expected = stats.fisher_exact([[10, 0], [3, 7]]).pvalue
    assert (change.kind, change.significant, change.test) == ("regression", True, "fisher")
    assert change.p_value == pytest.approx(expected)
    assert classify_example(Attempts(2, 10), Attempts(10, 10)).kind == "improvement"


def test_an_insignificant_drop_is_noise_with_its_p_value() -> None:
    change = classify_example(Attempts(5, 5), Attempts(3, 5))
    assert (change.kind, change.significant) == ("unchanged", False)
    assert change.p_value == pytest.approx(stats.fisher_exact([[5, 0], [3, 2]]).pvalue)
    assert change.is_noise
    steady = classify_example(Attempts(5, 5, (1.0,) * 5), Attempts(5, 5, (1.0,) * 5))
    assert not steady.is_noise


def test_scores_decide_when_pass_counts_do_not() -> None:
    before = Attempts(5, 5, (0.95, 0.97, 0.96, 0.98, 0.97))
    after = Attempts(5, 5, (0.81, 0.80, 0.83, 0.79, 0.82))
    change = classify_example(before, after)
    expected = stats.ttest_ind(after.scores, before.scores, equal_var=False).pvalue
    assert (change.kind, change.significant, change.test) == ("regression", True, "welch")
    assert change.p_value == pytest.approx(expected)
    assert change.score_delta == pytest.approx(0.81 - 0.966)
    assert classify_example(after, before).kind == "improvement"


def test_scores_need_two_per_side_and_noise_stays_unchanged() -> None:
    assert classify_example(Attempts(1, 2, (0.9,)), Attempts(1, 2, (0.1,))).kind == "unchanged"
    noisy = classify_example(Attempts(3, 3, (0.9, 0.7, 0.8)), Attempts(3, 3, (0.8, 0.6, 0.85)))
    assert (noisy.kind, noisy.test, noisy.p_value) == ("unchanged", "fisher", 1.0)
    assert noisy.is_noise


def test_one_trial_against_many_cannot_be_tested_so_the_verdicts_decide() -> None:
    # One baseline pass against 0 of 10 gives p = 1/11, the smallest any outcome could give at
    # these counts: the test can never decide, so the plain comparison does.
    change = classify_example(Attempts(1, 1), Attempts(0, 10))
    assert (change.kind, change.significant, change.untestable) == ("regression", False, True)
    assert change.p_value == pytest.approx(1 / 11)
    assert classify_example(Attempts(0, 1), Attempts(10, 10)).kind == "improvement"


def test_a_collapse_at_three_attempts_a_side_is_a_regression_not_noise() -> None:
    """3/3 -> 0/3: Fisher's p is 0.1 at best, so the test alone called every change noise and a
    gate on regressions could never fail with repeat 3."""
    collapse = classify_example(Attempts(3, 3, (1.0,) * 3), Attempts(0, 3, (0.5,) * 3))
    assert (collapse.kind, collapse.significant, collapse.untestable) == (
        "regression",
        False,
        True,
    )
    assert collapse.p_value == pytest.approx(0.1)
    assert not collapse.is_noise
    # one flaky attempt fails the combined verdict of pass_if all (the default) ...
    assert classify_example(Attempts(3, 3), Attempts(2, 3)).kind == "regression"
    # ... but not one of pass_if rate 0.6: both pass, what moved is noise
    tolerant = classify_example(Attempts(3, 3, passed=True), Attempts(2, 3, passed=True))
    assert (tolerant.kind, tolerant.untestable, tolerant.is_noise) == ("unchanged", True, True)


def test_the_test_decides_wherever_some_outcome_could_be_significant() -> None:
    # 4 against 4 can reach p = 0.029: the test has its say, and 4/4 -> 3/4 is noise even though
    # the combined verdict (pass_if all) went from pass to fail
    flake = classify_example(Attempts(4, 4), Attempts(3, 4))
    assert (flake.kind, flake.untestable, flake.is_noise) == ("unchanged", False, True)
    collapse = classify_example(Attempts(4, 4), Attempts(0, 4))
    assert (collapse.kind, collapse.significant) == ("regression", True)


def test_scores_that_separate_decide_before_the_verdicts() -> None:
    before = Attempts(3, 3, (0.95, 0.97, 0.96))
    after = Attempts(3, 3, (0.55, 0.6, 0.58), passed=True)
    change = classify_example(before, after)
    assert (change.kind, change.significant, change.test) == ("regression", True, "welch")
    assert not change.untestable


def test_bad_attempts() -> None:
    with pytest.raises(ValueError, match="pass None"):
        Attempts(0, 0)
    with pytest.raises(ValueError, match="successes <= trials"):
        Attempts(4, 3)
    with pytest.raises(ValueError, match="significance level"):
        classify_example(Attempts(1, 1), Attempts(1, 1), alpha=0)


def test_constant_scores_leave_the_decision_to_the_pass_counts() -> None:
    from evalkit.stats import Attempts, classify_example

    before = Attempts(passes=4, trials=4, scores=(1.0,) * 4)
    after = Attempts(passes=0, trials=2, scores=(0.0,) * 2)
    found = classify_example(before, after)
    assert found.test == "fisher"
    assert not found.significant, "0/2 against 4/4: p = 1/15, not below 0.05"
    varied = Attempts(passes=0, trials=4, scores=(0.1, 0.2, 0.1, 0.15))
    assert classify_example(before, varied).significant
