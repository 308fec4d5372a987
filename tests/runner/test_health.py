"""The run-level circuit: when nothing is answered for ``down_after`` seconds while calls fail,
the platform is down and the run stops (exit code 3) naming what has no verdict, instead of
every example waiting out its own time limit."""

from __future__ import annotations

from pathlib import Path

from evalkit.client.errors import EigenpalServerError
from evalkit.emulator.faults import FaultConfig
from evalkit.exit_codes import RunStatus
from evalkit.runner.health import PlatformHealth
from evalkit.runner.results import ErrorKind, Verdict
from evalkit.runner.summary_text import render_summary
from tests.runner.platform_harness import create_agent, job, local_platform, run_jobs

OUTPUT = {"answer": 42}
EXAMPLES = 6


def test_a_platform_that_answers_nothing_but_errors_stops_the_run(tmp_path: Path) -> None:
    with local_platform(tmp_path / "platform") as running:
        create_agent(running, "steady", {"builtin": "fixed", "output": OUTPUT})
        running.platform.faults.reconfigure(
            FaultConfig(error_rate=1.0, path_pattern=r"/run$|/executions", seed=5)
        )
        jobs = [job("steady", f"ex{index}", OUTPUT) for index in range(EXAMPLES)]
        out = run_jobs(
            running,
            jobs,
            tmp_path / "run",
            max_retries=0,
            concurrency=2,
            timeout_seconds=600,
            down_after_seconds=2,
        )
    summary = out.summary
    assert summary.status == RunStatus.INFRASTRUCTURE.value
    assert summary.exit_code == 3
    assert summary.outcome.startswith("platform unreachable: ")
    assert "no answer from the platform for" in summary.outcome
    assert summary.outcome.endswith(f"({EXAMPLES} of {EXAMPLES} examples without a verdict)")
    assert sorted(result.example for result in out.results) == [f"ex{i}" for i in range(EXAMPLES)]
    for result in out.results:
        assert result.verdict is Verdict.ERROR
        assert result.error is not None
        assert result.error.kind is ErrorKind.UNREACHABLE, result.error
    text = render_summary(summary, out.results)
    assert "unreachable: " in text  # each example without a verdict is listed with why


def test_any_answer_closes_the_gap_a_failure_opened() -> None:
    now = [0.0]
    health = PlatformHealth(down_after=10, clock=lambda: now[0])
    failure = EigenpalServerError("busy", status=503)
    health.failed(failure)
    now[0] = 9
    health.answered()
    now[0] = 15
    health.failed(failure)  # failing since 15 s, not since 0 s
    health.check()
    now[0] = 24
    health.failed(failure)
    health.check()
    assert health.down is None
    now[0] = 25
    health.failed(failure)
    assert health.down is not None
