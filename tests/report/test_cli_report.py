"""``evalkit report`` (evalkit/cli/report.py), driven through click."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from junitparser import JUnitXml

from evalkit.cli.context import GlobalOptions
from evalkit.cli.report import publish_reports, report
from evalkit.report import RunResults
from evalkit.runner.jsonl import ResultsWriter, write_summary


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


def test_publish_reports_writes_all_and_stays_quiet_outside_github(
    failing_run: RunResults, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    written = publish_reports(failing_run, tmp_path / "reports", env={})
    assert sorted(written) == ["html", "junit", "markdown"]
    assert all(path.is_file() for path in written.values())
    assert capsys.readouterr().out == ""
    publish_reports(failing_run, tmp_path / "again", env={"GITHUB_ACTIONS": "true"})
    assert capsys.readouterr().out.count("::error ") == 5
