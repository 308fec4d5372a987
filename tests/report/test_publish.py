"""``publish_reports``: every format into one folder; in GitHub Actions the step summary too,
and the annotations returned for the caller to print (nothing is printed here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.report import RunResults
from evalkit.report.publish import publish_reports

URL = "https://github.com/acme/invoices/actions/runs/42/artifacts/7"


def test_outside_github_every_format_and_no_lines(
    failing_run: RunResults, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    published = publish_reports(failing_run, tmp_path / "reports", env={})
    assert sorted(published.files) == ["html", "junit", "markdown"]
    assert all(path.is_file() for path in published.files.values())
    assert published.github_lines == []
    assert capsys.readouterr() == ("", "")


def test_in_github_the_annotations_come_back_and_the_step_summary_is_written(
    failing_run: RunResults, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    step_summary = tmp_path / "step.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(step_summary)}
    published = publish_reports(failing_run, tmp_path / "reports", env=env, html_link=URL)
    assert sum(line.startswith("::error ") for line in published.github_lines) == 5
    assert capsys.readouterr() == ("", ""), "the caller prints them where GitHub reads them"
    assert f"({URL})" in step_summary.read_text()
    assert f"({URL})" in published.files["markdown"].read_text()
