"""A baseline rebuilt from the platform equals the run's own summary: real runs of the example
project on the local platform over HTTP, then their batch read back."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import evalkit
from evalkit import Connection, RunConfig
from evalkit.api import AgentExecutionFeedback, AgentExecutionSummary, ExecutionStatus
from evalkit.client import EigenpalClient
from evalkit.exit_codes import ExitCode, exit_code_for
from evalkit.planning import open_planner
from evalkit.runner.evidence import weigh
from evalkit.runner.feedback_body import render_body
from evalkit.runner.platform_baseline import BatchNotFound, baseline_from_batch, read_verdict
from evalkit.runner.results import ErrorKind, ExampleChange, ExampleError, RunSummary, Verdict
from tests.runner.test_cli_run import BROKEN, INVOICES, copy_project


@dataclass(frozen=True)
class Runs:
    project: Path
    good: RunSummary
    broken: RunSummary
    repeated: RunSummary
    unreviewed: RunSummary


def run_project(project: Path, config: RunConfig) -> RunSummary:
    outcome = evalkit.run(
        project / "evalkit.yaml",
        config,
        connection=Connection(),
        handle_interrupts=False,
    )
    return outcome.summary


def make_runs(tmp_path: Path) -> Runs:
    """The example project run as it is, then with the broken agent: once, three times each,
    and once without feedback."""
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is needed to apply the broken-agent patch")
    root = copy_project(tmp_path)
    project = root / "examples" / "invoices"
    good = run_project(project, RunConfig(out=tmp_path / "good", report=False))
    subprocess.run([git, "apply", str(INVOICES / "broken-agent.patch")], cwd=root, check=True)
    broken = run_project(project, RunConfig(out=tmp_path / "broken", report=False))
    repeated = run_project(project, RunConfig(out=tmp_path / "repeated", report=False, repeat=3))
    unreviewed = run_project(
        project, RunConfig(out=tmp_path / "unreviewed", report=False, feedback=False)
    )
    return Runs(project, good, broken, repeated, unreviewed)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    return make_runs(tmp_path_factory.mktemp("platform-baseline"))


@pytest.fixture
def client(runs: Runs) -> Iterator[EigenpalClient]:
    with open_planner(Connection(), project_root=runs.project) as planner:
        yield planner.client


def rebuilt(client: EigenpalClient, run: RunSummary, **options: Any) -> RunSummary:
    return baseline_from_batch(client, run.metadata.run_id, **options)


def _same_briefs(rebuilt_run: RunSummary, run: RunSummary) -> None:
    assert rebuilt_run.counts == run.counts
    assert rebuilt_run.pass_rate == run.pass_rate
    mine = {(b.agent, b.example): b for b in rebuilt_run.examples}
    theirs = {(b.agent, b.example): b for b in run.examples}
    assert sorted(mine) == sorted(theirs)
    for key, brief in theirs.items():
        read = mine[key]
        assert read.verdict is brief.verdict, key
        assert read.pass_count == brief.pass_count, key
        assert read.execution_id is not None
        assert (read.model_extra or {}).get("flaky") == (brief.model_extra or {}).get("flaky")
        # The body states the score to two decimals.
        assert read.score == pytest.approx(brief.score, abs=0.005), key
        assert read.attempt_scores == pytest.approx(brief.attempt_scores, abs=0.005), key


def test_a_batch_rebuilds_the_runs_verdicts_counts_and_scores(
    runs: Runs, client: EigenpalClient
) -> None:
    good = rebuilt(client, runs.good)
    broken = rebuilt(client, runs.broken)

    _same_briefs(good, runs.good)
    _same_briefs(broken, runs.broken)
    assert {b.example for b in broken.examples if b.verdict is not Verdict.PASS} == BROKEN
    assert broken.metadata.run_id == runs.broken.metadata.run_id
    assert broken.metadata.manifest_digest == runs.broken.metadata.manifest_digest
    assert broken.results_file == f"batch:{runs.broken.metadata.run_id}"
    assert "10 example(s) from 10 execution(s)" in broken.outcome
    # The execution ids are the run's own.
    assert {b.execution_id for b in broken.examples} == {
        b.execution_id for b in runs.broken.examples
    }


def test_repeats_are_read_as_the_run_combined_them(runs: Runs, client: EigenpalClient) -> None:
    repeated = rebuilt(client, runs.repeated)

    _same_briefs(repeated, runs.repeated)
    assert all(brief.trials == 3 for brief in repeated.examples)
    assert repeated.executions == 30
    assert repeated.minimum_detectable_drop == runs.repeated.minimum_detectable_drop


def test_the_rebuilt_baseline_classifies_as_the_summary_does(
    runs: Runs, client: EigenpalClient
) -> None:
    """The same classification as from a results file: the good run's batch as the baseline
    of the broken run gives the changes and deltas its summary.json gives."""
    from_file = weigh(runs.good, runs.repeated.examples, confidence=0.95)
    from_batch = weigh(rebuilt(client, runs.good), runs.repeated.examples, confidence=0.95)

    def kinds(changes: list[ExampleChange]) -> list[tuple[Any, ...]]:
        return sorted(
            (c.example, c.change, c.significant, c.passes_before, c.passes_after) for c in changes
        )

    assert kinds(from_batch.changes) == kinds(from_file.changes)
    assert [d.words for d in from_batch.deltas] == [d.words for d in from_file.deltas]


def test_the_agents_may_be_named_and_renamed(runs: Runs, client: EigenpalClient) -> None:
    renamed = rebuilt(client, runs.broken, agents={"invoice-extractor": "invoices"})
    assert {brief.agent for brief in renamed.examples} == {"invoices"}
    assert renamed.counts == runs.broken.counts
    only = rebuilt(client, runs.broken, agents=["invoice-extractor", "not-on-the-platform"])
    assert only.counts == runs.broken.counts


def test_an_unknown_batch_is_a_clear_usage_error(runs: Runs, client: EigenpalClient) -> None:
    with pytest.raises(BatchNotFound) as raised:
        baseline_from_batch(client, "run-that-never-was")
    message = str(raised.value)
    assert "'run-that-never-was'" in message
    assert "invoice-extractor" in message
    assert exit_code_for(raised.value) == ExitCode.USAGE
    # An agent that holds none of the batch: the same.
    with pytest.raises(BatchNotFound):
        baseline_from_batch(client, runs.good.metadata.run_id, agents=["nobody"])


def test_a_batch_without_feedback_has_no_verdicts_to_read(
    runs: Runs, client: EigenpalClient
) -> None:
    with pytest.raises(BatchNotFound, match="none of its 10 execution"):
        rebuilt(client, runs.unreviewed)


# Each execution, read by itself


def _execution(
    status: ExecutionStatus = ExecutionStatus.COMPLETED,
    *,
    rating: str | None = None,
    body: str = "",
    error: str | None = None,
) -> AgentExecutionSummary:
    feedback = (
        AgentExecutionFeedback.model_validate({"body": body, "rating": rating})
        if rating is not None
        else None
    )
    return AgentExecutionSummary.model_validate(
        {
            "id": "exec-1",
            "status": status.value,
            "createdAt": "2026-01-01T00:00:00.000Z",
            "error": error,
            "feedback": feedback.model_dump(by_alias=True) if feedback else None,
        }
    )


def _body(verdict: Verdict, score: float | None, error: ExampleError | None = None) -> str:
    return render_body(
        verdict=verdict, score=score, example="ex", run_id="run-1", comparison=None, error=error
    )


def test_the_body_tells_an_error_from_a_failure_and_gives_the_score() -> None:
    failed = _execution(rating="fail", body=_body(Verdict.FAIL, 0.5))
    assert read_verdict(failed) == (Verdict.FAIL, 0.5, None, None)
    timeout = ExampleError(kind=ErrorKind.TIMEOUT, message="gave up after 300 s")
    errored = _execution(
        ExecutionStatus.CANCELLED, rating="fail", body=_body(Verdict.ERROR, None, timeout)
    )
    verdict, score, error, missing = read_verdict(errored)
    assert (verdict, score, missing) == (Verdict.ERROR, None, None)
    assert error == timeout
    partial = _execution(rating="partial", body=_body(Verdict.PARTIAL, 0.875))
    assert read_verdict(partial)[:2] == (Verdict.PARTIAL, 0.87)  # the body floors: 0.875 reads 0.87


def test_a_reviewers_rating_wins_over_the_body_it_contradicts() -> None:
    overruled = _execution(rating="pass", body=_body(Verdict.FAIL, 0.5))
    assert read_verdict(overruled) == (Verdict.PASS, None, None, None)
    handwritten = _execution(rating="partial", body="looks mostly right")
    assert read_verdict(handwritten)[0] is Verdict.PARTIAL


def test_executions_without_feedback_are_errors_said_so_or_cancelled() -> None:
    failed = _execution(ExecutionStatus.FAILED, error="boom")
    verdict, _, error, missing = read_verdict(failed)
    assert verdict is Verdict.ERROR
    assert error is not None
    assert error.kind is ErrorKind.FAILED
    assert missing == "no evalkit feedback on the execution"
    completed = read_verdict(_execution())
    assert completed[0] is Verdict.ERROR
    assert "verdict is unknown" in (completed[3] or "")
    running = read_verdict(_execution(ExecutionStatus.RUNNING))
    assert running[0] is Verdict.ERROR
    assert "still running" in (running[3] or "")
    # An interrupted run cancels its executions and writes nothing: not judged, as in the run.
    assert read_verdict(_execution(ExecutionStatus.CANCELLED))[0] is Verdict.CANCELLED
