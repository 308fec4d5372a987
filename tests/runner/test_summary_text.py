"""Terminal text: plain progress lines and the closing summary."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from evalkit.runner.results import (
    Counts,
    Durations,
    ErrorKind,
    ExampleError,
    GateOutcome,
    Traffic,
    Verdict,
    brief_of,
)
from evalkit.runner.summary_text import progress_line, render_summary
from tests.runner.conftest import make_result, summary_with
from tests.runner.platform_harness import create_agent, job, local_platform, run_jobs


def test_progress_line_shows_position_verdict_score_time_and_error() -> None:
    ok = make_result("a", Verdict.PASS, durations=Durations(total_ms=1500))
    assert progress_line(3, 12, ok) == "[ 3/12] pass      agent-a/a score 1.00 (1.5 s)"
    broken = make_result(
        "b",
        Verdict.ERROR,
        score=None,
        error=ExampleError(kind=ErrorKind.FAILED, message="execution failed: boom\ntrace"),
    )
    assert progress_line(12, 12, broken).endswith(
        "agent-a/b (0.0 s): execution failed: boom … trace"
    )


def test_a_crashed_program_shows_its_exception_not_only_its_exit_code() -> None:
    stderr = 'Traceback (most recent call last):\n  File "main.py", line 5\nRuntimeError: boom\n'
    crashed = make_result(
        "c",
        Verdict.ERROR,
        score=None,
        error=ExampleError(kind=ErrorKind.FAILED, message=f"exit code 1\n{stderr}"),
    )
    assert progress_line(1, 1, crashed).endswith(": exit code 1 … RuntimeError: boom")
    summary = summary_with(brief_of(crashed))
    assert "failed: exit code 1 … RuntimeError: boom" in render_summary(summary, [crashed])


def test_summary_lists_problems_with_their_first_difference_then_gates() -> None:
    failing = make_result(
        "f",
        Verdict.FAIL,
        comparison={
            "differences": [
                {"pointer": "/total", "kind": "changed", "expected": 10, "actual": "x" * 60},
                {"pointer": "/tax", "kind": "changed"},
            ],
            "files": [{"name": "x.csv", "status": "missing"}],
        },
    )
    passing = make_result("p", Verdict.PASS)
    summary = summary_with(brief_of(passing), brief_of(failing))
    summary.counts = Counts(total=2, passed=1, failed=1)
    summary.pass_rate = 0.5
    summary.gates = [
        GateOutcome(name="min_pass_rate", passed=False, limit=1, actual=0.5, message="50% < 100%"),
        GateOutcome(
            name="max_regressions",
            passed=True,
            limit=0,
            actual=0,
            message="regressions not checked: no baseline given (--baseline)",
            checked=False,
        ),
    ]
    text = render_summary(summary, [failing])
    lines = text.splitlines()
    assert lines[0].split() == ["verdict", "example", "score", "detail"]
    assert lines[1].split(maxsplit=3) == [
        "fail",
        "agent-a/f",
        "0.00",
        '/total changed: 10 -> "' + "x" * 38 + "… (+1 more); file x.csv missing",
    ]
    assert "agent-a/p" not in text
    assert "2 example(s): 1 pass, 0 partial, 1 fail, 0 error; pass rate 50.0%" in lines
    assert "gate min_pass_rate: FAILED: 50% < 100%" in lines
    # an unchecked gate is no "ok"
    assert "gate max_regressions: regressions not checked: no baseline given (--baseline)" in lines
    assert lines[-1] == "results: results.jsonl"


def test_summary_names_flaky_and_quarantined_examples() -> None:
    flaky = make_result("shaky", Verdict.PASS, flaky=True)
    quarantined = make_result("known-bad", Verdict.FAIL, quarantined=True)
    plain = make_result("fine", Verdict.PASS)
    summary = summary_with(brief_of(flaky), brief_of(quarantined), brief_of(plain))
    lines = render_summary(summary).splitlines()
    assert "flaky (passed on a retry): agent-a/shaky" in lines
    assert "quarantined (judged by no gate): agent-a/known-bad" in lines
    assert not any("agent-a/fine" in line for line in lines)


def test_progress_line_marks_flaky_and_quarantined_examples() -> None:
    flaky = make_result("a", Verdict.PASS, flaky=True, durations=Durations(total_ms=100))
    assert progress_line(1, 2, flaky) == "[1/2] pass      agent-a/a score 1.00 (0.1 s) [flaky]"
    quarantined = make_result("b", Verdict.FAIL, quarantined=True)
    assert progress_line(2, 2, quarantined).endswith("(0.0 s) [quarantined]")


def test_a_near_perfect_partial_never_reads_as_a_pass_on_a_real_run(tmp_path: Path) -> None:
    """One row of 20,000 wrong in a CSV file scores 0.99998; an unexpected key leaves the
    score at 1.0. Both are partial, and neither may be printed as 'score 1.00'."""
    rows = "id,name,amount\n" + "".join(f"{i},n{i},{i * 3}\n" for i in range(20_000))
    expected = tmp_path / "expected" / "rows.csv"
    actual = tmp_path / "input" / "rows.csv"
    for path, text in (
        (expected, rows),
        (actual, rows.replace("\n777,n777,2331\n", "\n777,n777,0\n")),
    ):
        path.parent.mkdir()
        path.write_text(text)
    with local_platform(tmp_path / "platform") as running:
        create_agent(running, "echo", {"builtin": "echo"})
        one_row = dataclasses.replace(
            job("echo", "one-row", None, expected_files={"rows.csv": expected}),
            has_expected_json=False,
            input_files={"table": actual},
        )
        extra_key = job("echo", "extra-key", {"ok": True}, input_json={"ok": True, "note": "x"})
        out = run_jobs(running, [one_row, extra_key], tmp_path / "run", feedback=False)
    results = out.by_name()
    assert {result.verdict for result in results.values()} == {Verdict.PARTIAL}
    assert results["one-row"].score == pytest.approx(1 - 1 / 60_000)  # 1 cell of 60,000
    assert results["extra-key"].score == 1.0
    assert {brief.example: brief.differences for brief in out.summary.examples} == {
        "one-row": 1,
        "extra-key": 1,
    }

    lines = {name: progress_line(1, 2, result) for name, result in results.items()}
    assert "echo/one-row score ≈1.00, 1 difference (" in lines["one-row"]
    assert "echo/extra-key score 1.00, 1 difference (" in lines["extra-key"]
    table = render_summary(out.summary, out.results).splitlines()
    rows_shown = {line.split()[1]: line for line in table if line.startswith("partial")}
    assert "  ≈1.00, 1 difference  " in rows_shown["echo/one-row"]
    assert "  1.00, 1 difference  " in rows_shown["echo/extra-key"]
    for text in (*lines.values(), *table):
        assert not re.search(r"(score |  )1\.00( |$)", text), text


def test_how_the_platform_answered_is_said_only_when_it_misbehaved() -> None:
    summary = summary_with(brief_of(make_result("a", Verdict.PASS)))
    summary.traffic = Traffic(requests=12)
    assert "platform:" not in render_summary(summary)
    summary.traffic = Traffic(
        requests=1340, server_errors=250, rate_limited=37, unanswered=37, repeated=31
    )
    assert (
        "platform: 1340 requests, 250 answered 5xx, 37 answered 429, 37 without an answer; "
        "31 calls made again by evalkit after the client's own retries"
    ) in render_summary(summary).splitlines()


def test_a_run_with_repeats_and_a_baseline_says_the_evidence(tmp_path: Path) -> None:
    """Issue 12 in the terminal: k/n per problem, flaky as mixed outcomes, the deltas in words,
    the noise apart, what the run could detect and the executions --confirm saved."""
    from tests.report.sample_runs import repeated_run

    run = repeated_run(tmp_path)
    assert run.summary is not None
    lines = render_summary(run.summary, run.results).splitlines()
    assert lines[0].split() == ["verdict", "example", "score", "passes", "detail"]
    assert any(line.startswith("fail") and " 0/8 " in line for line in lines)
    assert (
        "flaky (mixed outcomes over its attempts): invoice-extractor/brightside-rounding-cent "
        "5/8, receipt-reader/sakura-japan-jpy 2/3"
    ) in lines
    assert (
        "regression: invoice-extractor/alpenblick-swiss-chf-export now fail "
        "(5/5 → 0/8 passed, mean score 1.00 → 0.40, p = 0.00078)"
    ) in lines
    assert (
        "against the baseline, the run: pass rate 89% → 70% (−19 points, 95% CI −55 to +19): "
        "not distinguishable from noise; mean score 0.95 → 0.84 (−0.11, 95% CI −0.30 to +0.07)"
    ) in lines
    assert any(
        line.startswith("noise (moved, not significantly): invoice-extractor/bri") for line in lines
    )
    assert (
        "with 10 examples × 4 attempts this run could detect a pass-rate drop of 29 points or "
        "more (95% confidence, 80% power)"
    ) in lines
    assert "used 40 executions where a fixed repeat of 8 would use 80: 50% saved" in lines
    line = progress_line(1, 10, run.results[2])
    assert "score 0.77 5/8 passed (rule rate 0.6, adaptive) ✓✗✓✗✓✓✗✓" in line
    assert line.endswith("[flaky]")


def test_runs_without_repeats_read_as_before(tmp_path: Path) -> None:
    from tests.report.sample_runs import failing_variant

    run = failing_variant(tmp_path)
    assert run.summary is not None
    text = render_summary(run.summary, run.results)
    assert text.splitlines()[0].split() == ["verdict", "example", "score", "detail"]
    assert "flaky (passed on a retry): invoice-extractor/brightside-rounding-cent" in text
    for absent in ("against the baseline,", "noise", "could detect", "executions"):
        assert absent not in text
