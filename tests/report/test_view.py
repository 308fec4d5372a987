from __future__ import annotations

import pytest
from junitparser import JUnitXml

from evalkit.report import RunResults
from evalkit.report.html import COLUMNS, page_data
from evalkit.report.junit import render_junit
from evalkit.report.markdown import render_markdown
from evalkit.report.view import (
    NOT_A_URL,
    Row,
    build_view,
    describe_difference,
    without_credentials,
)
from evalkit.runner.results import (
    ErrorKind,
    ExampleError,
    ExampleResult,
    ExecutionRef,
    Verdict,
    count_differences,
)
from evalkit.runner.summary_text import progress_line, render_summary
from tests.report.sample_runs import with_summary


def test_regressions_come_first_then_failures_errors_partials_passes(
    failing_run: RunResults,
) -> None:
    view = build_view(failing_run)
    order = [(row.regression, row.status) for row in view.rows]
    assert order[:5] == [
        (True, "fail"),
        (True, "error"),
        (True, "partial"),
        (True, "partial"),
        (True, "partial"),
    ]
    assert {status for _, status in order[5:]} == {"pass"}
    assert next(row.result.example for row in view.regressions) == "thames-uk-pipe-table"


def test_counts_include_flaky_quarantined_and_regressions(failing_run: RunResults) -> None:
    counts = build_view(failing_run).counts
    assert counts == {
        "pass": 5, "partial": 3, "fail": 1, "error": 1, "cancelled": 0,
        "flaky": 1, "quarantined": 0, "regressions": 5, "json_not_checked": 0, "total": 10,
    }  # fmt: skip


def test_agent_pass_rates_and_deltas_against_the_baseline(failing_run: RunResults) -> None:
    view = build_view(failing_run)
    (agent,) = view.agents
    assert agent.name == "invoice-extractor"
    assert agent.pass_rate == 0.5
    assert agent.baseline_pass_rate == 1.0
    assert agent.delta == pytest.approx(-0.5)
    assert view.baseline_pass_rate == 1.0


def test_without_a_summary_regressions_come_from_the_baseline_and_no_gate_is_claimed(
    failing_run: RunResults,
) -> None:
    view = build_view(RunResults(results=failing_run.results, baseline=failing_run.baseline))
    assert len(view.regressions) == 5
    assert view.gate.status == "unknown"
    assert not view.gate.passed
    assert view.gate.outcome == "no run summary: 5/10 passed, gates not evaluated"


def test_only_web_links_are_kept(failing_run: RunResults) -> None:
    result = failing_run.results[0]
    for link, kept in [
        ("https://app.eigenpal.test/e/1", True),
        ("http://127.0.0.1:1/e/1", True),
        ("javascript:alert(1)", False),
        ("data:text/html,x", False),
    ]:
        changed = result.model_copy(
            update={"execution": ExecutionRef(id="e", status="completed", link=link)}
        )
        assert (build_view(RunResults(results=[changed])).rows[0].link == link) is kept


def test_the_headline_is_the_error_or_first_difference(failing_run: RunResults) -> None:
    by_name = {row.result.example: row.headline for row in build_view(failing_run).rows}
    assert by_name["sakura-japan-jpy"].startswith("failed: agent exited with status 1")
    assert by_name["pinecone-hours-cad"] == "/lineItems/0/quantity: changed, expected 6.5, actual 6"
    assert by_name["acme-us-letter"] == ""


def test_the_headline_of_a_crash_names_its_exception(failing_run: RunResults) -> None:
    message = "exit code 1\nTraceback (most recent call last):\n  File \"main.py\"\nKeyError: 'x'"
    crashed = failing_run.results[0].model_copy(
        update={"error": ExampleError(kind=ErrorKind.FAILED, message=message)}
    )
    headline = build_view(RunResults(results=[crashed])).rows[0].headline
    assert headline == "failed: exit code 1 … KeyError: 'x'"


def test_describe_difference_matches_the_compare_engine_wording() -> None:
    from evalkit.compare.differences import Difference

    for difference in [
        Difference("/a", "changed", 1, 2, "tolerance 0.01"),
        Difference("", "missing", expected={"x": [1]}),
        Difference("/b/0", "unexpected", actual="y" * 200),
        Difference("/c", "order"),
        Difference("/d", "type_changed", "1", 1),
    ]:
        assert describe_difference(difference.to_dict()) == difference.display()


def test_credentials_in_the_target_url_never_reach_a_report(failing_run: RunResults) -> None:
    assert failing_run.summary is not None
    summary = failing_run.summary.model_copy(deep=True)
    summary.metadata.target.base_url = "https://bot:s3cret-key@api.eigenpal.test:8443/v1"
    view = build_view(RunResults(results=failing_run.results, summary=summary))
    assert view.meta["target"] == "local (https://api.eigenpal.test:8443/v1)"
    assert without_credentials("http://127.0.0.1:1") == "http://127.0.0.1:1"


@pytest.mark.parametrize("url", ["http://bot:pw@[::1:80/", "http://bot:pw@host:port/"])
def test_a_target_that_is_not_a_url_is_not_shown(url: str) -> None:
    """Issue 16: urlsplit raised on these (a traceback); either could hold a password."""
    assert without_credentials(url) == NOT_A_URL


def test_a_duration_between_a_zoned_and_an_unzoned_time_is_left_out(
    failing_run: RunResults,
) -> None:
    """Issue 16: subtracting them raised TypeError."""
    assert failing_run.summary is not None
    summary = failing_run.summary.model_copy(deep=True)
    summary.metadata.started_at = "2026-03-01T09:00:00"
    view = build_view(RunResults(results=failing_run.results, summary=summary))
    assert "duration" not in view.meta
    assert view.meta["started"] == "2026-03-01T09:00:00"


def _rows_by_name(run: RunResults) -> dict[str, Row]:
    return {row.result.example: row for row in build_view(run).rows}


def test_a_partial_never_reads_as_a_pass(near_pass: RunResults) -> None:
    """Issue 10 item 6: one CSV row in 20,000, or one extra key, showed "partial, score 1.00"."""
    labels = {row.status + " " + row.score_label for row in build_view(near_pass).rows}
    assert labels == {
        "partial ≈1.00, 1 difference",  # one CSV row in 20,000
        "partial 1.00, 1 difference",  # an extra key: nothing expected was lowered
        "partial 0.95",
        "pass 1.00",
    }


def test_a_comparison_counts_the_same_in_the_terminal_and_every_report() -> None:
    """Issue 16 item 2: one counter (the runner's ``count_differences``) for JSON and file
    differences; the report's own could disagree with it on files."""
    comparison = {
        "differences": [{"pointer": "/total", "kind": "changed", "expected": 1, "actual": 2}],
        "files": [
            {
                "name": "lines.csv",
                "mode": "csv",
                "status": "differ",
                "score": 0.9996,
                "differences": [
                    {"pointer": "/3/amount", "kind": "changed", "expected": 1, "actual": 2},
                    {"pointer": "/9/amount", "kind": "changed", "expected": 5, "actual": 6},
                ],
            },
            {"name": "notes.txt", "mode": "text", "status": "differ", "score": 0, "diff": "-a"},
            {"name": "stamp.bin", "mode": "bytes", "status": "missing", "score": 0},
            {"name": "same.txt", "mode": "text", "status": "match", "score": 1},
        ],
    }
    near = ExampleResult(
        run_id="r",
        agent="a",
        example="near",
        verdict=Verdict.PARTIAL,
        score=0.9996,
        comparison=comparison,
        finished_at="2026-03-01T09:00:03Z",
    )
    label = "≈1.00, 5 differences"  # 1 in the JSON, 2 in the CSV, the text file, the missing one
    assert count_differences(comparison) == 5
    run = with_summary([near], baseline=None)
    summary = run.summary
    assert summary is not None
    assert f"score {label}" in progress_line(1, 1, near)
    assert label in render_summary(summary, [near])
    row = page_data(build_view(run))["rows"][0]
    assert row[COLUMNS.index("label")] == label
    csv = page_data(build_view(run))["details"][0]["comparison"]["files"][0]
    assert csv["scoreLabel"] == "≈1.00, 2 differences"
    assert f"score {label}" in render_markdown(run)
    case = JUnitXml.fromstring(render_junit(run).split("\n", 1)[1])
    failure = next(iter(next(iter(case)))).result[0]
    assert failure.message.startswith(f"partial (score {label}):")


def test_output_json_not_checked_is_read_defensively(
    near_pass: RunResults, failing_run: RunResults
) -> None:
    """Issue 10 item 4: ``output_json_checked`` is new; older results files lack it."""
    checked = {name: row.output_json_checked for name, row in _rows_by_name(near_pass).items()}
    assert sorted(name for name, yes in checked.items() if not yes) == [
        near_pass.results[3].example
    ]
    assert all(row.output_json_checked for row in build_view(failing_run).rows)


def test_a_gate_that_could_not_be_checked_is_not_a_passed_gate(
    near_pass: RunResults, failing_run: RunResults
) -> None:
    """Issue 10 item 13: without a baseline, the regression gate "passes" unchecked."""
    gates = {gate["name"]: gate for gate in build_view(near_pass).gate.gates}
    assert gates["max_regressions"]["checked"] is False
    assert gates["min_pass_rate"]["checked"] is True
    assert all(gate["checked"] for gate in build_view(failing_run).gate.gates)


def test_notes_are_read_when_present_and_cut_when_long(failing_run: RunResults) -> None:
    """An example's notes (its ``notes:`` or README.md) reach every report through the view;
    results files from before them have no key and no notes."""
    result = failing_run.results[0]
    assert "notes" not in (result.model_extra or {})

    def notes(value: object, limit: int | None = None) -> str | None:
        row = Row(result.model_copy(update={"notes": value}), regression=False, fixed=False)
        return row.notes() if limit is None else row.notes(limit)

    assert Row(result, regression=False, fixed=False).notes() is None
    assert notes("\n  The vendor writes the date day first.\n") == (
        "The vendor writes the date day first."
    )
    for nothing in (None, "", "  \n", 3, ["a"]):
        assert notes(nothing) is None
    long = "why " * 1_000
    shown = notes(long, 100)
    assert shown is not None
    assert shown.startswith(long[:100] + "…")
    assert shown.endswith("(3,999 characters in all, cut for this report)")
    assert len(notes(long) or "") in range(2_000, 2_100)  # the default bound
