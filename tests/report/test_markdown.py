from __future__ import annotations

from syrupy.assertion import SnapshotAssertion

from evalkit.report import RunResults, render_markdown
from evalkit.report.markdown import GITHUB_LIMIT
from evalkit.report.markdown_text import code_span
from tests.report.sample_runs import HOSTILE, with_notes


def test_verdict_counts_and_regressions_come_first(failing_run: RunResults) -> None:
    text = render_markdown(failing_run, html_link="https://example.test/run/1")
    assert text.startswith("## ❌ evalkit: gate failed\n")
    assert "| 50.0% (−50.0 points) | 5 | 3 | 1 | 1 | 1 | 0 | 5 |" in text
    assert text.index("### Regressions (5)") < text.index(
        "`invoice-extractor/thames-uk-pipe-table`"
    )
    assert '`/currency: changed, expected "GBP", actual "USD"`' in text
    assert "`... and 15 more`" in text  # top differences only
    assert "`failed: agent exited with status 1: ValueError: unknown currency 'JPY¥'`" in text
    assert text.rstrip().endswith("(https://example.test/run/1)")


def test_gate_messages_are_escaped(failing_run: RunResults) -> None:
    text = render_markdown(failing_run)
    assert "❌ min\\_pass\\_rate: pass rate 50.0% (5/10) &lt; minimum 100.0%" in text


def test_stays_under_githubs_limit_with_a_note(large: RunResults) -> None:
    text = render_markdown(large, html_link="report.html")
    assert len(text) <= GITHUB_LIMIT
    assert "more example(s) not shown** to stay under GitHub's 65,536-character limit" in text
    assert text.rstrip().endswith("(report.html)")
    shown = text.count("\n- `agent-")
    left_out = int(text.split("> **")[1].split(" ")[0])
    assert shown + left_out == large.summary.counts.total - large.summary.counts.passed  # type: ignore[union-attr]


def test_without_an_html_report_the_summary_points_at_the_results(
    failing_run: RunResults,
) -> None:
    text = render_markdown(failing_run, limit=1300, html_report=False)
    assert "results.jsonl holds every example" in text
    assert "HTML report" not in text


def test_a_smaller_limit_truncates_earlier(failing_run: RunResults) -> None:
    text = render_markdown(failing_run, limit=1300)
    assert len(text) <= 1300
    assert "more example(s) not shown" in text


def test_hostile_strings_cannot_leave_their_code_span(hostile: RunResults) -> None:
    text = render_markdown(hostile)
    for line in text.splitlines():
        if HOSTILE in line:
            before = line.split(HOSTILE)[0]
            assert before.count("`") % 2 == 1, line  # inside an open code span


def test_code_spans_outgrow_backticks_inside() -> None:
    assert code_span("a ``b`` c") == "```a ``b`` c```"
    assert code_span("`x`") == "`` `x` ``"
    assert code_span("two\nlines") == "`two lines`"


def test_markdown_snapshot(failing_run: RunResults, snapshot: SnapshotAssertion) -> None:
    assert render_markdown(failing_run, html_link="report.html") == snapshot


def test_a_near_pass_never_reads_as_a_full_score(failing_run: RunResults) -> None:
    """Issue 10 item 6: a partial whose score rounds to 1.00 is not written "score 1.00"."""
    results = [
        r.model_copy(update={"score": 0.9996}) if r.example == "pinecone-hours-cad" else r
        for r in failing_run.results
    ]
    text = render_markdown(RunResults(results, failing_run.summary))
    line = next(line for line in text.splitlines() if "pinecone-hours-cad" in line)
    assert "**partial**, score ≈1.00, 1 difference" in line


def test_an_example_whose_output_json_was_not_checked_says_so(failing_run: RunResults) -> None:
    unchecked = {"acme-us-letter", "pinecone-hours-cad"}
    results = [
        r.model_copy(update={"output_json_checked": False}) if r.example in unchecked else r
        for r in failing_run.results
    ]
    text = render_markdown(RunResults(results, failing_run.summary))
    assert "ℹ️ 2 example(s): output JSON not checked" in text
    line = next(line for line in text.splitlines() if "pinecone-hours-cad" in line)
    assert " · output JSON not checked" in line
    assert "output JSON not checked" not in render_markdown(failing_run)  # older files: checked


def test_a_line_cut_short_by_a_crash_is_mentioned(failing_run: RunResults) -> None:
    """Issue 16: the comment on a pull request said nothing of the examples left out."""
    skipped = [(11, "cut short by a crash (not JSON (Unterminated string))")]
    run = RunResults(
        results=failing_run.results, summary=failing_run.summary, skipped_lines=skipped
    )
    text = render_markdown(run)
    assert "⚠️ Line 11 of the results file was skipped: cut short by a crash" in text
    assert "skipped" not in render_markdown(failing_run)


def test_a_gate_not_checked_has_no_pass_mark(near_pass: RunResults) -> None:
    """Issue 16 item 3: the regression gate without a baseline read "✅ regressions not
    checked"; as in the HTML report it reads "– not checked"."""
    text = render_markdown(near_pass)
    assert "- – max\\_regressions: regressions not checked: no baseline given (--baseline)" in text
    assert "✅ regressions not checked" not in text
    assert "- ✅ min\\_pass\\_rate" not in text  # 2/5 passed: the pass-rate gate failed
    assert "- ❌ min\\_pass\\_rate: pass rate" in text


def test_control_characters_from_agents_are_written_as_escapes(failing_run: RunResults) -> None:
    """summary.md lands in pull-request comments and step summaries, and people ``cat`` it: an
    agent's escape sequence is shown as text there, as in the terminal (found by a user trial)."""
    errored = next(r for r in failing_run.results if r.error is not None)
    assert errored.error is not None
    error = errored.error.model_copy(
        update={"message": "exit code 3\n\x1b[31mRED\x1b[0m \u202eboom"}
    )
    results = [
        r.model_copy(update={"error": error}) if r is errored else r for r in failing_run.results
    ]
    text = render_markdown(RunResults(results, failing_run.summary))
    assert "\x1b" not in text
    assert "\u202e" not in text
    assert "\\x1b[31mRED" in text


def test_a_failing_examples_notes_follow_its_differences_as_one_escaped_line(
    failing_run: RunResults,
) -> None:
    """docs/harvest.md: the reviewer's note (README.md) is shown as the example's notes."""
    note = "Reviewer: *day first*.\n<img src=x> [link](https://x.test) " + "z" * 1_000
    notes = {"thames-uk-pipe-table": note, "acme-us-letter": "passes: not listed"}
    text = render_markdown(with_notes(failing_run, notes))
    item = text.split("`invoice-extractor/thames-uk-pipe-table`", 1)[1].split("\n- ", 1)[0]
    line = item.splitlines()[-1]
    assert line.startswith(
        "  - notes: Reviewer: \\*day first\\*. &lt;img src=x&gt; \\[link\\](https://x.test) zzz"
    )
    assert line.endswith("characters in all, cut for this report)")
    assert len(line) < 400
    assert "passes: not listed" not in text
    assert "notes:" not in render_markdown(failing_run)
