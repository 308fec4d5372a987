from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.report import RunResults, render_html
from evalkit.runner.results import ErrorKind, ExampleError, ExampleResult, ExecutionRef, Verdict
from scripts.screenshot import chromium, main, open_first_problem, open_report
from tests.report.sample_runs import PLATFORM, RUN_ID, with_summary, write_failing_variant

PNG = b"\x89PNG\r\n\x1a\n"


def test_screenshot_of_the_failing_variant_from_its_results(
    tmp_path: Path, artifacts: Path
) -> None:
    """What docs/images/report.png is made with (see docs/reports.md)."""
    folder = write_failing_variant(tmp_path / "run")
    out = artifacts / "report-top.png"
    assert main([str(folder), str(out), "--open-first-problem", "--height", "1500"]) == 0
    assert out.read_bytes().startswith(PNG)


def test_a_missing_chromium_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_failing_variant(tmp_path / "run")
    monkeypatch.setenv("EVALKIT_CHROMIUM", str(tmp_path / "no-chromium"))
    assert main([str(folder), str(tmp_path / "x.png")]) == 2
    message = capsys.readouterr().err
    assert "no Chromium at" in message
    assert "install Debian's 'chromium' package or set EVALKIT_CHROMIUM" in message
    assert not (tmp_path / "x.png").exists()


def test_without_debian_chromium_playwright_s_own_is_used_or_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from playwright.sync_api import sync_playwright

    from scripts import screenshot

    folder = write_failing_variant(tmp_path / "run")
    monkeypatch.delenv("EVALKIT_CHROMIUM", raising=False)
    monkeypatch.setattr(screenshot, "CHROMIUM", str(tmp_path / "no-debian-chromium"))
    assert screenshot.chromium_path() is None, "Playwright's own browser is the fallback"
    with sync_playwright() as playwright:
        downloaded = Path(playwright.chromium.executable_path).is_file()
    code = main([str(folder), str(tmp_path / "x.png")])
    if downloaded:
        assert code == 0
        assert (tmp_path / "x.png").read_bytes().startswith(PNG)
    else:
        assert code == 2
        message = capsys.readouterr().err
        assert "python -m playwright install chromium" in message
        assert not (tmp_path / "x.png").exists()


def _run_whose_first_row_has_its_link_in_the_middle() -> RunResults:
    """One error whose message is just long enough that, at 1280 px, the row's middle (where a
    click on the row lands) is the execution's "open" link."""
    error = ExampleResult(
        run_id=RUN_ID,
        agent="invoice-extractor",
        example="timed-out",
        verdict=Verdict.ERROR,
        error=ExampleError(kind=ErrorKind.TIMEOUT, message="m" * 20),
        execution=ExecutionRef(id="exec_1", status="failed", link=f"{PLATFORM}/executions/1"),
        finished_at="2026-03-01T09:00:05Z",
    )
    return with_summary([error], baseline=None)


def test_open_first_problem_opens_it_even_when_the_link_is_in_the_rows_middle(
    tmp_path: Path,
) -> None:
    """Issue 10 item 16: the click on the row landed on the "open" link and the screenshot
    waited for details that never came."""
    html = tmp_path / "report.html"
    html.write_text(render_html(_run_whose_first_row_has_its_link_in_the_middle()), "utf-8")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        open_report(page, html)
        row = page.locator("tr.example").first.bounding_box()
        link = page.locator("tr.example a").first.bounding_box()
        assert row is not None
        assert link is not None
        middle = row["x"] + row["width"] / 2
        assert link["x"] <= middle <= link["x"] + link["width"], "the layout moved: adjust"
        page.close()
    out = tmp_path / "shot.png"
    assert main([str(html), str(out), "--open-first-problem", "--height", "900"]) == 0
    assert out.read_bytes().startswith(PNG)


def test_open_first_problem_opens_the_first_example_that_did_not_pass(
    tmp_path: Path, near_pass: RunResults
) -> None:
    html = tmp_path / "report.html"
    html.write_text(render_html(near_pass), "utf-8")
    passed = RunResults(results=[r for r in near_pass.results if r.verdict is Verdict.PASS])
    only_passes = tmp_path / "passes.html"
    only_passes.write_text(render_html(passed), "utf-8")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        open_report(page, html)
        assert open_first_problem(page) == near_pass.results[0].example
        assert page.locator("td.detail").count() == 1
        open_report(page, only_passes)
        assert open_first_problem(page) is None
        assert page.locator("td.detail").count() == 0
