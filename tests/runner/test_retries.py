"""--retries and quarantine on the local platform: a pass on a retry is flaky, every attempt
gets its own feedback, and a quarantined example is reported but fails no gate."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from evalkit.api import AgentExecutionFeedbackDetail
from evalkit.client import AsyncEigenpalClient
from evalkit.runner.calls import ClientCalls
from evalkit.runner.comparing import compare_job
from evalkit.runner.config import RunConfig, RunIdentity
from evalkit.runner.evidence import weigh
from evalkit.runner.gates import GateConfig
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.results import ErrorKind, ExampleError, RunSummary, Target, Verdict, brief_of
from evalkit.runner.results_file import read_results_file
from evalkit.runner.retries import should_retry
from evalkit.runner.session import PreparedRun, counted_regressions, run_session
from tests.runner.conftest import make_result
from tests.runner.platform_harness import (
    API_KEY,
    create_agent,
    job,
    local_platform,
    run_jobs,
    sync_client,
)


@pytest.fixture(autouse=True)
def programs_share_a_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """The counting agent keeps its count outside its run, which the stronger agent isolations
    (docs/agent-runtime.md) rightly prevent: these platforms run programs as plain processes."""
    monkeypatch.setenv("EVALKIT_AGENT_ISOLATION", "process-group")


# Passes from the N-th run on: each run counts itself in a file named by its input.
COUNTING_AGENT = """
import json, pathlib
data = json.load(open("input.json"))
counter = pathlib.Path(data["counter"])
runs = int(counter.read_text()) + 1 if counter.exists() else 1
counter.write_text(str(runs))
print(json.dumps({"ok": runs >= data["passFrom"]}))
"""


def counting_job(
    tmp_path: Path, name: str, pass_from: int, tags: tuple[str, ...] = ()
) -> ExampleJob:
    inputs = {"counter": str(tmp_path / f"{name}.count"), "passFrom": pass_from}
    return job("counter", name, {"ok": True}, input_json=inputs)


def review(detail: AgentExecutionFeedbackDetail) -> tuple[str | None, str | None]:
    feedback = detail.feedback
    assert feedback is not None
    rating = feedback.rating.value if feedback.rating else None
    return rating, feedback.status.value if feedback.status else None


def runs_of(tmp_path: Path, name: str) -> int:
    # An execution is "running" before its program has counted itself: 0 until then.
    counter = tmp_path / f"{name}.count"
    return int(counter.read_text() or 0) if counter.exists() else 0


def test_a_pass_on_a_retry_is_flaky_and_every_attempt_has_its_own_feedback(
    tmp_path: Path,
) -> None:
    with local_platform(tmp_path / "platform") as running:
        create_agent(running, "counter", {"command": "python main.py"})
        with sync_client(running) as client:
            client.agents.put_file("counter", "main.py", content=COUNTING_AGENT)
        jobs = [
            counting_job(tmp_path, "steady", 1),
            counting_job(tmp_path, "flaky", 2),
            counting_job(tmp_path, "broken", 99),
        ]
        out = run_jobs(running, jobs, tmp_path / "run", retries=2)
        results = out.by_name()
        with sync_client(running) as client:
            earlier = results["flaky"].model_extra["earlier_attempts"]  # type: ignore[index]
            first = client.agents.executions.get_feedback(earlier[0]["execution_id"])
            last_ref = results["flaky"].execution
            assert last_ref is not None
            last = client.agents.executions.get_feedback(last_ref.id)

    assert [runs_of(tmp_path, name) for name in ("steady", "flaky", "broken")] == [1, 2, 3]
    assert results["steady"].verdict is Verdict.PASS
    assert "flaky" not in (results["steady"].model_extra or {})
    assert results["flaky"].verdict is Verdict.PASS
    assert results["flaky"].model_extra["flaky"] is True  # type: ignore[index]
    assert [a["verdict"] for a in earlier] == ["fail"]
    assert earlier[0]["execution_id"] != last_ref.id
    assert earlier[0]["feedback_written"] is True
    assert earlier[0]["total_ms"] >= 0
    # Each execution carries its own verdict: the failed attempt stays open for review.
    assert review(first) == ("fail", "open")
    assert review(last) == ("pass", "resolved")

    broken = results["broken"]
    assert broken.verdict is Verdict.FAIL
    assert "flaky" not in (broken.model_extra or {})
    assert len(broken.model_extra["earlier_attempts"]) == 2  # type: ignore[index]
    # A flaky pass counts as a pass; the summary's brief says it was flaky.
    assert out.summary.counts.passed == 2
    briefs = {brief.example: brief for brief in out.summary.examples}
    assert (briefs["flaky"].model_extra or {}).get("flaky") is True


def test_without_retries_nothing_runs_twice(tmp_path: Path) -> None:
    with local_platform(tmp_path / "platform") as running:
        create_agent(running, "counter", {"command": "python main.py"})
        with sync_client(running) as client:
            client.agents.put_file("counter", "main.py", content=COUNTING_AGENT)
        out = run_jobs(running, [counting_job(tmp_path, "flaky", 2)], tmp_path / "run")
    assert runs_of(tmp_path, "flaky") == 1
    (result,) = out.results
    assert result.verdict is Verdict.FAIL
    assert "earlier_attempts" not in (result.model_extra or {})


def test_a_quarantined_example_runs_and_is_reported_but_fails_no_gate(tmp_path: Path) -> None:
    with local_platform(tmp_path / "platform") as running:
        create_agent(running, "fixed", {"builtin": "fixed", "output": {"ok": True}})
        jobs = [
            job("fixed", "good", {"ok": True}),
            job("fixed", "known-bad", {"ok": False}, tags=("quarantine",)),
        ]
        out = run_jobs(running, jobs, tmp_path / "run", retries=0, gates=GateConfig(max_failures=0))
    results = out.by_name()
    bad = results["known-bad"]
    assert bad.verdict in (Verdict.FAIL, Verdict.PARTIAL)
    assert bad.execution is not None  # it did run
    assert (bad.model_extra or {}).get("quarantined") is True
    assert "quarantined" not in (results["good"].model_extra or {})
    summary = out.summary
    assert summary.counts.total == 2  # reported in the counts ...
    assert summary.exit_code == 0  # ... but judged by no gate
    assert [(g.name, g.passed, g.actual) for g in summary.gates] == [("max_failures", True, 0)]


def test_a_quarantined_regression_is_not_a_regression() -> None:
    before = make_result("x", Verdict.PASS)
    now = make_result("x", Verdict.FAIL, quarantined=True)
    baseline = RunSummary.model_validate(
        {
            "metadata": {
                "run_id": "r",
                "evalkit_version": "0",
                "manifest": "m",
                "target": {"kind": "local", "base_url": "http://x"},
                "started_at": "t",
                "concurrency": 1,
                "timeout_seconds": 1,
                "feedback": True,
            },
            "counts": {},
            "pass_rate": 1,
            "exit_code": 0,
            "status": "passed",
            "outcome": "",
            "results_file": "r",
            "examples": [brief_of(before).to_dict()],
        }
    )
    current = [brief_of(now)]
    assert counted_regressions(weigh(baseline, current, confidence=0.95), current) == []
    plain = [brief_of(make_result("x", Verdict.FAIL))]
    assert counted_regressions(weigh(baseline, plain, confidence=0.95), plain) != []


def test_which_outcomes_are_retried() -> None:
    def error(kind: ErrorKind) -> ExampleError:
        return ExampleError(kind=kind, message="m")

    assert not should_retry(make_result("a", Verdict.PASS))
    assert not should_retry(make_result("a", Verdict.CANCELLED))
    assert should_retry(make_result("a", Verdict.FAIL))
    assert should_retry(make_result("a", Verdict.PARTIAL))
    assert should_retry(make_result("a", Verdict.ERROR, error=error(ErrorKind.FAILED)))
    assert should_retry(make_result("a", Verdict.ERROR, error=error(ErrorKind.TIMEOUT)))
    for kind in (ErrorKind.AUTH, ErrorKind.UNREACHABLE, ErrorKind.INPUT):
        assert not should_retry(make_result("a", Verdict.ERROR, error=error(kind)))


# Fails at once the first time; the retry runs until it is cancelled.
FAIL_THEN_HANG = """
import json, pathlib, time
data = json.load(open("input.json"))
counter = pathlib.Path(data["counter"])
runs = int(counter.read_text()) + 1 if counter.exists() else 1
counter.write_text(str(runs))
if runs >= 2:
    time.sleep(120)
print(json.dumps({"ok": False}))
"""


def test_an_interrupt_during_a_retry_cancels_the_retry_execution(tmp_path: Path) -> None:
    with local_platform(tmp_path / "platform") as running:
        create_agent(running, "counter", {"command": "python main.py"})
        with sync_client(running) as client:
            client.agents.put_file("counter", "main.py", content=FAIL_THEN_HANG)
        run_dir = tmp_path / "run"
        prepared = PreparedRun(
            config=RunConfig(concurrency=2, hold_seconds=0, retries=3),
            identity=RunIdentity(run_id="run", run_dir=run_dir),
            target=Target(kind="local", base_url=running.base_url),
            manifest="evalkit.yaml",
        )
        jobs = [counting_job(tmp_path, "hangs", 1)]

        async def scenario() -> RunSummary:
            stop = asyncio.Event()
            async with AsyncEigenpalClient(api_key=API_KEY, base_url=running.base_url) as client:
                session = asyncio.create_task(
                    run_session(jobs, ClientCalls(client), compare_job, prepared, stop=stop)
                )
                while True:  # until the retry's execution is running
                    page = await client.agents.executions.list("counter", status="running")
                    if page.total >= 1 and runs_of(tmp_path, "hangs") == 2:
                        break
                    await asyncio.sleep(0.05)
                stop.set()
                return await session

        summary = asyncio.run(scenario())
        with sync_client(running) as client:
            statuses = sorted(e.status.value for e in client.agents.executions.iter_list("counter"))
    assert summary.exit_code == 130
    assert statuses == ["cancelled", "completed"]  # the first attempt, then the retry
    assert runs_of(tmp_path, "hangs") == 2  # no third attempt after the interrupt
    (result,) = read_results_file(run_dir / "results.jsonl").results
    assert result.verdict is Verdict.CANCELLED
    assert result.error is not None
    assert "cancelled on the platform" in result.error.message
