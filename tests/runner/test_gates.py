"""Gates: manifest config, flag overrides, the default gate, and each gate's outcome."""

from __future__ import annotations

from typing import Any

import pytest

from evalkit.errors import ConfigError
from evalkit.runner.gates import GateConfig, all_passed, evaluate_gates
from evalkit.runner.results import Counts, Verdict


def counts_of(*verdicts: Verdict) -> Counts:
    counts = Counts()
    for verdict in verdicts:
        counts.add(verdict)
    return counts


def test_no_gates_configured_means_every_example_must_pass() -> None:
    outcomes = evaluate_gates(GateConfig(), counts_of(Verdict.PASS, Verdict.PARTIAL))
    assert [o.name for o in outcomes] == ["min_pass_rate"]
    assert not outcomes[0].passed
    assert outcomes[0].actual == 0.5
    assert "50.0% (1/2)" in outcomes[0].message


def test_all_passing_run_passes_the_default_gate() -> None:
    outcomes = evaluate_gates(GateConfig(), counts_of(Verdict.PASS, Verdict.PASS))
    assert all_passed(outcomes)


def test_empty_run_passes_vacuously() -> None:
    assert all_passed(evaluate_gates(GateConfig(), Counts()))


def test_a_pass_rate_of_no_example_is_not_checked_and_says_why() -> None:
    (outcome,) = evaluate_gates(GateConfig(min_pass_rate=0.75), Counts())
    assert (outcome.passed, outcome.checked) == (True, False)
    assert outcome.message.startswith("pass rate not checked: no example to judge")
    assert "0/0" not in outcome.message


@pytest.mark.parametrize(
    ("limit", "verdicts", "passed"),
    [
        (0.5, [Verdict.PASS, Verdict.FAIL], True),
        (0.75, [Verdict.PASS, Verdict.FAIL], False),
        (0.5, [Verdict.PASS, Verdict.ERROR, Verdict.PARTIAL], False),
    ],
)
def test_min_pass_rate(limit: float, verdicts: list[Verdict], passed: bool) -> None:
    (outcome,) = evaluate_gates(GateConfig(min_pass_rate=limit), counts_of(*verdicts))
    assert outcome.passed is passed


def test_max_failures_counts_every_example_that_did_not_pass() -> None:
    counts = counts_of(
        Verdict.FAIL, Verdict.ERROR, Verdict.PARTIAL, Verdict.PASS, Verdict.CANCELLED
    )
    (outcome,) = evaluate_gates(GateConfig(max_failures=3), counts)
    assert outcome.passed
    assert outcome.actual == 3
    (outcome,) = evaluate_gates(GateConfig(max_failures=2), counts)
    assert not outcome.passed
    assert "over the maximum of 2" in outcome.message


def test_flags_override_the_manifest_gate_by_gate() -> None:
    manifest = GateConfig(min_pass_rate=1.0, max_regressions=0)
    merged = manifest.overridden_by(GateConfig(min_pass_rate=0.5, max_failures=3))
    assert merged == GateConfig(min_pass_rate=0.5, max_failures=3, max_regressions=0)


def test_regression_gate_without_baseline_is_not_checked_and_says_so() -> None:
    (outcome,) = evaluate_gates(GateConfig(max_regressions=0), counts_of(Verdict.FAIL))
    assert outcome.passed  # fails nothing
    assert not outcome.checked  # and is no pass either: the reports say "not checked"
    assert outcome.to_dict()["checked"] is False
    assert "no baseline" in outcome.message


def test_regression_gate_with_baseline() -> None:
    config = GateConfig(max_regressions=0)
    (outcome,) = evaluate_gates(config, counts_of(Verdict.FAIL), regressions=1)
    assert not outcome.passed
    assert outcome.checked
    assert outcome.message == "1 regression against the baseline (maximum 0)"
    (outcome,) = evaluate_gates(config, counts_of(Verdict.PASS), regressions=0)
    assert outcome.passed


@pytest.mark.parametrize(
    ("gates", "said"),
    [
        ({"min_pass_rate": 1.5}, "GateConfig.min_pass_rate is 1.5: it must be 0 to 1"),
        ({"max_failures": -1}, "GateConfig.max_failures is -1: it must be 0 or more"),
        ({"max_regressions": 1.5}, "give a whole number (0 or more)"),
        ({"min_pass_rate_delta": -2}, "GateConfig.min_pass_rate_delta is -2: it must be -1 to 1"),
        ({"min_score_delta": True}, "give a number (-1 to 1)"),
    ],
)
def test_a_gate_out_of_its_range_is_refused_as_the_options_are(
    gates: dict[str, Any], said: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        GateConfig(**gates)
    assert said in str(refused.value)


def test_the_edges_of_each_range_are_gates() -> None:
    edges = GateConfig(
        min_pass_rate=0,
        max_failures=0,
        max_regressions=0,
        min_pass_rate_delta=-1,
        min_score_delta=1,
    )
    assert not edges.is_empty
