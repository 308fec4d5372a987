"""The public API of evalkit.report (its __init__)."""

from __future__ import annotations

from pathlib import Path

import pytest

import evalkit.report
from evalkit.report import REPORT_FILES, RunResults, render_report, write_reports


def test_public_names_exist_and_are_sorted() -> None:
    exported = list(evalkit.report.__all__)
    assert exported == sorted(exported)
    for name in exported:
        assert hasattr(evalkit.report, name), name


def test_every_format_is_written_and_the_markdown_links_the_html(
    tmp_path: Path, failing_run: RunResults
) -> None:
    written = write_reports(failing_run, tmp_path / "reports")
    assert {name: path.name for name, path in written.items()} == REPORT_FILES
    assert "(report.html)" in written["markdown"].read_text()


def test_a_subset_without_html_links_nothing_local(tmp_path: Path, failing_run: RunResults) -> None:
    written = write_reports(failing_run, tmp_path, formats=["markdown"])
    assert list(written) == ["markdown"]
    assert "report.html" not in written["markdown"].read_text()
    assert not (tmp_path / "report.html").exists()


def test_an_explicit_link_wins(tmp_path: Path, failing_run: RunResults) -> None:
    written = write_reports(failing_run, tmp_path, html_link="https://ci.test/a/1")
    assert "(https://ci.test/a/1)" in written["markdown"].read_text()


def test_unknown_formats_are_refused_before_writing(
    tmp_path: Path, failing_run: RunResults
) -> None:
    with pytest.raises(
        ValueError, match=r"unknown report format\(s\) pdf; use html, junit, markdown"
    ):
        write_reports(failing_run, tmp_path / "r", formats=["html", "pdf"])
    assert not (tmp_path / "r").exists()
    with pytest.raises(ValueError, match="unknown report format 'pdf'"):
        render_report(failing_run, "pdf")


@pytest.mark.parametrize("sample", ["failing_run", "hostile", "repeated", "near_pass"])
def test_the_files_written_from_one_view_are_each_format_rendered_alone(
    tmp_path: Path, sample: str, request: pytest.FixtureRequest
) -> None:
    """``write_reports`` builds the view once for every format: the same text as each format
    rendered on its own."""
    run: RunResults = request.getfixturevalue(sample)
    written = write_reports(run, tmp_path, html_link="https://ci.test/a/1")
    for name, path in written.items():
        alone = render_report(run, name, html_link="https://ci.test/a/1")
        assert path.read_text(encoding="utf-8") == alone, name
