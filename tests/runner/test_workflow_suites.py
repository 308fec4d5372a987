"""Workflow suites run like agent examples: start, wait, compare the result; no feedback."""

from __future__ import annotations

from pathlib import Path

from evalkit.compare.rules import CompareSpec
from evalkit.emulator.faults import FaultConfig
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.results import ErrorKind, Verdict
from tests.runner.platform_harness import FaultWindow, create_agent, local_platform, run_jobs

WORKFLOW = """
name: totals
steps:
  - id: extract
    agent: adder
  - id: shape
    builtin: fixed
    output: {total: "${steps.extract.output.total}", currency: "${input.currency}"}
"""

BROKEN = """
name: broken
steps:
  - id: boom
    builtin: fail
    error: "step boom failed on purpose"
"""


def workflow_job(workflow: str, name: str, expected: object) -> ExampleJob:
    return ExampleJob(
        kind="workflow",
        platform_name=workflow,
        suite=workflow,
        name=name,
        input_json={"currency": "EUR"},
        expected_json=expected,
        compare=CompareSpec(),
        version="latest",
    )


def test_workflow_examples_are_compared_and_errors_recorded(tmp_path: Path) -> None:
    workflows = tmp_path / "workflows"
    workflows.mkdir()
    (workflows / "totals.yaml").write_text(WORKFLOW)
    (workflows / "broken.yaml").write_text(BROKEN)
    with local_platform(tmp_path / "platform", workflows_dir=workflows) as running:
        create_agent(running, "adder", {"builtin": "fixed", "output": {"total": 7}})
        jobs = [
            workflow_job("totals", "right", {"total": 7, "currency": "EUR"}),
            workflow_job("totals", "wrong", {"total": 8, "currency": "EUR"}),
            workflow_job("broken", "fails", {}),
        ]
        out = run_jobs(running, jobs, tmp_path / "run-wf")
    results = out.by_name()
    assert results["right"].verdict is Verdict.PASS
    assert results["right"].kind == "workflow"
    assert results["wrong"].verdict in (Verdict.FAIL, Verdict.PARTIAL)
    comparison = results["wrong"].comparison
    assert comparison is not None
    assert [(d["pointer"], d["expected"], d["actual"]) for d in comparison["differences"]] == [
        ("/total", 8, 7)
    ]
    error = results["fails"].error
    assert error is not None
    assert error.kind is ErrorKind.FAILED
    assert "failed on purpose" in error.message
    assert not any(result.feedback.written for result in out.results)
    link = results["right"].execution.link  # type: ignore[union-attr]
    assert "/api/v1/workflows/executions/" in link


SLOW = """
name: slow
steps:
  - id: nap
    builtin: sleep
    seconds: 0.5
  - id: shape
    builtin: fixed
    output: {v: 1}
"""


def test_workflow_polls_outlast_a_platform_that_fails_for_a_while(tmp_path: Path) -> None:
    workflows = tmp_path / "workflows"
    workflows.mkdir()
    (workflows / "slow.yaml").write_text(SLOW)
    with local_platform(tmp_path / "platform", workflows_dir=workflows) as running:
        faults = FaultConfig(error_rate=1.0, path_pattern=r"/workflows/executions/[^/]+$")
        window = FaultWindow(running, faults, answers=6)  # three polls fail for good
        out = run_jobs(
            running,
            [workflow_job("slow", "one", {"v": 1})],
            tmp_path / "run-wf",
            hold_seconds=0,  # answered at once: the run is polled
            max_retries=1,
            hooks=window.hooks,
        )
    (result,) = out.results
    assert result.error is None, result.error
    assert result.verdict is Verdict.PASS
    assert window.left == 0
