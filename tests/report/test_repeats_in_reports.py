"""Repeats and evidence (issue 12) in every report: the sample is ``repeated_run``, a
--confirm run against a baseline with repeats, made with the runner's own functions."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from syrupy.assertion import SnapshotAssertion

from evalkit.report import RunResults, render_html, render_junit, render_markdown
from evalkit.report.github import annotation_lines
from evalkit.report.html import page_data
from evalkit.report.view import build_view
from evalkit.runner.results import Verdict
from tests.report.sample_runs import PLATFORM
from tests.report.test_html import _embedded


def _summary_of(run: RunResults):  # type: ignore[no-untyped-def]
    assert run.summary is not None
    return run.summary


def test_markdown_leads_with_significant_regressions_and_keeps_noise_apart(
    repeated: RunResults,
) -> None:
    text = render_markdown(repeated, html_link="report.html")
    lead = text.index("**2 significant regressions** against the baseline: ")
    assert lead < text.index("| pass rate |"), "named before the counts"
    assert "`invoice-extractor/alpenblick-swiss-chf-export` (5/5 → 0/8 passed" in text
    section = text.index("### Significant regressions (2)")
    noise = text.index("### Noise (")
    assert section < noise
    assert "### Regressions" not in text, "no plain pass→fail: both runs repeated"
    assert "### Failures and errors" not in text
    noise_part = text[noise:]
    assert "❌" not in noise_part
    assert "**fail**" not in noise_part
    assert "- **whole run**: attempt pass rate 89% → 70%" in noise_part
    assert "`invoice-extractor/brightside-rounding-cent`: 5/5 → 5/8 passed" in noise_part
    assert (
        "p = 0.23, Fisher's exact test on pass counts; not significant · verdict pass by rule "
        "rate 0.6 ✓✗✓✗✓✓✗✓"
    ) in noise_part
    item = next(line for line in text.splitlines() if line.startswith("- `receipt-reader/pin"))
    assert "**fail**, score 0.40 (95% CI 0.38–0.43) · 0/8 passed (rule rate 0.6, adaptive)" in item
    assert "✗✗✗✗✗✗✗✗" in item
    assert "p = 0.00078" in item


def test_markdown_says_what_the_run_could_detect_and_what_confirm_saved(
    repeated: RunResults,
) -> None:
    text = render_markdown(repeated)
    assert (
        "ℹ️ With 10 examples × 4 attempts this run could detect a pass-rate drop of 29 points "
        "or more (95% confidence, 80% power)."
    ) in text
    assert "ℹ️ Used 40 executions where a fixed repeat of 8 would use 80: 50% saved." in text
    assert "- **whole run**: attempt pass rate 73% (95% CI 35–100%); mean score 0.86" in text
    assert "- **receipt-reader**: " in text


def test_a_delta_that_is_a_regression_is_marked_and_not_listed_as_noise(
    repeated: RunResults,
) -> None:
    summary = _summary_of(repeated).model_copy(deep=True)
    run = summary.deltas[0]
    run.verdict = "regression"
    run.words = run.words.replace("not distinguishable from noise", "a regression")
    text = render_markdown(RunResults(repeated.results, summary, repeated.baseline))
    assert "- 📉 **whole run**: attempt pass rate 73%" in text
    assert "against the baseline: attempt pass rate 89% → 70%" in text
    before = render_markdown(repeated)
    noise_before = int(before.split("### Noise (", 1)[1].split(")", 1)[0])
    assert f"### Noise ({noise_before - 1})" in text, "the run's delta is no longer noise"


def test_markdown_snapshot_with_repeats(repeated: RunResults, snapshot: SnapshotAssertion) -> None:
    assert render_markdown(repeated, html_link="report.html") == snapshot


def test_junit_one_testcase_per_example_with_k_of_n_and_the_attempts(
    repeated: RunResults,
) -> None:
    root = ET.fromstring(render_junit(repeated))
    cases = root.findall(".//testsuite[@name='receipt-reader']/testcase")
    assert len(cases) == 4, "one testcase per example, not per attempt"
    case = next(c for c in cases if c.get("name") == "pinecone-hours-cad")
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message", "").startswith(
        "regression: fail (score 0.40), 0/8 passed (rule rate 0.6): "
    )
    out = (case.findtext("system-out") or "").splitlines()
    assert out[0].startswith("0/8 passed (rule rate 0.6, adaptive) ✗✗✗✗✗✗✗✗")
    assert out[1] == (
        "against the baseline: significant regression: 5/5 → 0/8 passed, "
        "mean score 1.00 → 0.40, p = 0.00078, Fisher's exact test on pass counts"
    )
    assert len(out) == 2 + 8
    assert out[2].startswith("attempt 1: fail, score 0.43, ")
    assert f"{PLATFORM}/api/v1/agents/executions/exec_000060" in out[2]
    sakura = next(c for c in cases if c.get("name") == "sakura-japan-jpy")
    assert sakura.find("failure") is None  # 2/3 passes the rule rate 0.6
    assert "attempt 1: error" in (sakura.findtext("system-out") or "")


def test_junit_snapshot_with_repeats(repeated: RunResults, snapshot: SnapshotAssertion) -> None:
    assert render_junit(repeated) == snapshot


def test_each_attempt_links_to_its_own_execution(repeated: RunResults) -> None:
    view = build_view(repeated)
    row = next(r for r in view.rows if r.result.example == "brightside-rounding-cent")
    assert [a.mark for a in row.attempts] == list("✓✗✓✗✓✓✗✓")
    assert [a.link for a in row.attempts] == [
        f"{PLATFORM}/api/v1/agents/executions/exec_{20 + n:06d}" for n in range(8)
    ]
    assert row.noise
    assert not row.significant_regression


def test_the_page_carries_the_attempts_scopes_and_sentences(repeated: RunResults) -> None:
    html = render_html(repeated)
    data = _embedded(html)
    rows = {row[1]: row for row in data["rows"]}
    assert "noise" in rows["brightside-rounding-cent"][7]
    index = [row[1] for row in data["rows"]].index("pinecone-hours-cad")
    repeats = data["details"][index]["repeats"]
    assert (repeats["passes"], repeats["trials"], repeats["rule"]) == (0, 8, "rate 0.6")
    assert repeats["against"] == (
        "significant regression: 5/5 → 0/8 passed, mean score 1.00 → 0.40, p = 0.00078, "
        "Fisher's exact test on pass counts"
    )
    assert '<div class="scope d-noise"><h2>whole run</h2>' in html
    assert "Used 40 executions where a fixed repeat of 8 would use 80: 50% saved." in html
    assert 'value="noise"' in html
    assert data == page_data(build_view(repeated))


def test_page_rows_snapshot_with_repeats(repeated: RunResults, snapshot: SnapshotAssertion) -> None:
    data = _embedded(render_html(repeated))
    assert {
        "rows": data["rows"],
        "details": [d.get("repeats") for d in data["details"]],
    } == snapshot


def test_annotations_give_k_of_n_and_the_evidence(repeated: RunResults) -> None:
    lines = annotation_lines(repeated)
    pinecone = next(line for line in lines if "pinecone-hours-cad" in line)
    message = pinecone.split("::", 2)[2]
    assert message.startswith(
        "against the baseline: 5/5 → 0/8 passed, mean score 1.00 → 0.40, p = 0.00078, "
        "Fisher's exact test on pass counts%0A"
        "0/8 passed (rule rate 0.6, adaptive) ✗✗✗✗✗✗✗✗%0A"
    )


def test_a_failing_example_whose_change_is_noise_is_still_a_failure(repeated: RunResults) -> None:
    """Every failing example is listed under Failures and errors, with its noise note; Noise
    lists what moved without significance, whatever its verdict."""
    results = [
        result.model_copy(update={"verdict": Verdict.FAIL})
        if result.example == "brightside-rounding-cent"
        else result
        for result in repeated.results
    ]
    text = render_markdown(RunResults(results, repeated.summary, repeated.baseline))
    failures = text.split("### Failures and errors (1)", 1)[1].split("\n### ", 1)[0]
    assert "- `invoice-extractor/brightside-rounding-cent`: **fail**" in failures
    assert (
        "noise against the baseline: 5/5 → 5/8 passed, mean score 1.00 → 0.77, p = 0.23, "
        "Fisher's exact test on pass counts"
    ) in failures
    noise = text.split("### Noise (", 1)[1]
    assert "`invoice-extractor/brightside-rounding-cent`: 5/5 → 5/8 passed" in noise
    assert "verdict fail by rule rate 0.6" in noise
    listed = text.split("### Noise (", 1)[0].count(": **fail**")
    assert (
        listed
        == 3
        == build_view(RunResults(results, repeated.summary, repeated.baseline)).counts["fail"]
    )


def test_the_two_pass_rates_are_told_apart(repeated: RunResults) -> None:
    text = render_markdown(repeated)
    assert "| 80.0% (−10.0 points) |" in text, "points, not a percentage, with a true minus"
    assert (
        "_Pass rate: the share of examples that pass their pass\\_if rule; attempt pass rate: "
        "the mean of each example's share of passing attempts._"
    ) in text
    assert "#### Attempt pass rate and score" in text
    assert "- **whole run**: attempt pass rate 73%" in text
    assert "pass rate 73%" not in text.replace("attempt pass rate 73%", "")
    html = render_html(repeated)
    assert "Pass rate: the share of examples that pass their pass_if rule" in html
    assert "attempt pass rate 73% (95% CI" in html


def test_junit_calls_noise_noise(repeated: RunResults) -> None:
    root = ET.fromstring(render_junit(repeated))
    case = root.find(".//testcase[@name='brightside-rounding-cent']")
    assert case is not None
    out = case.findtext("system-out") or ""
    assert "against the baseline: noise: 5/5 → 5/8 passed" in out
    assert "not significant" not in out
    assert "unchanged" not in out
