"""A run against its baseline: each example classified, the run's and each suite's delta with
a reproducible interval, in words; and the gates that read them."""

from __future__ import annotations

from typing import Any

import pytest

from evalkit.runner.evidence import moved, points, smallest_detectable_drop, weigh
from evalkit.runner.gates import GateConfig, evaluate_gates
from evalkit.runner.results import Counts, ExampleBrief, ExampleChange, RunSummary, Verdict
from tests.runner.conftest import brief as one_brief
from tests.runner.conftest import summary_with


def brief(
    example: str, passes: int, trials: int, *, agent: str = "a", **extra: Any
) -> ExampleBrief:
    verdict = Verdict.PASS if passes == trials else Verdict.FAIL
    repeated: dict[str, Any] = {"trials": trials, "passes": passes} if trials > 1 else {}
    return one_brief(example, verdict, agent, **repeated, **extra)


def summary(*briefs: ExampleBrief) -> RunSummary:
    return summary_with(*briefs)


def test_each_example_is_classified_with_its_evidence() -> None:
    base = summary(
        brief("drop", 10, 10), brief("wobble", 8, 10), brief("gone", 1, 1), brief("once", 1, 1)
    )
    now = [brief("drop", 2, 10), brief("wobble", 7, 10), brief("new", 1, 1), brief("once", 0, 1)]
    changes = {c.example: c for c in weigh(base, now, confidence=0.95).changes}
    assert changes["drop"].change == "regression"
    assert changes["drop"].significant
    assert changes["drop"].p_value is not None
    assert changes["drop"].p_value < 0.01
    assert (changes["drop"].passes_before, changes["drop"].passes_after) == ([10, 10], [2, 10])
    assert changes["wobble"].change == "unchanged", "8/10 -> 7/10 is noise"
    assert not changes["wobble"].significant
    assert changes["once"].change == "regression", "one attempt each: a plain pass -> fail"
    assert not changes["once"].significant
    assert changes["new"].change == "new"
    assert changes["gone"].change == "removed"


def test_cancelled_and_quarantined_examples_are_not_weighed() -> None:
    base = summary(brief("q", 1, 1), brief("c", 1, 1))
    now = [
        brief("q", 0, 1, quarantined=True),
        ExampleBrief(kind="agent", agent="a", example="c", verdict=Verdict.CANCELLED),
    ]
    evidence = weigh(base, now, confidence=0.95)
    assert [c.change for c in evidence.changes] == ["removed", "removed"]
    assert evidence.deltas[0].examples == 0


def test_the_run_delta_is_reproducible_and_said_in_words() -> None:
    names = [f"e{i}" for i in range(20)]
    base = summary(*(brief(name, 5, 5) for name in names))
    now = [brief(name, 1 if index < 8 else 5, 5) for index, name in enumerate(names)]
    first = weigh(base, now, confidence=0.95).deltas[0]
    assert first == weigh(base, now, confidence=0.95).deltas[0], "seeded: the same interval"
    assert first.pass_rate_delta == pytest.approx(-0.32)
    assert first.pass_rate_interval[1] < 0
    assert first.verdict == "regression"
    assert first.words.startswith("attempt pass rate 100% → 68% (−32 points, 95% CI −")
    assert first.words.endswith("): a regression")

    noisy = [brief(name, 4 if index % 5 == 0 else 5, 5) for index, name in enumerate(names)]
    calm = weigh(base, noisy, confidence=0.95).deltas[0]
    assert calm.verdict in ("noise", "regression")
    wide = weigh(
        summary(*(brief(n, 4, 5) for n in names[:3])),
        [brief(n, 3, 5) for n in names[:3]],
        confidence=0.95,
    ).deltas[0]
    assert wide.verdict == "noise"
    assert wide.words.endswith("not distinguishable from noise")


def test_suites_get_their_own_delta_when_there_are_several() -> None:
    base = summary(brief("x", 1, 1, agent="a"), brief("y", 1, 1, agent="b"))
    now = [brief("x", 0, 1, agent="a"), brief("y", 1, 1, agent="b")]
    scopes = [delta.scope for delta in weigh(base, now, confidence=0.9).deltas]
    assert scopes == ["run", "a", "b"]


def test_points_are_signed_with_a_true_minus() -> None:
    assert [points(-0.06), points(0.031), points(0.0001)] == ["−6", "+3", "0"]


def test_the_smallest_detectable_drop_shrinks_with_more_attempts() -> None:
    few = [brief(f"e{i}", 1, 1) for i in range(10)]
    many = [brief(f"e{i}", 9, 10) for i in range(10)]
    assert smallest_detectable_drop([], 0.95) is None
    small, large = smallest_detectable_drop(many, 0.95), smallest_detectable_drop(few, 0.95)
    assert small is not None
    assert large is not None
    assert small < large


def test_delta_gates_fail_only_when_the_whole_interval_is_below_the_limit() -> None:
    names = [f"e{i}" for i in range(20)]
    base = summary(*(brief(name, 5, 5) for name in names))
    dropped = weigh(
        base, [brief(n, 1 if i < 8 else 5, 5) for i, n in enumerate(names)], confidence=0.95
    ).deltas[0]
    counts = Counts(total=20, passed=12, failed=8)
    strict, lenient = GateConfig(min_pass_rate_delta=0.0), GateConfig(min_pass_rate_delta=-0.9)
    (failed,) = evaluate_gates(strict, counts, delta=dropped)
    assert not failed.passed
    assert "stays below the minimum change 0 points" in failed.message
    (passed,) = evaluate_gates(lenient, counts, delta=dropped)
    assert passed.passed
    (unchecked,) = evaluate_gates(strict, counts, delta=None)
    assert unchecked.passed
    assert not unchecked.checked
    assert "no baseline" in unchecked.message
    (score,) = evaluate_gates(GateConfig(min_score_delta=0.5), counts, delta=dropped)
    assert score.name == "min_score_delta"


def test_counted_regressions_are_the_examples_that_passed_before_and_not_now() -> None:
    from evalkit.runner.session import counted_regressions

    baseline = summary_with(
        *(one_brief(name, Verdict.PASS) for name in ("one", "three", "four", "five")),
        one_brief("two", Verdict.FAIL),
        one_brief("same", Verdict.PASS, agent="b"),
        one_brief("q", Verdict.PASS),
    )
    current = [
        one_brief("one", Verdict.FAIL),  # regression
        one_brief("two", Verdict.FAIL),  # failed before too
        one_brief("three", Verdict.PASS),
        one_brief("four", Verdict.ERROR),  # regression
        one_brief("five", Verdict.CANCELLED),  # not judged
        one_brief("new", Verdict.FAIL),  # not in the baseline
        one_brief("same", Verdict.FAIL, agent="a"),  # told apart from b/same by its agent
        one_brief("q", Verdict.FAIL, quarantined=True),  # judged by no gate
    ]
    evidence = weigh(baseline, current, confidence=0.95)
    assert [b.example for b in counted_regressions(evidence, current)] == ["one", "four"]


def test_a_score_moved_only_when_it_reads_differently_with_two_decimals() -> None:
    def change(before: float, after: float) -> ExampleChange:
        return ExampleChange(
            kind="agent",
            agent="a",
            example="e",
            change="unchanged",
            passes_before=[0, 1],
            passes_after=[0, 1],
            score_before=before,
            score_after=after,
        )

    # a baseline rebuilt from feedback holds the two decimals the feedback body wrote
    assert not moved(change(0.95, 0.952381))
    assert moved(change(0.95, 0.961))
    assert moved(change(0.4, 0.399))  # floored, as reports show it: 0.40 -> 0.39
