"""How many attempts each example gets: the options over the manifest, and --confirm."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.errors import ConfigError
from evalkit.runner.attempt_plan import AttemptPlan, plan_for, policy_for
from evalkit.runner.config import RunConfig
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.repeats import DEFAULT_ADAPTIVE_MAX, PassRule, RepeatPolicy
from evalkit.runner.results import Verdict
from evalkit.stats import fisher_exact
from tests.runner.conftest import make_result


def _job(repeat: RepeatPolicy | None = None, name: str = "ex") -> ExampleJob:
    return ExampleJob(
        kind="agent", platform_name="a", suite="a", name=name, repeat=repeat, mark="m.yaml:3:5"
    )


def test_the_options_win_over_the_manifest() -> None:
    declared = _job(RepeatPolicy(times=3, pass_if=PassRule("any")))
    assert policy_for(declared, RunConfig()) == RepeatPolicy(3, PassRule("any"))
    assert policy_for(declared, RunConfig(repeat=5)) == RepeatPolicy(5, PassRule("any"))
    rate = PassRule("rate", 0.8)
    assert policy_for(declared, RunConfig(pass_if=rate)) == RepeatPolicy(3, rate)
    assert policy_for(_job(), RunConfig()) == RepeatPolicy()


def test_confirm_starts_with_one_attempt_up_to_the_repeat_or_eight() -> None:
    baseline = Path("summary.json")
    confirm = RunConfig(confirm=True, baseline=baseline)
    assert policy_for(_job(), confirm).adaptive_max == DEFAULT_ADAPTIVE_MAX
    assert policy_for(_job(RepeatPolicy(times=4)), confirm).adaptive_max == 4
    assert (
        policy_for(_job(), RunConfig(confirm=True, baseline=baseline, repeat=6)).adaptive_max == 6
    )
    assert policy_for(_job(), confirm).first_attempts == 1


def test_retries_with_a_manifest_repeat_is_refused_naming_the_example() -> None:
    with pytest.raises(
        ConfigError, match=r"a/ex repeats \(its example is declared at m.yaml:3:5\)"
    ):
        policy_for(_job(RepeatPolicy(times=3)), RunConfig(retries=2))


def test_a_rule_that_can_never_pass_is_refused_naming_the_options() -> None:
    never = RunConfig(repeat=3, pass_if=PassRule("at_least", 4))
    with pytest.raises(ConfigError) as caught:
        policy_for(_job(), never)
    assert str(caught.value) == (
        "--pass-if 'at_least 4' can never pass with --repeat 3: give --repeat 4 or more, "
        "or a lower K"
    )
    assert "m.yaml" not in str(caught.value)  # the example's file is not where the fault is
    assert policy_for(_job(), RunConfig(repeat=4, pass_if=PassRule("at_least", 4))).times == 4


def test_an_option_that_makes_the_manifests_repeat_impossible_is_named() -> None:
    declared = _job(RepeatPolicy(times=2))
    with pytest.raises(ConfigError) as caught:
        policy_for(declared, RunConfig(pass_if=PassRule("at_least", 3)))
    assert str(caught.value).startswith(
        "--pass-if 'at_least 3' can never pass with the 2 attempt(s) the manifest gives a/ex"
    )
    needs_three = _job(RepeatPolicy(times=3, pass_if=PassRule("at_least", 3)))
    with pytest.raises(ConfigError) as caught:
        policy_for(needs_three, RunConfig(repeat=2))
    assert str(caught.value).startswith(
        "a/ex: --repeat 2 can never meet the manifest's pass_if at_least 3"
    )
    assert "give --repeat 3 or more, or --pass-if with a lower K" in str(caught.value)
    confirm = RunConfig(confirm=True, baseline=Path("b.json"), pass_if=PassRule("at_least", 9))
    with pytest.raises(ConfigError, match=r"with --confirm \(8 attempts at most without --repeat"):
        policy_for(_job(), confirm)


def test_the_config_refuses_what_does_not_mix() -> None:
    with pytest.raises(ConfigError, match="retries and repeat do not mix"):
        RunConfig(retries=1, repeat=3)
    with pytest.raises(ConfigError, match="give a baseline"):
        RunConfig(confirm=True)
    with pytest.raises(ConfigError, match="give --confirm too"):
        RunConfig(max_executions=5)


def _plan(base: tuple[int, int] | None, *, budget: int | None = None) -> AttemptPlan:
    job = _job()
    return AttemptPlan(
        policy_of={job.key: RepeatPolicy(adaptive_max=8)},
        baseline={job.key: base} if base is not None else {},
        budget=budget,
    )


def _ended(*verdicts: Verdict) -> list[object]:
    return [make_result("ex", verdict) for verdict in verdicts]


def test_an_example_that_agrees_with_its_baseline_runs_once() -> None:
    plan = _plan((5, 5))
    assert plan.first(_job()) == 1
    assert plan.more(_job(), _ended(Verdict.PASS)) == 0  # type: ignore[arg-type]
    assert _plan((0, 5)).more(_job(), _ended(Verdict.FAIL)) == 0  # type: ignore[arg-type]


def test_a_disagreement_runs_again_until_the_test_decides() -> None:
    plan = _plan((8, 8))
    job = _job()
    done: list[Verdict] = [Verdict.FAIL]
    while plan.more(job, _ended(*done)):  # type: ignore[arg-type]
        done.append(Verdict.FAIL)
    # It stops at the first n where Fisher's test separates 0 of n from 8 of 8, each of the
    # 8 looks spending an eighth of alpha.
    assert fisher_exact(8, 8, 0, len(done)) < 0.05 / 8
    assert fisher_exact(8, 8, 0, len(done) - 1) >= 0.05 / 8
    assert len(done) < 8


def test_noise_stops_when_no_outcome_could_decide() -> None:
    plan = _plan((1, 1))  # one baseline attempt: nothing can ever be significant
    assert plan.more(_job(), _ended(Verdict.FAIL)) == 0  # type: ignore[arg-type]


def test_errors_new_examples_and_the_budget_stop_it() -> None:
    assert _plan((8, 8)).more(_job(), _ended(Verdict.ERROR)) == 0  # type: ignore[arg-type]
    assert _plan(None).more(_job(), _ended(Verdict.FAIL)) == 0  # type: ignore[arg-type]
    spent = _plan((8, 8), budget=1)
    spent.first(_job())
    assert spent.more(_job(), _ended(Verdict.FAIL)) == 0  # type: ignore[arg-type]


def test_plan_for_reads_the_baseline_pass_counts() -> None:
    from tests.report.sample_runs import all_passed_baseline

    baseline = all_passed_baseline()
    first = baseline.examples[0]
    repeated = first.model_copy(update={"trials": 5, "passes": 3})
    baseline = baseline.model_copy(update={"examples": [repeated, *baseline.examples[1:]]})
    plan = plan_for([_job()], RunConfig(confidence=0.9), baseline)
    assert plan.baseline[(first.kind, first.agent, first.example)] == (3, 5)
    second = baseline.examples[1]
    assert plan.baseline[(second.kind, second.agent, second.example)] == (1, 1)
    assert plan.alpha == pytest.approx(0.1)
