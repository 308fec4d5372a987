"""Repeated examples: the pass_if rules, and one result from many attempts."""

from __future__ import annotations

import pytest

from evalkit.errors import ConfigError
from evalkit.runner.repeats import PassRule, RepeatPolicy, combine
from evalkit.runner.results import ErrorKind, ExampleError, ExampleResult, ExecutionRef, Verdict
from evalkit.stats import wilson_interval
from tests.runner.conftest import make_result


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("all", PassRule("all")),
        ("ANY", PassRule("any")),
        ("at_least 2", PassRule("at_least", 2)),
        ("at_least:3", PassRule("at_least", 3)),
        ("rate 0.8", PassRule("rate", 0.8)),
        ("rate=1", PassRule("rate", 1.0)),
    ],
)
def test_rules_are_read_as_written(text: str, rule: PassRule) -> None:
    assert PassRule.parse(text) == rule
    assert PassRule.parse(str(rule)) == rule, "the rule reads back from its own text"


@pytest.mark.parametrize("text", ["most", "at_least 0", "rate 0", "rate 1.5", "rate", ""])
def test_a_rule_that_is_not_one_says_what_to_write(text: str) -> None:
    with pytest.raises(ConfigError, match="pass_if"):
        PassRule.parse(text)


@pytest.mark.parametrize(
    ("rule", "passed", "trials", "verdict"),
    [
        ("all", 5, 5, True),
        ("all", 4, 5, False),
        ("any", 1, 5, True),
        ("any", 0, 5, False),
        ("at_least 3", 3, 5, True),
        ("at_least 3", 2, 5, False),
        ("rate 0.8", 4, 5, True),
        ("rate 0.8", 3, 5, False),
        ("rate 0.7", 7, 10, True),
        ("all", 0, 0, False),
    ],
)
def test_each_rule_decides(rule: str, passed: int, trials: int, verdict: bool) -> None:
    assert PassRule.parse(rule).passes(passed, trials) is verdict


def _attempt(index: int, verdict: Verdict, score: float) -> ExampleResult:
    return make_result(
        "ex",
        verdict,
        score=score,
        execution=ExecutionRef(id=f"exec-{index}", status="completed", link=f"l/{index}"),
    )


def test_one_result_holds_every_attempt_and_the_rules_verdict() -> None:
    verdicts = [Verdict.PASS, Verdict.FAIL, Verdict.PASS, Verdict.PASS, Verdict.PARTIAL]
    scores = [1.0, 0.0, 1.0, 1.0, 0.6]
    attempts = [_attempt(i, v, s) for i, (v, s) in enumerate(zip(verdicts, scores, strict=True))]
    policy = RepeatPolicy(times=5, pass_if=PassRule.parse("rate 0.6"))
    result = combine(attempts, policy)
    assert result.verdict is Verdict.PASS
    assert result.repeats is not None
    assert (result.repeats.passes, result.repeats.trials) == (3, 5)
    assert [a.execution_id for a in result.repeats.attempts] == [f"exec-{i}" for i in range(5)]
    assert result.score == pytest.approx(sum(scores) / 5)
    wilson = wilson_interval(3, 5)
    assert result.repeats.pass_interval == pytest.approx([wilson.low, wilson.high])
    assert result.repeats.score_interval is not None
    low, high = result.repeats.score_interval
    assert result.score is not None
    assert low < result.score < high
    assert (result.model_extra or {}).get("flaky") is True
    assert result.execution is not None
    assert result.execution.id == "exec-3", "shown: the last passing attempt"

    strict = combine(attempts, RepeatPolicy(times=5))
    assert strict.verdict is Verdict.PARTIAL, "the rule fails: the best verdict short of a pass"
    assert strict.execution is not None
    assert strict.execution.id == "exec-4"


def test_all_attempts_errored_is_an_error_and_never_flaky() -> None:
    error = ExampleError(kind=ErrorKind.FAILED, message="boom")
    attempts = [make_result("ex", Verdict.ERROR, score=None, error=error) for _ in range(3)]
    result = combine(attempts, RepeatPolicy(times=3))
    assert result.verdict is Verdict.ERROR
    assert result.score is None
    assert result.repeats is not None
    assert result.repeats.score_interval is None
    assert "flaky" not in (result.model_extra or {})
    assert result.repeats.attempts[0].error == "failed: boom"


def test_a_single_run_is_left_as_it_is() -> None:
    only = make_result("ex", Verdict.FAIL)
    assert combine([only], RepeatPolicy()) is only


def test_policy_bounds() -> None:
    with pytest.raises(ConfigError):
        RepeatPolicy(times=0)
    with pytest.raises(ConfigError):
        RepeatPolicy(times=2, adaptive_max=101)
    assert RepeatPolicy(times=3).first_attempts == 3
    adaptive = RepeatPolicy(times=1, adaptive_max=8)
    assert (adaptive.first_attempts, adaptive.most_attempts, adaptive.repeated) == (1, 8, True)
