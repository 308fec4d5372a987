from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.report import RunResults
from evalkit.report.github import (
    OUTPUTS,
    annotation_lines,
    output_text,
    parse_mark,
    publish,
    run_link,
)
from evalkit.runner.results import Verdict
from tests.report.sample_runs import ROOT

ENV = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "acme/invoices",
    "GITHUB_RUN_ID": "42",
}


def test_annotations_point_at_each_failing_example(
    failing_run: RunResults, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    lines = annotation_lines(failing_run, workspace=str(ROOT))
    assert len(lines) == 5  # 3 partial, 1 fail, 1 error; passes are not annotated
    thames = next(line for line in lines if "thames" in line)
    folder = "examples/invoices/agents/invoice-extractor/examples/thames-uk-pipe-table"
    # at the first difference in the expected document, not at 1:1 (issue 10 item 15)
    assert thames.startswith(
        f"::error file={folder}/expected.json,line=6,col=3,"
        "title=regression%3A invoice-extractor/thames-uk-pipe-table fail::"
    )
    # the message: top differences, newlines escaped so the command stays one line
    assert "/confidence%3A" not in thames.split("::", 2)[2]
    assert "/confidence: unexpected, actual 0.42%0A/currency: changed" in thames
    assert all("\n" not in line for line in lines)


def test_quarantined_examples_are_not_annotated(failing_run: RunResults) -> None:
    results = [
        r.model_copy(update={"quarantined": True}) if r.example == "thames-uk-pipe-table" else r
        for r in failing_run.results
    ]
    lines = annotation_lines(RunResults(results=results, summary=failing_run.summary))
    assert not any("thames" in line for line in lines)


def test_a_mark_outside_the_workspace_gives_an_annotation_without_a_file(
    failing_run: RunResults, tmp_path: Path
) -> None:
    lines = annotation_lines(failing_run, workspace=str(tmp_path))
    assert lines
    assert all(line.startswith("::error title=") for line in lines)


def test_properties_and_data_are_escaped(failing_run: RunResults) -> None:
    result = failing_run.results[0].model_copy(
        update={
            "verdict": Verdict.FAIL,
            "example": "a,b:c%d",
            "comparison": {
                "differences": [
                    {"pointer": "/x", "kind": "changed", "expected": "100%\r\nok", "actual": 1}
                ]
            },
        }
    )
    (line,) = annotation_lines(RunResults(results=[result]))
    assert "title=invoice-extractor/a%2Cb%3Ac%25d fail::" in line
    assert line.endswith('/x: changed, expected "100%25\\r\\nok", actual 1')


def test_parse_mark() -> None:
    root = Path.cwd()
    assert parse_mark("a/b.yaml:12:5", root) == ("a/b.yaml", 12, 5)
    assert parse_mark(str(root / "c.json") + ":1:1", root) == ("c.json", 1, 1)
    assert parse_mark("no-line", root) is None
    assert parse_mark(None, root) is None
    assert parse_mark("../outside.yaml:1:1", root) is None


def test_publish_appends_the_step_summary_and_links_the_run(
    failing_run: RunResults, tmp_path: Path
) -> None:
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n")
    lines = publish(failing_run, {**ENV, "GITHUB_STEP_SUMMARY": str(summary)})
    text = summary.read_text()
    assert text.startswith("earlier step\n## ❌ evalkit: gate failed")
    assert "(https://github.com/acme/invoices/actions/runs/42)" in text
    assert len(lines) == 5


def test_without_an_html_report_the_step_summary_links_none(
    failing_run: RunResults, tmp_path: Path
) -> None:
    """Neither the link given nor the workflow run's page: there is no report to find."""
    summary = tmp_path / "step-summary.md"
    given = "https://ci.example.com/report.html"
    env = {**ENV, "GITHUB_STEP_SUMMARY": str(summary)}
    lines = publish(failing_run, env, html_link=given, link_report=False)
    text = summary.read_text()
    assert text.startswith("## ❌ evalkit: gate failed")
    assert "](https://github.com/acme/invoices/actions/runs/42)" not in text
    assert given not in text
    assert "📄" not in text
    assert "HTML report" not in text  # none was written: the summary points at none
    assert len(lines) == 5


def test_run_link() -> None:
    assert run_link(ENV) == "https://github.com/acme/invoices/actions/runs/42"
    assert run_link({"GITHUB_RUN_ID": "1"}) is None


def test_publish_writes_the_step_outputs(failing_run: RunResults, tmp_path: Path) -> None:
    outputs = tmp_path / "github-output"
    outputs.write_text("earlier=1\n")
    reports = {"html": tmp_path / "r" / "report.html", "markdown": tmp_path / "r" / "summary.md"}
    publish(failing_run, {**ENV, "GITHUB_OUTPUT": str(outputs)}, reports=reports)
    values = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert values == {
        "earlier": "1",
        "verdict": "gate_failed",
        "pass-rate": "0.5000",
        "total": "10",
        "passed": "5",
        "partial": "3",
        "failed": "1",
        "errors": "1",
        "cancelled": "0",
        "flaky": "1",
        "quarantined": "0",
        "regressions": "5",
        "html": str(reports["html"]),
        "markdown": str(reports["markdown"]),
    }
    assert set(values) - {"earlier"} <= set(OUTPUTS)


def test_a_value_with_a_line_break_cannot_forge_another_output() -> None:
    text = output_text({"html": "a\nverdict=passed", "total": "3"})
    lines = text.splitlines()
    assert lines[0].startswith("html<<EVALKIT_")
    assert lines[1:3] == ["a", "verdict=passed"]
    assert lines[3] == lines[0].split("<<", 1)[1]
    assert lines[4] == "total=3"
