"""One example start to finish: its work runs in its own task, within its time limits."""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from pathlib import Path
from typing import Any

import pytest

from evalkit.runner import execute
from evalkit.runner.agent_run import run_agent
from evalkit.runner.execute import within
from evalkit.runner.feedback_write import write_feedback
from evalkit.runner.results import ErrorKind, Verdict
from tests.runner.platform_harness import create_agent, job, local_platform, run_jobs

OUTPUT = {"answer": 42}


@pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio.timeout is Python 3.11+")
def test_an_example_starts_and_writes_back_in_its_own_task(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No task of its own for the work under a time limit: such a task's first step waits
    behind every task ready to run, so a freed slot's start went out a whole wave later."""
    tasks: dict[str, list[asyncio.Task[Any] | None]] = {"run": [], "feedback": []}

    async def run_agent_noting(*args: Any) -> Any:
        tasks["run"].append(asyncio.current_task())
        return await run_agent(*args)

    async def write_feedback_noting(*args: Any) -> Any:
        tasks["feedback"].append(asyncio.current_task())
        return await write_feedback(*args)

    monkeypatch.setattr(execute, "run_agent", run_agent_noting)
    monkeypatch.setattr(execute, "write_feedback", write_feedback_noting)
    with local_platform(tmp_path / "platform") as running:
        create_agent(running, "steady", {"builtin": "fixed", "output": OUTPUT})
        jobs = [job("steady", f"e{n}", OUTPUT) for n in range(3)]
        out = run_jobs(running, jobs, tmp_path / "run", concurrency=3)
    assert [result.verdict for result in out.results] == [Verdict.PASS] * 3
    assert all(result.feedback.written for result in out.results)
    assert len(set(tasks["run"])) == 3
    assert set(tasks["run"]) == set(tasks["feedback"])


def test_work_past_its_time_is_stopped_with_timeout_error() -> None:
    stopped: list[str] = []

    async def slow() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            stopped.append("cancelled inside")
            raise

    async def go() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await within(0.01, slow())
        assert await within(5, asyncio.sleep(0, "done")) == "done"

    asyncio.run(go())
    assert stopped == ["cancelled inside"]


def test_an_example_past_its_time_limit_is_a_timeout_error(tmp_path: Path) -> None:
    with local_platform(tmp_path / "platform") as running:
        create_agent(running, "slow", {"builtin": "fixed", "output": {}, "delayMs": 30_000})
        create_agent(running, "steady", {"builtin": "fixed", "output": OUTPUT})
        jobs = [job("slow", "s1", {}), job("steady", "fine", OUTPUT)]
        out = run_jobs(running, jobs, tmp_path / "run", timeout_seconds=1)
    results = out.by_name()
    error = results["s1"].error
    assert error is not None
    assert error.kind is ErrorKind.TIMEOUT
    assert results["fine"].verdict is Verdict.PASS


def test_an_examples_notes_are_carried_into_its_result_only_when_it_has_some(
    tmp_path: Path,
) -> None:
    """The reports show an example's notes (its ``notes:`` or README.md) from its result."""
    with local_platform(tmp_path / "platform") as running:
        create_agent(running, "steady", {"builtin": "fixed", "output": OUTPUT})
        noted = dataclasses.replace(job("steady", "noted", {"answer": 41}), notes="Why: see #12")
        out = run_jobs(running, [noted, job("steady", "plain", OUTPUT)], tmp_path / "run")
    results = out.by_name()
    assert (results["noted"].model_extra or {}).get("notes") == "Why: see #12"
    assert results["noted"].verdict is Verdict.FAIL  # a failure keeps them too
    assert "notes" not in results["plain"].to_dict()  # results files without them read as before
