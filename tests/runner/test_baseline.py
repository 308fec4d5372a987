"""Regressions: passed in the baseline, not passing now."""

from __future__ import annotations

from evalkit.runner.baseline import find_regressions
from evalkit.runner.results import (
    Counts,
    ExampleBrief,
    RunMetadata,
    RunSummary,
    Target,
    Verdict,
)


def brief(example: str, verdict: Verdict, agent: str = "a") -> ExampleBrief:
    return ExampleBrief(kind="agent", agent=agent, example=example, verdict=verdict)


def summary_with(*briefs: ExampleBrief) -> RunSummary:
    return RunSummary(
        metadata=RunMetadata(
            run_id="run-1",
            evalkit_version="0",
            manifest="evalkit.yaml",
            target=Target(kind="local", base_url="http://127.0.0.1:1"),
            started_at="2026-01-01T00:00:00.000Z",
            concurrency=1,
            timeout_seconds=1,
            feedback=True,
        ),
        counts=Counts(),
        pass_rate=1.0,
        exit_code=0,
        status="passed",
        outcome="ok",
        results_file="results.jsonl",
        examples=list(briefs),
    )


def test_only_previously_passing_examples_can_regress() -> None:
    baseline = summary_with(
        brief("one", Verdict.PASS),
        brief("two", Verdict.FAIL),
        brief("three", Verdict.PASS),
        brief("four", Verdict.PASS),
        brief("five", Verdict.PASS),
    )
    current = [
        brief("one", Verdict.FAIL),  # regression
        brief("two", Verdict.FAIL),  # failed before too
        brief("three", Verdict.PASS),
        brief("four", Verdict.ERROR),  # regression
        brief("five", Verdict.CANCELLED),  # not judged
        brief("new", Verdict.FAIL),  # not in the baseline
    ]
    assert [b.example for b in find_regressions(baseline, current)] == ["one", "four"]


def test_examples_are_told_apart_by_agent() -> None:
    baseline = summary_with(brief("same", Verdict.PASS, agent="a"))
    current = [brief("same", Verdict.FAIL, agent="b")]
    assert find_regressions(baseline, current) == []
