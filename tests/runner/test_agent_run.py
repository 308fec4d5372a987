"""An agent example's reads (polls, the execution, output downloads) outlast a platform that
fails for a while: an execution that completed is judged, never turned into an error by one
read too many that failed. A failure that lasts past the time limit is an error naming it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evalkit.emulator.faults import FaultConfig
from evalkit.runner.results import ErrorKind, Verdict
from evalkit.runner.session import RunStatus
from tests.runner.platform_harness import (
    FaultWindow,
    RunOutput,
    create_agent,
    job,
    local_platform,
    run_jobs,
)

OUTPUT = {"answer": 42}
#: GET of one execution: the polls and the final read (not the list, cancel or feedback)
EXECUTION_READS = r"/agents/executions/[^/]+$"
UNAVAILABLE = (503,)


def run_through(
    tmp_path: Path,
    faults: FaultConfig,
    answers: int,
    *,
    runtime: dict[str, Any] | None = None,
    expected_files: dict[str, Path] | None = None,
    timeout_seconds: float = 60.0,
) -> RunOutput:
    """One example whose calls matching ``faults`` fail ``answers`` times, then work. The
    client retries once by itself, so every such call fails for good at the client's level."""
    with local_platform(tmp_path / "platform") as running:
        create_agent(running, "steady", runtime or {"builtin": "fixed", "output": OUTPUT})
        window = FaultWindow(running, faults, answers)
        return run_jobs(
            running,
            [job("steady", "one", OUTPUT, expected_files=expected_files)],
            tmp_path / "run",
            max_retries=1,
            concurrency=1,
            timeout_seconds=timeout_seconds,
            hooks=window.hooks,
        )


def test_a_completed_execution_whose_reads_fail_for_a_while_is_judged(tmp_path: Path) -> None:
    faults = FaultConfig(error_rate=1.0, error_statuses=UNAVAILABLE, path_pattern=EXECUTION_READS)
    out = run_through(tmp_path, faults, answers=6)  # three reads, each failed for good
    (result,) = out.results
    assert result.error is None, result.error
    assert result.verdict is Verdict.PASS
    assert result.execution is not None
    assert result.execution.status == "completed"
    assert out.summary.status == RunStatus.PASSED.value
    traffic = out.summary.traffic
    assert traffic is not None
    assert traffic.server_errors == 6
    assert traffic.repeated == 3


def test_output_downloads_outlast_a_failing_platform_too(tmp_path: Path) -> None:
    expected = tmp_path / "doc.txt"
    expected.write_text("hello\n")
    faults = FaultConfig(error_rate=1.0, path_pattern=r"/files/output/")
    out = run_through(
        tmp_path,
        faults,
        answers=4,
        runtime={"builtin": "fixed", "output": OUTPUT, "files": {"doc.txt": "hello\n"}},
        expected_files={"doc.txt": expected},
    )
    (result,) = out.results
    assert result.error is None, result.error
    assert result.verdict is Verdict.PASS
    assert result.output_files == ["files/steady/one/doc.txt"]


def test_reads_failing_past_the_time_limit_end_as_an_error_naming_the_failure(
    tmp_path: Path,
) -> None:
    faults = FaultConfig(error_rate=1.0, error_statuses=UNAVAILABLE, path_pattern=EXECUTION_READS)
    out = run_through(tmp_path, faults, answers=10**9, timeout_seconds=4)
    (result,) = out.results
    assert result.verdict is Verdict.ERROR
    assert result.error is not None
    # Given up just before the limit (platform), or cut by it while a call was out (timeout).
    assert result.error.kind in (ErrorKind.PLATFORM, ErrorKind.TIMEOUT), result.error
    assert "called again" in result.error.message
    assert "HTTP 503" in result.error.message
