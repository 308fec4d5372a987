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
    ExampleChange,
    ExampleError,
    ExampleResult,
    GateOutcome,
    Traffic,
    Verdict,
    brief_of,
)
from evalkit.runner.summary_text import (
    change_label,
    change_text,
    drop_text,
    p_text,
    p_value_text,
    progress_line,
    render_summary,
    scorer_message,
)
from tests.runner.conftest import make_result, summary_with
from tests.runner.platform_harness import create_agent, job, local_platform, run_jobs


def test_progress_line_shows_position_verdict_score_time_and_error() -> None:
    ok = make_result("a", Verdict.PASS, durations=Durations(total_ms=1500))
    assert progress_line(3, 12, ok) == "[ 3/12] pass      agent-a/a score 1.00 (1.50 s)"
    broken = make_result(
        "b",
        Verdict.ERROR,
        score=None,
        error=ExampleError(kind=ErrorKind.FAILED, message="execution failed: boom\ntrace"),
    )
    assert progress_line(12, 12, broken).endswith(
        "agent-a/b (0 ms): execution failed: boom … trace"
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
    assert progress_line(1, 2, flaky) == "[1/2] pass      agent-a/a score 1.00 (0.10 s) [flaky]"
    quarantined = make_result("b", Verdict.FAIL, quarantined=True)
    assert progress_line(2, 2, quarantined).endswith("(0 ms) [quarantined]")


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
        "(5/5 → 0/8 passed, mean score 1.00 → 0.40, p = 0.00078, Fisher's exact test on pass "
        "counts)"
    ) in lines
    run_line = next(line for line in lines if line.startswith("against the baseline, the run:"))
    # with repeats the delta's rate is the attempts' (the run's own pass rate is the examples')
    assert run_line.startswith("against the baseline, the run: attempt pass rate 89% → 70%")
    # the sample ran with --confirm: the change is shown, its intervals are not drawn
    assert run_line.endswith("; mean score 0.95 → 0.84 (−0.11)")
    assert "not estimated" in run_line
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


# ---- the user trial of repeats and evidence (issue 12 follow-up) ----


def _change(p_value: float | None, test: str | None, **fields: object) -> ExampleChange:
    data: dict[str, object] = {
        "kind": "agent",
        "agent": "support",
        "example": "refund",
        "change": "regression",
        "significant": True,
        "p_value": p_value,
        "passes_before": [5, 5],
        "passes_after": [1, 5],
        **fields,
    }
    if test is not None:
        data["test"] = test
    return ExampleChange.model_validate(data)


@pytest.mark.parametrize(
    ("p_value", "shown"),
    [
        (0.0476, "0.048"),  # never 0.05: significant at 0.05, it must not read as the line
        (0.167, "0.17"),
        (0.05, "0.050"),
        (0.0013, "0.0013"),
        (0.00078, "0.00078"),
        (0.5, "0.50"),
        (1.0, "1.0"),
        (0.0001, "0.00010"),
        (0.00004, "< 0.0001"),
    ],
)
def test_p_values_show_two_significant_digits(p_value: float, shown: str) -> None:
    assert p_text(p_value) == shown


def test_a_p_value_names_the_test_that_gave_it() -> None:
    fisher = _change(0.0476, "fisher")
    welch = _change(0.07, "welch", significant=False, change="unchanged")
    unnamed = _change(0.0476, None)  # a results file written before ``test``
    tiny = _change(0.00002, "fisher")
    assert change_text(fisher) == "5/5 → 1/5 passed, p = 0.048, Fisher's exact test on pass counts"
    assert p_value_text(welch) == "p = 0.070, Welch's t-test on scores"
    assert p_value_text(unnamed) == "p = 0.048, exact test"
    assert p_value_text(tiny) == "p < 0.0001, Fisher's exact test on pass counts"
    assert p_value_text(fisher, short=True) == "p 0.048 (Fisher)"
    assert p_value_text(welch, short=True) == "p 0.070 (Welch)"
    assert p_value_text(_change(None, None)) is None


def test_noise_is_one_word_for_every_report() -> None:
    moved = _change(0.17, "fisher", change="unchanged", significant=False)
    still = _change(1.0, "fisher", change="unchanged", significant=False, passes_after=[5, 5])
    once = _change(None, None, significant=False, passes_before=[1, 1], passes_after=[0, 1])
    assert change_label(moved) == "noise"
    assert change_label(still) == "unchanged"
    assert change_label(_change(0.01, "fisher")) == "significant regression"
    assert change_label(once) == "regression (one attempt each side: no test decides)"


def _scored(differences: list[dict[str, object]]) -> ExampleResult:
    return make_result("reply", Verdict.FAIL, score=0.46, comparison={"differences": differences})


#: a similarity failure: the scorer's message says more than the two texts
SIMILARITY: dict[str, object] = {
    "pointer": "/reply",
    "kind": "changed",
    "expected": "Refund sent to your card ending 4242 within 5 days",
    "actual": "We have received your request and will get back to you",
    "rule": "similarity 0.46 below 0.95 (ratio)",
    "score": 0.46,
}
#: a contains failure: the expected side is a placeholder
CONTAINS: dict[str, object] = {
    "pointer": "/reply",
    "kind": "changed",
    "expected": "",
    "actual": "We have received your request and will get back to you " * 3,
    "rule": "missing 'refund' (text lower)",
}
#: a tolerance only qualifies the difference: the values say what differs
TOLERANCE: dict[str, object] = {
    "pointer": "/total",
    "kind": "changed",
    "expected": 10,
    "actual": 11,
    "rule": "tolerance 0.5",
}


#: a regex failure: the pattern decides, the expected value is not read
REGEX: dict[str, object] = {
    "pointer": "/reply",
    "kind": "changed",
    "expected": "Hi Bob, your refund is on its way!",
    "actual": "We have received your request and will get back to you",
    "rule": r"regex '(\w+\s?)+!'",
}


def test_a_scorer_difference_shows_its_message_not_the_values() -> None:
    for difference, detail, message in (
        (SIMILARITY, "/reply: similarity 0.46 below 0.95 (ratio)", SIMILARITY["rule"]),
        (CONTAINS, "/reply: missing 'refund' (text lower)", CONTAINS["rule"]),
        (REGEX, r"/reply: does not match regex '(\w+\s?)+!'", r"does not match regex '(\w+\s?)+!'"),
        (TOLERANCE, "/total changed: 10 -> 11", None),
    ):
        result = _scored([difference])
        assert scorer_message(difference) == message
        closing = render_summary(summary_with(brief_of(result)), [result]).splitlines()
        row = next(line for line in closing if line.startswith("fail"))
        assert row.endswith(detail), row
        assert "We have" not in row


def test_the_drop_b_could_detect_is_worded_as_the_run_words_it() -> None:
    briefs = [brief_of(make_result(name, Verdict.PASS)) for name in "abcde"]
    assert drop_text(0.26, briefs, 0.95) == (
        "with 5 examples, one attempt each, this run could detect a pass-rate drop of 26 points "
        "or more (95% confidence, 80% power)"
    )
    assert drop_text(0.26, briefs, 0.95, subject="B").startswith(
        "with 5 examples, one attempt each, B could detect a pass-rate drop of 26 points or more"
    )
