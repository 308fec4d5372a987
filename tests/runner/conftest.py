"""Builders shared by the runner tests."""

from __future__ import annotations

from typing import Any

from evalkit.runner.results import ExampleResult, Verdict


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
