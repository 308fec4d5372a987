"""The feedback write (body, expected JSON, expected files) outlasts a platform that fails for a
while; a write that fails for good is said in the results, the summary, its outcome and the
closing lines, and fails no gate: the verdicts stand."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.emulator.faults import FaultConfig
from evalkit.exit_codes import RunStatus
from evalkit.runner.results import Verdict
from evalkit.runner.summary_text import progress_line, render_summary
from tests.runner.platform_harness import (
    FaultWindow,
    RunOutput,
    create_agent,
    job,
    local_platform,
    run_jobs,
    sync_client,
)

OUTPUT = {"answer": 42}
RUNTIME = {"builtin": "fixed", "output": OUTPUT, "files": {"doc.txt": "hello\n"}}


def run_two(
    tmp_path: Path, faults: FaultConfig, answers: int, *, timeout_seconds: float = 60.0
) -> tuple[RunOutput, dict[str, list[str]]]:
    """Two passing examples with an expected file, the calls matching ``faults`` failing
    ``answers`` times; also the expected files each execution holds afterwards."""
    expected = tmp_path / "doc.txt"
    expected.write_text("hello\n")
    with local_platform(tmp_path / "platform") as running:
        create_agent(running, "steady", RUNTIME)
        window = FaultWindow(running, faults, answers)
        jobs = [job("steady", name, OUTPUT, expected_files={"doc.txt": expected}) for name in "ab"]
        out = run_jobs(
            running,
            jobs,
            tmp_path / "run",
            max_retries=1,
            concurrency=1,
            timeout_seconds=timeout_seconds,
            hooks=window.hooks,
        )
        running.platform.faults.reconfigure(FaultConfig())
        stored: dict[str, list[str]] = {}
        with sync_client(running) as client:
            for result in out.results:
                assert result.execution is not None
                detail = client.agents.executions.list_expected(result.execution.id)
                stored[result.example] = [item.name for item in detail.files]
    return out, stored


def test_expected_uploads_that_fail_for_a_while_are_made_again_until_they_land(
    tmp_path: Path,
) -> None:
    faults = FaultConfig(error_rate=1.0, path_pattern=r"/expected$")
    out, stored = run_two(tmp_path, faults, answers=6)  # three uploads fail for good
    assert stored == {"a": ["doc.txt"], "b": ["doc.txt"]}
    for result in out.results:
        assert result.feedback.error is None, result.feedback.error
        assert result.feedback.written
        assert result.feedback.expected_files == ["doc.txt"]
    assert out.summary.feedback_failures == []
    assert "feedback" not in out.summary.outcome


@pytest.mark.parametrize(
    ("pattern", "part"),
    [
        (r"/feedback$", "writing the feedback and the expected JSON"),
        (r"/expected$", "uploading expected file 'doc.txt'"),
    ],
)
def test_a_write_that_fails_for_good_is_reported_but_fails_no_gate(
    tmp_path: Path, pattern: str, part: str
) -> None:
    faults = FaultConfig(error_rate=1.0, path_pattern=pattern)
    out, stored = run_two(tmp_path, faults, answers=10**9, timeout_seconds=3)
    assert stored == {"a": [], "b": []}
    for result in out.results:
        assert result.verdict is Verdict.PASS
        error = result.feedback.error
        assert error is not None
        assert error.startswith(f"{part} (called again ")
        assert "HTTP 5" in error
        assert "[feedback not written]" in progress_line(1, 2, result)
    summary = out.summary
    assert [(b.example, b.feedback_error) for b in summary.feedback_failures] == [
        (result.example, result.feedback.error) for result in out.results
    ]
    assert [b.feedback_error is not None for b in summary.examples] == [True, True]
    # The verdicts are right: the gate passes, and the outcome says what is missing.
    assert summary.status == RunStatus.PASSED.value
    assert summary.exit_code == 0
    assert summary.outcome.endswith("; feedback not written for 2 examples (the verdicts stand)")
    text = render_summary(summary)
    assert (
        "warning: feedback not written for 2 examples (the verdicts stand; see feedback.error "
        "in the results):" in text
    )
    assert f"  steady/a: {part}" in text
