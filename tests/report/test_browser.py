"""The HTML report in real headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, Request, expect

from evalkit.report import RunResults, render_html
from evalkit.report.screenshot import chromium, open_report
from tests.report.sample_runs import HOSTILE, HOSTILE_FILE


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


class Console:
    def __init__(self, page: Page) -> None:
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", self._message)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("dialog", self._dialog)
        page.on("request", self._request)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _message(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"{message.type}: {message.text}")

    def _request(self, request: Request) -> None:
        if not request.url.startswith("file://"):
            self.problems.append(f"network request: {request.url}")


def _open(browser: Browser, tmp_path: Path, run: RunResults) -> tuple[Page, Console]:
    html = tmp_path / "report.html"
    html.write_text(render_html(run), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    console = Console(page)
    open_report(page, html)
    return page, console


def _shown(page: Page) -> str:
    return page.locator("#shown").inner_text()


def test_failing_variant_loads_filters_opens_details_and_is_screenshotted(
    browser: Browser, tmp_path: Path, failing_run: RunResults, artifacts: Path
) -> None:
    page, console = _open(browser, tmp_path, failing_run)
    assert _shown(page) == "10 of 10 examples shown"
    assert page.locator("tr.example").first.inner_text().startswith("fail")

    page.check("#status-filter input[value=fail]")
    assert _shown(page) == "1 of 10 examples shown"
    page.check("#status-filter input[value=error]")
    assert _shown(page) == "2 of 10 examples shown"
    page.uncheck("#status-filter input[value=fail]")
    page.uncheck("#status-filter input[value=error]")
    page.check("#status-filter input[value=flaky]")
    assert page.locator("tr.example button.name").all_inner_texts() == ["brightside-rounding-cent"]
    page.uncheck("#status-filter input[value=flaky]")

    page.fill("#search", "nordlicht")  # the search waits for a pause in typing
    expect(page.locator("#shown")).to_have_text("1 of 10 examples shown")
    page.fill("#search", "")
    expect(page.locator("#shown")).to_have_text("10 of 10 examples shown")

    page.click("th button:text('Score')")
    scores = page.locator("tr.example td.num").all_inner_texts()[::2]
    assert scores[0] == "–"
    assert scores[1] == "0.29"

    page.click("th button:text('Status')")  # back to worst first
    page.locator("tr.example", has_text="thames-uk-pipe-table").click()
    detail = page.locator("td.detail")
    assert detail.locator("h3", has_text="Differences (15)").count() == 1
    changed = detail.locator("pre.doc .line.changed[data-pointer='/currency']")
    assert changed.count() == 2  # expected and actual side
    assert "ignored" in detail.locator("pre.doc .line.ruled").first.inner_text()
    assert detail.locator(".diff-add").first.inner_text() == "+++ actual/notes.txt"
    assert "sha256 " in detail.locator("[data-file='stamp.bin']").inner_text()
    assert "Written: rating fail, status open" in detail.inner_text()
    page.screenshot(path=str(artifacts / "report-failing.png"), full_page=True)
    assert (artifacts / "report-failing.png").stat().st_size > 10_000
    assert console.problems == []


def test_printing_hides_the_controls_and_keeps_the_content(
    browser: Browser, tmp_path: Path, failing_run: RunResults
) -> None:
    page, console = _open(browser, tmp_path, failing_run)
    page.emulate_media(media="print")
    assert not page.locator(".controls").is_visible()
    assert page.locator("header.verdict").is_visible()
    assert page.locator("tr.example").count() == 10
    assert page.pdf()[:4] == b"%PDF"
    assert console.problems == []


def test_hostile_strings_do_not_execute(
    browser: Browser, tmp_path: Path, hostile: RunResults
) -> None:
    page, console = _open(browser, tmp_path, hostile)
    rows = page.locator("tr.example")
    for index in range(rows.count()):
        page.locator("tr.example").nth(index).click()
    page.wait_for_selector("td.detail")
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator("body img").count() == 0
    assert page.locator("script").count() == 2
    assert HOSTILE in page.locator("#tables").inner_text()
    assert HOSTILE_FILE in page.locator("#tables").inner_text()
    assert page.locator("#tables a").count() == 1  # the javascript: link was dropped
    assert console.dialogs == []
    assert console.problems == []


def test_ten_thousand_examples_page_filter_and_open(
    browser: Browser, tmp_path: Path, large: RunResults
) -> None:
    page, console = _open(browser, tmp_path, large)
    assert _shown(page) == "10000 of 10000 examples shown"
    assert page.locator("tr.example").count() == 5 * 100  # one page per agent table
    page.locator(".agent[data-agent=agent-0] .pager button", has_text="next").click()
    assert "page 2 of 20" in page.locator(".agent[data-agent=agent-0] .pager").inner_text()
    page.select_option("#agent-filter", "agent-4")
    page.check("#status-filter input[value=fail]")
    assert _shown(page) == "2000 of 10000 examples shown"
    page.fill("#search", "example-09999")
    expect(page.locator("#shown")).to_have_text("1 of 10000 examples shown")
    page.locator("tr.example").first.click()
    assert page.locator("td.detail .line.changed").count() == 2
    assert console.problems == []
