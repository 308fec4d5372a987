from __future__ import annotations

import pytest

from evalkit.report import RunResults
from evalkit.report.view import (
    build_view,
    describe_difference,
    format_seconds,
    without_credentials,
)
from evalkit.runner.results import ErrorKind, ExampleError, ExecutionRef


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
        "flaky": 1, "quarantined": 0, "regressions": 5, "total": 10,
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


def test_format_seconds() -> None:
    assert format_seconds(2.25) == "2.2 s"
    assert format_seconds(125) == "2 min 5 s"
    assert format_seconds(7260) == "2 h 1 min"


def test_credentials_in_the_target_url_never_reach_a_report(failing_run: RunResults) -> None:
    assert failing_run.summary is not None
    summary = failing_run.summary.model_copy(deep=True)
    summary.metadata.target.base_url = "https://bot:s3cret-key@api.eigenpal.test:8443/v1"
    view = build_view(RunResults(results=failing_run.results, summary=summary))
    assert view.meta["target"] == "local (https://api.eigenpal.test:8443/v1)"
    assert without_credentials("http://127.0.0.1:1") == "http://127.0.0.1:1"
