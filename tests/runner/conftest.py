"""Builders shared by the runner tests."""

from __future__ import annotations

from typing import Any

from evalkit.runner.results import (
    Counts,
    ExampleBrief,
    ExampleResult,
    RunMetadata,
    RunSummary,
    Target,
    Verdict,
)


def make_result(
    example: str = "ex", verdict: Verdict = Verdict.PASS, **extra: Any
) -> ExampleResult:
    fields: dict[str, Any] = {
        "run_id": "run-test",
        "agent": "agent-a",
        "example": example,
        "verdict": verdict,
        "score": 1.0 if verdict is Verdict.PASS else 0.0,
        "finished_at": "2026-01-01T00:00:00.000Z",
    }
    fields.update(extra)
    return ExampleResult(**fields)


def brief(example: str, verdict: Verdict, agent: str = "a", **extra: Any) -> ExampleBrief:
    return ExampleBrief(kind="agent", agent=agent, example=example, verdict=verdict, **extra)


def summary_with(*briefs: ExampleBrief) -> RunSummary:
    """A finished run's summary holding ``briefs`` (a baseline, for most tests)."""
    counts = Counts()
    for item in briefs:
        counts.add(item.verdict)
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
        counts=counts,
        pass_rate=counts.pass_rate,
        exit_code=0,
        status="passed",
        outcome="ok",
        results_file="results.jsonl",
        examples=list(briefs),
    )
