"""Whole runs against the local platform over HTTP: verdicts, feedback, errors, exit status."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from evalkit.client import AsyncEigenpalClient, EigenpalClient
from evalkit.emulator.server import RunningPlatform
from evalkit.errors import RunError
from evalkit.exit_codes import RUN_STATUS_CODES, RunStatus
from evalkit.runner.calls import ClientCalls
from evalkit.runner.comparing import compare_job
from evalkit.runner.config import RunConfig, RunIdentity
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.results import ErrorKind, RunSummary, Target, Verdict
from evalkit.runner.results_file import read_results_file
from evalkit.runner.session import PreparedRun, run_session
from evalkit.runner.summary_text import progress_line, render_summary
from tests.client.hostile import rewritten, start_hostile
from tests.runner.platform_harness import (
    API_KEY,
    create_agent,
    job,
    local_platform,
    run_jobs,
    sync_client,
)

INVOICE = {"vendor": "Acme", "total": 12.5, "lines": [{"sku": "A", "qty": 2}]}


def test_passing_and_broken_examples_with_feedback_visible_on_the_platform(
    tmp_path: Path,
) -> None:
    expected_csv = tmp_path / "lines.csv"
    expected_csv.write_text("sku,qty\nA,2\n")
    with local_platform(tmp_path / "platform") as running:
        good = {"builtin": "fixed", "output": INVOICE, "files": {"lines.csv": "sku,qty\nA,2\n"}}
        create_agent(running, "good", good)
        broken_output = {**INVOICE, "total": 13.0}
        broken = {"builtin": "fixed", "output": broken_output, "files": {"lines.csv": "sku,qty\n"}}
        create_agent(running, "broken", broken)
        jobs = [
            job("good", "ok", INVOICE, expected_files={"lines.csv": expected_csv}),
            job("broken", "regressed", INVOICE, expected_files={"lines.csv": expected_csv}),
        ]
        out = run_jobs(running, jobs, tmp_path / "run-a")
        results = out.by_name()
        assert results["ok"].verdict is Verdict.PASS
        assert results["regressed"].verdict in (Verdict.FAIL, Verdict.PARTIAL)
        comparison = results["regressed"].comparison
        assert comparison is not None
        assert [(d["pointer"], d["expected"], d["actual"]) for d in comparison["differences"]] == [
            ("/total", 12.5, 13.0)
        ]
        assert [(f["name"], f["status"]) for f in comparison["files"]] == [("lines.csv", "differ")]
        assert out.summary.status == RunStatus.GATE_FAILED.value
        documents = results["regressed"].model_extra or {}
        assert documents["expected_json"] == INVOICE
        assert documents["actual_json"] == broken_output
        assert out.summary.exit_code == RUN_STATUS_CODES[RunStatus.GATE_FAILED] == 1
        assert (
            tmp_path / "run-a" / "files" / "broken" / "regressed" / "lines.csv"
        ).read_text() == ("sku,qty\n")

        with sync_client(running) as client:
            bad_id = results["regressed"].execution.id  # type: ignore[union-attr]
            detail = client.agents.executions.get_feedback(bad_id)
            assert detail.feedback is not None
            assert detail.feedback.rating is not None
            assert detail.feedback.rating.value == results["regressed"].verdict.value
            assert detail.feedback.status is not None
            assert detail.feedback.status.value == "open"
            assert "| `/total` | changed | `12.5` | `13.0` |" in detail.feedback.body
            assert "`lines.csv` (csv): differ" in detail.feedback.body
            assert detail.expected == INVOICE
            assert [f.name for f in detail.expected_files] == ["lines.csv"]
            assert client.agents.executions.download_expected(bad_id, "lines.csv") == (
                b"sku,qty\nA,2\n"
            )
            good_id = results["ok"].execution.id  # type: ignore[union-attr]
            good_feedback = client.agents.executions.get_feedback(good_id).feedback
            assert good_feedback is not None
            assert good_feedback.status is not None
            assert good_feedback.status.value == "resolved"
            execution = client.agents.executions.get(good_id, include="files").execution
            assert execution.batch_id == "run-a"
            assert execution.metadata is not None
            assert execution.metadata["exampleName"] == "ok"


def test_failing_executions_are_errors_with_their_message_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    with local_platform(tmp_path / "platform") as running:
        create_agent(running, "good", {"builtin": "fixed", "output": {"a": 1}})
        create_agent(running, "crashy", {"builtin": "fail", "error": "parser exploded"})
        jobs = [job("crashy", "c1", {"a": 1}), job("good", "g1", {"a": 1})]
        out = run_jobs(running, jobs, tmp_path / "run-b")
    results = out.by_name()
    error = results["c1"].error
    assert error is not None
    assert error.kind is ErrorKind.FAILED
    assert "parser exploded" in error.message
    assert results["c1"].verdict is Verdict.ERROR
    assert results["c1"].feedback.rating == "fail"
    assert results["g1"].verdict is Verdict.PASS
    assert out.summary.counts.errors == 1
    assert out.summary.exit_code == 1


def test_a_slow_execution_times_out_and_is_cancelled_on_the_platform(tmp_path: Path) -> None:
    with local_platform(tmp_path / "platform") as running:
        create_agent(running, "slow", {"builtin": "fixed", "output": {}, "delayMs": 30_000})
        out = run_jobs(running, [job("slow", "s1", {})], tmp_path / "run-c", timeout_seconds=1)
        (result,) = out.results
        assert result.error is not None
        assert result.error.kind is ErrorKind.TIMEOUT
        assert "--timeout" in result.error.message
        assert result.execution is not None
        with sync_client(running) as client:
            status = client.agents.executions.get(result.execution.id).execution.status
        assert status.value == "cancelled"


def test_no_feedback_leaves_executions_unreviewed(tmp_path: Path) -> None:
    with local_platform(tmp_path / "platform") as running:
        create_agent(running, "good", {"builtin": "fixed", "output": {"a": 1}})
        out = run_jobs(running, [job("good", "g", {"a": 2})], tmp_path / "run-d", feedback=False)
        (result,) = out.results
        assert not result.feedback.written
        assert result.execution is not None
        with sync_client(running) as client:
            detail = client.agents.executions.get_feedback(result.execution.id)
        assert detail.feedback is None
        assert detail.expected is None


def test_a_wrong_api_key_is_an_infrastructure_failure(tmp_path: Path) -> None:
    with local_platform(tmp_path / "platform") as running:
        create_agent(running, "good", {"builtin": "fixed", "output": {"a": 1}})
        jobs = [job("good", f"g{i}", {"a": 1}) for i in range(5)]
        out = run_jobs(running, jobs, tmp_path / "run-e", api_key="eg_wrong", concurrency=1)
    assert sorted(r.example for r in out.results) == [f"g{i}" for i in range(5)]
    assert all(r.error is not None and r.error.kind is ErrorKind.AUTH for r in out.results)
    assert "eg_wrong" not in (tmp_path / "run-e" / "results.jsonl").read_text()
    assert out.summary.status == RunStatus.INFRASTRUCTURE.value
    assert out.summary.exit_code == 3
    assert out.summary.outcome.startswith("authentication failed")


def test_an_unknown_agent_is_an_error_that_says_to_sync(tmp_path: Path) -> None:
    with local_platform(tmp_path / "platform") as running:
        out = run_jobs(running, [job("missing", "m", {})], tmp_path / "run-f")
    (result,) = out.results
    assert result.error is not None
    assert result.error.kind is ErrorKind.START
    assert "evalkit sync" in result.error.message


def test_a_results_folder_is_never_reused(tmp_path: Path) -> None:
    run_dir = tmp_path / "run-g"
    run_dir.mkdir()
    (run_dir / "results.jsonl").write_text("")
    with local_platform(tmp_path / "platform") as running:
        create_agent(running, "good", {"builtin": "fixed", "output": {"a": 1}})
        with pytest.raises(RunError, match="already exists: choose another --out"):
            run_jobs(running, [job("good", "g", {"a": 1})], run_dir)


def _slow_run(
    running: RunningPlatform, examples: int, run_dir: Path
) -> tuple[list[ExampleJob], PreparedRun]:
    """``examples`` of an agent that takes a minute, run two at a time into ``run_dir``."""
    create_agent(running, "slow", {"builtin": "fixed", "output": {}, "delayMs": 60_000})
    jobs = [job("slow", f"s{i}", {}) for i in range(examples)]
    prepared = PreparedRun(
        config=RunConfig(concurrency=2, hold_seconds=0),
        identity=RunIdentity(run_id=run_dir.name, run_dir=run_dir),
        target=Target(kind="local", base_url=running.base_url),
        manifest="evalkit.yaml",
    )
    return jobs, prepared


def test_interrupt_cancels_in_flight_and_records_unstarted_examples(tmp_path: Path) -> None:
    with local_platform(tmp_path / "platform") as running:
        run_dir = tmp_path / "run-h"
        jobs, prepared = _slow_run(running, 6, run_dir)

        async def scenario() -> RunSummary:
            stop = asyncio.Event()
            async with AsyncEigenpalClient(api_key=API_KEY, base_url=running.base_url) as client:
                session = asyncio.create_task(
                    run_session(jobs, ClientCalls(client), compare_job, prepared, stop=stop)
                )
                while True:  # until both slots hold a running execution
                    page = await client.agents.executions.list("slow", status="running")
                    if page.total >= 2:
                        break
                    await asyncio.sleep(0.05)
                stop.set()
                return await session

        summary = asyncio.run(scenario())
        with sync_client(running) as client:
            statuses = [e.status.value for e in client.agents.executions.iter_list("slow")]
    assert summary.interrupted
    assert summary.exit_code == 130
    assert statuses == ["cancelled", "cancelled"]
    results = read_results_file(run_dir / "results.jsonl").results
    assert sorted(r.example for r in results) == [f"s{i}" for i in range(6)]
    assert {r.verdict for r in results} == {Verdict.CANCELLED}
    in_flight = [r for r in results if r.execution is not None]
    assert len(in_flight) == 2
    assert all("cancelled on the platform" in r.error.message for r in in_flight)  # type: ignore[union-attr]
    not_started = [r for r in results if r.execution is None]
    assert all(r.error is not None and "not started" in r.error.message for r in not_started)


def test_an_example_without_expected_json_says_its_output_json_was_not_checked(
    tmp_path: Path,
) -> None:
    table = tmp_path / "input" / "table.csv"
    table.parent.mkdir()
    table.write_text("sku,qty\nA,2\n")
    with local_platform(tmp_path / "platform") as running:
        # echo answers its scalar input as the output JSON and its input files as output files.
        create_agent(running, "echo", {"builtin": "echo"})
        files_only = dataclasses.replace(
            job("echo", "files-only", None, input_json={"total": "nonsense"}),
            has_expected_json=False,
            input_files={"table": table},
            expected_files={"table.csv": table},
        )
        both = dataclasses.replace(
            job("echo", "both", {"total": 3}, input_json={"total": 3}),
            input_files={"table": table},
            expected_files={"table.csv": table},
        )
        out = run_jobs(running, [files_only, both], tmp_path / "run-j", feedback=False)
    results = out.by_name()
    # Whatever the agent returned passed: the results and the summary must say so.
    assert results["files-only"].verdict is Verdict.PASS
    assert results["files-only"].output_json_checked is False
    assert results["both"].output_json_checked is True
    line = json.loads((tmp_path / "run-j" / "results.jsonl").read_text().splitlines()[0])
    assert "output_json_checked" in line
    briefs = {brief.example: brief for brief in out.summary.examples}
    assert (briefs["files-only"].output_json_checked, briefs["both"].output_json_checked) == (
        False,
        True,
    )
    assert progress_line(1, 2, results["files-only"]).endswith(" [output JSON not checked]")
    assert "not checked" not in progress_line(2, 2, results["both"])
    assert (
        "output JSON not checked (no expected JSON declared): echo/files-only"
        in render_summary(out.summary).splitlines()
    )


def nested(levels: int) -> object:
    value: object = "bottom"
    for _ in range(levels):
        value = [value]
    return value


def test_an_output_nested_300_levels_deep_is_judged_and_recorded(tmp_path: Path) -> None:
    """Issue 16: the results writer raised on an output nested 256 levels deep or more, and
    the run lost the example's line. The comparison is made on the whole output; the line
    keeps what it can hold (``runner.jsonl``), and reads back like any other.

    The local platform cannot serialise such an output itself (pydantic refuses 255 levels),
    so the execution's answer is given it on the way, as a remote platform would send it."""
    deep = {"answer": nested(300)}

    def deepen(value: Any) -> None:
        execution = value.get("execution") or {}
        if execution.get("status") == "completed":
            execution["output"] = deep

    with start_hostile() as hostile:
        hostile.script.answer("GET", r"/agents/executions/[^/]+$", rewritten(deepen))
        with EigenpalClient(api_key=hostile.api_key, base_url=hostile.base_url) as client:
            runtime = {"builtin": "fixed", "output": {"answer": "flat"}}
            client.agents.create(name="deep", slug="deep", config={"runtime": runtime})
        jobs = [job("deep", "same", deep), job("deep", "other", {"answer": "flat"})]
        out = run_jobs(hostile.running, jobs, tmp_path / "run", api_key=hostile.api_key)
    results = out.by_name()
    assert sorted(results) == ["other", "same"]
    assert out.summary.counts.total == 2
    assert results["same"].verdict is Verdict.PASS
    assert results["other"].verdict is Verdict.FAIL
    for result in results.values():
        assert result.error is None, result.error
    # The difference is on the execution; the other's expected JSON, 300 levels deep (more
    # than a manifest allows), is refused by the platform: a feedback failure, said.
    assert results["other"].feedback.written
    comparison = results["other"].comparison
    assert comparison is not None
    assert [d["pointer"] for d in comparison["differences"]] == ["/answer"]
    kept = (results["same"].model_extra or {})["actual_json"]["answer"]
    for _ in range(200):
        kept = kept[0]
    assert isinstance(kept, list)  # the first levels are there; the deepest are not


def test_a_stop_before_the_first_start_starts_nothing(tmp_path: Path) -> None:
    """Ctrl-C during the run's own sync (before any example started): the run stops there,
    recording every example as not started; none reaches the platform."""
    with local_platform(tmp_path / "platform") as running:
        run_dir = tmp_path / "run-s"
        jobs, prepared = _slow_run(running, 4, run_dir)

        async def scenario() -> RunSummary:
            stop = asyncio.Event()
            stop.set()
            async with AsyncEigenpalClient(api_key=API_KEY, base_url=running.base_url) as client:
                calls = ClientCalls(client)
                return await run_session(jobs, calls, compare_job, prepared, stop=stop)

        summary = asyncio.run(scenario())
        with sync_client(running) as client:
            started = list(client.agents.executions.iter_list("slow"))
    assert summary.interrupted
    assert summary.exit_code == 130
    assert started == []
    results = read_results_file(run_dir / "results.jsonl").results
    assert sorted(r.example for r in results) == [f"s{i}" for i in range(4)]
    assert all(r.verdict is Verdict.CANCELLED and r.execution is None for r in results)
    assert all(r.error is not None and "not started" in r.error.message for r in results)
