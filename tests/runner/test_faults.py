"""Runs against a faulty local platform: 5xx, 429 bursts, dropped connections, failing
executions. Whatever happens, every example is recorded exactly once, no execution gets two
feedback writes, and the status says what happened."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from evalkit.client import EigenpalClient
from evalkit.emulator.faults import FaultConfig
from evalkit.exit_codes import RunStatus
from evalkit.runner.limiter import AimdState
from evalkit.runner.results import ErrorKind, Verdict
from tests.runner.platform_harness import (
    API_KEY,
    RunOutput,
    create_agent,
    job,
    local_platform,
    run_jobs,
)

EXAMPLES = 24
OUTPUT = {"answer": 42}
#: faults hit what a run does (start, poll, feedback, expected, downloads), not agent setup
RUN_PATHS = r"/run$|/executions"


def run_faulty(
    tmp_path: Path, faults: FaultConfig, **options: Any
) -> tuple[RunOutput, Counter[str]]:
    """Run EXAMPLES passing examples; also count, per example, the executions of the batch
    that carry feedback (read back through the same faults by a patient client)."""
    with local_platform(tmp_path / "platform", faults=faults) as running:
        create_agent(running, "steady", {"builtin": "fixed", "output": OUTPUT})
        jobs = [job("steady", f"ex{i:02d}", OUTPUT) for i in range(EXAMPLES)]
        out = run_jobs(running, jobs, tmp_path / "run-faults", **options)
        patient = EigenpalClient(api_key=API_KEY, base_url=running.base_url, max_retries=30)
        with patient:
            executions = list(
                patient.agents.executions.iter_list(
                    "steady", batch_id="run-faults", include="feedback,files"
                )
            )
    with_feedback = Counter(
        str((e.metadata or {}).get("exampleName")) for e in executions if e.feedback is not None
    )
    out.batch_size = len(executions)
    return out, with_feedback


def assert_exactly_once(out: RunOutput) -> None:
    assert sorted(result.example for result in out.results) == [
        f"ex{i:02d}" for i in range(EXAMPLES)
    ]
    assert out.summary.counts.total == EXAMPLES
    ids = [r.execution.id for r in out.results if r.execution is not None]
    assert len(ids) == len(set(ids))


def assert_at_most_one_feedback_per_example(out: RunOutput, with_feedback: Counter[str]) -> None:
    assert all(count == 1 for count in with_feedback.values()), with_feedback
    written = {r.example for r in out.results if r.feedback.written}
    assert written <= set(with_feedback)


@pytest.mark.slow
def test_server_errors_on_every_kind_of_call(tmp_path: Path) -> None:
    faults = FaultConfig(error_rate=0.3, path_pattern=RUN_PATHS, seed=7)
    out, with_feedback = run_faulty(tmp_path, faults)
    assert_exactly_once(out)
    assert_at_most_one_feedback_per_example(out, with_feedback)
    # What passed, passed for real; what did not says why.
    for result in out.results:
        if result.verdict is not Verdict.PASS:
            assert result.error is not None
            assert result.error.kind is ErrorKind.PLATFORM
            assert "HTTP 5" in result.error.message
    assert out.summary.counts.passed > EXAMPLES // 2


@pytest.mark.slow
def test_rate_limit_bursts_slow_the_run_down_but_lose_nothing(tmp_path: Path) -> None:
    faults = FaultConfig(rate_limit_per_second=40, rate_limit_burst=4, path_pattern=RUN_PATHS)
    states: list[AimdState] = []
    out, with_feedback = run_faulty(tmp_path, faults, limiter_states=states)
    assert_exactly_once(out)
    assert_at_most_one_feedback_per_example(out, with_feedback)
    errors = [r.error for r in out.results if r.error is not None]
    assert out.summary.status == RunStatus.PASSED.value, errors
    # Feedback outlasts the bursts too: every example's verdict is on its execution.
    assert all(result.feedback.written for result in out.results)
    assert sum(with_feedback.values()) == EXAMPLES
    # The limiter saw the 429s and backed off from the configured 8.
    (state,) = states
    assert state.rate_limited > 0
    assert state.lowest < 8


def test_dropped_start_answers_adopt_the_execution_instead_of_running_twice(
    tmp_path: Path,
) -> None:
    faults = FaultConfig(drop_rate=0.3, drop_after_processing=True, path_pattern=r"/run$", seed=3)
    out, with_feedback = run_faulty(tmp_path, faults)
    assert_exactly_once(out)
    assert_at_most_one_feedback_per_example(out, with_feedback)
    assert out.summary.status == RunStatus.PASSED.value, out.summary.outcome
    assert any(result.adopted for result in out.results), "the seed drops some start answers"
    # Each lost answer's execution was adopted, never started a second time.
    assert out.batch_size == EXAMPLES


def test_failing_executions_are_recorded_and_fail_the_gate(tmp_path: Path) -> None:
    faults = FaultConfig(execution_failure_rate=0.25, seed=11)
    out, with_feedback = run_faulty(tmp_path, faults)
    assert_exactly_once(out)
    assert_at_most_one_feedback_per_example(out, with_feedback)
    failed = [r for r in out.results if r.verdict is Verdict.ERROR]
    assert failed
    assert all(r.error is not None and r.error.kind is ErrorKind.FAILED for r in failed)
    assert all(r.feedback.rating == "fail" and r.feedback.status == "open" for r in failed)
    assert out.summary.exit_code == 1
