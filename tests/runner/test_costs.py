"""Cost figures kept from what a platform reports, and each agent's time and cost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evalkit.runner.costs import (
    MAX_COST_KEYS,
    cost_figures,
    cost_text,
    time_text,
    usage_heading,
    usage_lines,
    usage_of,
)
from evalkit.runner.results import Attempt, Durations, Repeats, Verdict
from evalkit.runner.summary_text import render_summary
from tests.runner.conftest import make_result
from tests.runner.platform_harness import create_agent, job, local_platform, run_jobs


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ({"credits": 0.002}, {"credits": 0.002}),
        ({"credits": 3, "currency": "USD"}, {"credits": 3, "currency": "USD"}),
        ({"durationMs": 12}, None),  # a time, not a cost: the local platform's default
        ({"durationMs": 12, "credits": 1.5}, {"credits": 1.5}),
        ({"flag": True, "nested": {"a": 1}, "list": [1]}, None),
        ({"huge": 1e300, "text": "x" * 500}, None),
        ({"": 1, "k" * 80: 2}, None),
        (None, None),
        ([1, 2], None),
        ("USD 3", None),
    ],
)
def test_cost_figures_keep_numbers_and_short_texts(raw: Any, kept: Any) -> None:
    assert cost_figures(raw) == kept


def test_a_hostile_cost_cannot_bloat_the_results() -> None:
    kept = cost_figures({f"k{i}": i for i in range(1000)})
    assert kept is not None
    assert len(kept) == MAX_COST_KEYS


def _ran(example: str, ms: int | None, agent: str = "a", **extra: Any) -> Any:
    return make_result(
        example, Verdict.PASS, agent=agent, durations=Durations(execution_ms=ms), **extra
    )


def test_usage_per_agent_p50_p95_and_cost_totals() -> None:
    results = [
        _ran(f"e{i}", ms, cost={"credits": 0.1, "currency": "EUR"}, model="m-1")
        for i, ms in enumerate([100, 200, 300, 400])
    ]
    results.append(_ran("other", 50, agent="b"))
    a, b = usage_of(results)
    assert (a.agent, a.executions, a.p50_ms, a.p95_ms) == ("a", 4, 200, 400)
    assert a.cost == {"credits": 0.4}  # summed without float residue (0.30000000000000004)
    assert a.cost_units == {"currency": "EUR"}
    assert (a.costed, a.models) == (4, ["m-1"])
    assert cost_text(a) == "credits 0.4 (currency EUR)"
    assert time_text(a) == "p50 0.20 s, p95 0.40 s"
    assert (b.costed, b.cost, cost_text(b)) == (0, {}, "")
    assert usage_lines([a, b]) == [
        "a: p50 0.20 s, p95 0.40 s; cost credits 0.4 (currency EUR); model m-1",
        "b: p50 50 ms, p95 50 ms",
    ]


def test_every_attempt_of_a_repeated_example_counts() -> None:
    attempts = [
        Attempt(verdict=Verdict.PASS, execution_ms=ms, cost={"credits": 1}, model="m")
        for ms in (10, 20, 30)
    ]
    repeated = _ran("r", 30, repeats=Repeats(trials=3, passes=3, pass_if="all", attempts=attempts))
    (usage,) = usage_of([repeated])
    assert (usage.executions, usage.p50_ms, usage.p95_ms, usage.cost) == (3, 20, 30, {"credits": 3})


def test_units_differing_between_executions_are_not_claimed() -> None:
    results = [
        _ran("x", 1, cost={"amount": 1, "currency": "USD"}),
        _ran("y", 1, cost={"amount": 2, "currency": "EUR"}),
        _ran("z", 1, cost={"amount": 3}),
    ]
    (usage,) = usage_of(results)
    assert usage.cost == {"amount": 6}
    assert usage.cost_units == {}


def test_some_executions_without_a_cost_are_said() -> None:
    (usage,) = usage_of([_ran("x", 5, cost={"credits": 2}), _ran("y", 7)])
    assert cost_text(usage) == "credits 2 (1 of 2 executions reported one)"


def test_results_from_before_have_no_cost_and_no_time_errors() -> None:
    (usage,) = usage_of([make_result("old", Verdict.ERROR)])
    assert (usage.executions, usage.p50_ms, usage.costed) == (0, None, 0)
    assert usage_lines([usage]) == []


@pytest.mark.parametrize("hold_seconds", [10, 0])
def test_a_run_on_the_local_platform_records_and_totals_a_declared_cost(
    tmp_path: Path, hold_seconds: int
) -> None:
    """Held to the end, the cost comes with the run's answer (contract A3); not held, from the
    execution the runner polls. Either way the results and the summary have it."""
    runtime = {"builtin": "echo", "cost": {"credits": 0.002}, "model": "local-model-1"}
    with local_platform(tmp_path / "platform") as running:
        create_agent(running, "priced", runtime)
        create_agent(running, "free", {"builtin": "echo"})
        jobs = [job("priced", f"e{i}", {"n": i}, input_json={"n": i}) for i in range(3)]
        jobs.append(job("free", "f", {"n": 0}, input_json={"n": 0}))
        ran = run_jobs(running, jobs, tmp_path / "run-1", hold_seconds=hold_seconds)
    priced = [result for result in ran.results if result.agent == "priced"]
    assert [(r.cost, r.model) for r in priced] == [({"credits": 0.002}, "local-model-1")] * 3
    assert ran.by_name()["f"].cost is None  # durationMs alone is no cost
    free, paid = ran.summary.usage
    assert (paid.agent, paid.costed, paid.cost, paid.models) == (
        "priced",
        3,
        {"credits": 0.006},
        ["local-model-1"],
    )
    assert paid.executions == 3
    assert paid.p50_ms is not None
    assert paid.p95_ms is not None
    assert paid.p50_ms <= paid.p95_ms
    assert (free.agent, free.costed, free.executions) == ("free", 0, 1)
    text = render_summary(ran.summary)
    assert "priced: p50 " in text
    assert "cost credits 0.006; model local-model-1" in text


def test_the_terminal_names_cost_only_when_some_was_reported() -> None:
    timed = usage_of([_ran("x", 5), _ran("y", 7)])
    costed = usage_of([_ran("x", 5, cost={"credits": 2})])
    assert usage_heading(timed) == "time on the platform"
    assert usage_heading(costed) == "time on the platform and cost"
