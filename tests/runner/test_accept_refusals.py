"""The examples accept leaves alone before planning, each with its reason: a judge's labels,
errors and cancellations, disagreeing repeats, and expected outputs changed since the run."""

from __future__ import annotations

from typing import Any

from evalkit.runner.accept_refusals import LABELLED, why_not_accepted
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.results import ErrorKind, ExampleError, ExampleResult, Verdict


def _job(suite: str, expected: Any) -> ExampleJob:
    return ExampleJob(
        kind="agent", platform_name=suite, suite=suite, name="a", expected_json=expected
    )


def _result(suite: str, verdict: Verdict, expected: Any, **extra: Any) -> ExampleResult:
    return ExampleResult(
        run_id="run-x",
        agent=suite,
        example="a",
        verdict=verdict,
        finished_at="2026-01-01T00:00:00.000Z",
        expected_json=expected,
        actual_json={"passed": True},
        **extra,
    )


def test_a_label_of_a_judge_in_use_is_never_accepted() -> None:
    label = {"passed": False}
    result = _result("judge", Verdict.FAIL, label)
    assert why_not_accepted(result, _job("judge", label), {"judge"}) == LABELLED
    # the same answer from an agent no rule uses as a judge is an ordinary expected output
    assert why_not_accepted(result, _job("judge", label), {"other"}) is None
    # and a judge's example that is no label is accepted as any other
    plain = {"verdict": "old"}
    assert (
        why_not_accepted(_result("judge", Verdict.FAIL, plain), _job("judge", plain), {"judge"})
        is None
    )


def test_errors_and_stale_expected_outputs_are_not_accepted() -> None:
    error = ExampleError(kind=ErrorKind.TIMEOUT, message="took too long")
    errored = _result("bot", Verdict.ERROR, {"x": 1}, error=error)
    reason = why_not_accepted(errored, _job("bot", {"x": 1}), set())
    assert reason == "errored (timeout: took too long): no output to accept"
    stale = why_not_accepted(_result("bot", Verdict.FAIL, {"x": 1}), _job("bot", {"x": 2}), set())
    assert stale == "its expected JSON changed since the run: run it again, then accept"
