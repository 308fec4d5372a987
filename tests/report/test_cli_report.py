"""``evalkit report`` (evalkit/cli/report.py), driven through click."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from junitparser import JUnitXml

from evalkit.cli.context import GlobalOptions
from evalkit.cli.report import report
from evalkit.report import RunResults
from evalkit.runner.jsonl import ResultsWriter, write_summary
from tests.report.history_runs import RUN_NAMES, make_history


@pytest.fixture
def run_dir(tmp_path: Path, failing_run: RunResults) -> Path:
    folder = tmp_path / "run"
    assert failing_run.summary is not None
    with ResultsWriter(folder / "results.jsonl") as writer:
        for result in failing_run.results:
            writer.write(result)
    write_summary(folder / "summary.json", failing_run.summary)
    return folder


def _invoke(args: list[str], *, json_output: bool = False, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    options = GlobalOptions(
        manifest=Path("evalkit.yaml"), base_url=None, api_key=None, local=False, verbose=0,
        json_output=json_output,
    )  # fmt: skip
    environment = {"GITHUB_ACTIONS": "", **(env or {})}
    return CliRunner().invoke(report, args, obj=options, env=environment, catch_exceptions=False)


def test_with_no_file_option_every_format_goes_beside_the_results(run_dir: Path) -> None:
    result = _invoke([str(run_dir)])
    assert result.exit_code == 0, result.output
    folder = run_dir / "reports"
    assert sorted(p.name for p in folder.iterdir()) == ["junit.xml", "report.html", "summary.md"]
    assert f"html: {folder / 'report.html'}" in result.output
    assert "(report.html)" in (folder / "summary.md").read_text()


def test_each_format_to_its_own_file_with_a_relative_link(run_dir: Path, tmp_path: Path) -> None:
    html, md, xml = tmp_path / "out/r.html", tmp_path / "md/s.md", tmp_path / "j.xml"
    args = [str(run_dir / "results.jsonl"), "--html", str(html), "--markdown", str(md)]
    result = _invoke([*args, "--junit", str(xml)], json_output=True)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"html": str(html), "junit": str(xml), "markdown": str(md)}
    assert "(../out/r.html)" in md.read_text()
    assert next(iter(JUnitXml.fromfile(str(xml)))).tests == 10
    assert html.read_text().startswith("<!DOCTYPE html>")


def test_only_the_formats_asked_for_are_written(run_dir: Path, tmp_path: Path) -> None:
    result = _invoke([str(run_dir / "summary.json"), "--junit", str(tmp_path / "j.xml")])
    assert result.exit_code == 0
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["j.xml"]


def test_out_with_file_options_is_a_usage_error(run_dir: Path, tmp_path: Path) -> None:
    result = _invoke([str(run_dir), "--out", str(tmp_path), "--html", str(tmp_path / "x.html")])
    assert result.exit_code == 2
    assert "--out is for writing every format" in result.output


def test_in_github_actions_the_summary_and_annotations_are_written(
    run_dir: Path, tmp_path: Path
) -> None:
    step_summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(step_summary)}
    result = _invoke([str(run_dir), "--out", str(tmp_path / "r")], env=env)
    assert result.exit_code == 0
    assert result.output.count("::error ") == 5
    assert "## ❌ evalkit: gate failed" in step_summary.read_text()


# Issue 10 item 14: the Markdown of a pull-request comment links a URL, not a dead relative path.

URL = "https://github.com/acme/invoices/actions/runs/42/artifacts/7"


def test_html_link_is_what_the_markdown_links(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    step_summary = tmp_path / "step.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(step_summary)}
    result = _invoke([str(run_dir), "--out", str(out), "--html-link", URL], env=env)
    assert result.exit_code == 0, result.output
    assert f"({URL})" in (out / "summary.md").read_text()
    assert "(report.html)" not in (out / "summary.md").read_text()
    assert f"({URL})" in step_summary.read_text()


def test_in_github_actions_the_step_outputs_are_written(run_dir: Path, tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(outputs)}
    result = _invoke([str(run_dir), "--out", str(tmp_path / "r")], env=env)
    assert result.exit_code == 0, result.output
    lines = outputs.read_text().splitlines()
    values = dict(line.split("=", 1) for line in lines)
    assert values["verdict"] == "gate_failed"
    assert values["pass-rate"] == "0.5000"
    assert (values["total"], values["passed"], values["regressions"]) == ("10", "5", "5")
    assert values["html"] == str(tmp_path / "r" / "report.html")
    assert values["markdown"] == str(tmp_path / "r" / "summary.md")


# An older run reported again with --history: the runs after it are not its earlier runs.


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_history(tmp_path_factory.mktemp("history"))


def test_history_of_an_older_run_holds_only_the_runs_before_it(
    history: Path, tmp_path: Path
) -> None:
    out = tmp_path / "r"
    result = _invoke([str(history / RUN_NAMES[1]), "--history", str(history), "--out", str(out)])
    assert result.exit_code == 0, result.output
    markdown = (out / "summary.md").read_text()
    assert "### Pass-rate trend (the last 1 earlier run(s), then this one)" in markdown
    assert "- `climbing`: 33% → **67%**" in markdown  # not the later run's 100%
    charts = re.findall(
        r'<svg class="chart trend".*?</svg>', (out / "report.html").read_text(), re.S
    )
    assert [chart.count("<circle") for chart in charts] == [2, 2]
    assert "pass rate 100% (3/3)" not in charts[0]


def test_history_of_the_oldest_run_is_no_trend_with_a_warning(
    history: Path, tmp_path: Path
) -> None:
    out = tmp_path / "r"
    result = _invoke([str(history / RUN_NAMES[0]), "--history", str(history), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "warning: no trend: no run in" in result.output
    assert "started before this run" in result.output
    assert "Pass-rate trend" not in (out / "summary.md").read_text()
    assert 'class="chart trend"' not in (out / "report.html").read_text()
