"""The HTML report in real headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, Request, expect

from evalkit.report import RunResults, render_html
from scripts.screenshot import chromium, open_report
from tests.report.sample_plan import HOSTILE as HOSTILE_IN_PLAN
from tests.report.sample_plan import HOSTILE_PLAN_PLACES, sample_plan_data
from tests.report.sample_runs import HOSTILE_FILE, HOSTILE_PLACES, with_notes
from tests.report.sample_runs import hostile as hostile_text


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


def test_the_search_finds_any_difference_and_the_notes_shown_in_the_details(
    browser: Browser, tmp_path: Path, failing_run: RunResults
) -> None:
    """docs/reports.md: "search any text". The search read only the first difference: a
    pointer of an example's second or later difference found nothing."""
    note = "Reviewer: the vendor prints the due date day first. <b>keep</b>"
    run = with_notes(failing_run, {"thames-uk-pipe-table": note})
    page, console = _open(browser, tmp_path, run)
    # thames-uk-pipe-table's differences: /confidence (its row's), /currency, /dueDate, ...;
    # its file line_items.csv differs at /2. No other example has those pointers.
    for query in ("/currency", "/DUEDATE", "/lineItems/2/unitPrice", "line_items.csv /2"):
        page.fill("#search", query)
        expect(page.locator("#shown")).to_have_text("1 of 10 examples shown")
        assert page.locator("tr.example button.name").all_inner_texts() == ["thames-uk-pipe-table"]
    page.fill("#search", "day first")  # its notes
    expect(page.locator("#shown")).to_have_text("1 of 10 examples shown")
    page.locator("tr.example button.name").first.click()
    notes = page.locator("td.detail p.notes")
    assert notes.inner_text() == note  # as text: no element made from it
    assert notes.locator("b").count() == 0
    assert page.locator("td.detail h3").first.inner_text() == "Notes"
    page.fill("#search", "/nowhere")
    expect(page.locator("#shown")).to_have_text("0 of 10 examples shown")
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
    """Untrusted text in every place the page shows it (``HOSTILE_PLACES``, the sync plan's
    ``HOSTILE_PLAN_PLACES``) is shown as text, with every example and the plan opened."""
    page, console = _open(browser, tmp_path, hostile)
    rows = page.locator("tr.example")
    for index in range(rows.count()):
        page.locator("tr.example button.name").nth(index).click()
    page.wait_for_selector("td.detail")
    page.locator("details.plan > summary").click()
    for summary in page.locator("details.plan details > summary").all():
        summary.click()
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator("body img").count() == 0
    assert page.locator("script").count() == 2
    assert page.locator("#tables a").count() == 1  # the javascript: link was dropped
    shown = "\n".join(
        [
            page.title(),
            page.locator("body").inner_text(),
            *page.locator("svg text, svg title").all_text_contents(),
            *page.locator("select option").all_text_contents(),
        ]
    )
    for place in (*HOSTILE_PLACES, *HOSTILE_PLAN_PLACES):
        text = hostile_text(place)
        as_json = json.dumps(text, ensure_ascii=False)[1:-1]  # in a document: JSON, quotes \"
        assert text in shown or as_json in shown, f"{place}: not shown as text"
    assert hostile_text("agent")[:17] in shown  # as a chart's label, cut at 17
    assert HOSTILE_FILE in page.locator("#tables").inner_text()
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


def _with_plan(run: RunResults) -> RunResults:
    assert run.summary is not None
    summary = run.summary.model_copy(update={"sync_plan": sample_plan_data()})
    return RunResults(results=run.results, summary=summary, baseline=run.baseline)


def _open_at(browser: Browser, tmp_path: Path, run: RunResults, width: int) -> tuple[Page, Console]:
    html = tmp_path / "report.html"
    html.write_text(render_html(run), encoding="utf-8")
    page = browser.new_page(viewport={"width": width, "height": 844})
    console = Console(page)
    open_report(page, html)
    return page, console


def _document_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_on_a_phone_the_page_fits_the_screen_and_expected_actual_stack(
    browser: Browser, tmp_path: Path, failing_run: RunResults, artifacts: Path
) -> None:
    """Issue 10 item 12: at 390 px the page was 607 px wide, expected/actual side by side."""
    page, console = _open_at(browser, tmp_path, _with_plan(failing_run), 390)
    assert _document_width(page) == 390
    page.locator("details.plan > summary").click()
    page.locator("tr.example", has_text="thames-uk-pipe-table").locator("button.name").click()
    page.locator("tr.example", has_text="brightside-rounding-cent").locator("button.name").click()
    assert page.locator("td.detail").count() == 2
    assert _document_width(page) == 390
    expected, actual = (
        page.locator("td.detail").first.locator(".side > div").nth(i).bounding_box() for i in (0, 1)
    )
    assert expected is not None
    assert actual is not None
    assert actual["y"] >= expected["y"] + expected["height"]  # stacked, not side by side
    assert expected["x"] == actual["x"]
    assert expected["x"] + expected["width"] <= 390
    # each row still shows its status, name, score and first difference
    first = page.locator("tr.example").first
    for text in ("fail", "thames-uk-pipe-table", "0.29", "/confidence: unexpected"):
        assert first.get_by_text(text).first.is_visible(), text
    page.screenshot(path=str(artifacts / "report-phone.png"), full_page=True)
    assert console.problems == []


def test_the_sync_plan_is_rendered_and_the_policy_stays_strict(
    browser: Browser, tmp_path: Path, failing_run: RunResults
) -> None:
    """Issue 10 item 11: the plan showed as Markdown source."""
    page, console = _open_at(browser, tmp_path, _with_plan(failing_run), 1280)
    page.locator("details.plan > summary").click()
    plan = page.locator("details.plan")
    expect(plan.locator("h3")).to_have_text("evalkit plan")
    assert plan.locator("h4 code").first.inner_text() == "~"
    assert plan.locator("li").count() >= 2
    plan.locator("details summary", has_text="diff").click()
    assert HOSTILE_IN_PLAN in plan.locator("pre code").inner_text()
    assert "###" not in plan.inner_text()
    assert plan.locator("img, script, a").count() == 0
    assert page.evaluate("window.__pwned === undefined")
    policy = page.locator("meta[http-equiv=Content-Security-Policy]").get_attribute("content")
    assert policy == (
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
    )
    assert console.problems == []


def test_near_passes_are_labelled_flagged_and_an_unchecked_gate_has_no_tick(
    browser: Browser, tmp_path: Path, near_pass: RunResults
) -> None:
    """Issue 10 items 6, 4 and 13, as a reader sees them."""
    page, console = _open_at(browser, tmp_path, near_pass, 1280)
    scores = page.locator("tr.example td.num").all_inner_texts()[::2]
    assert scores[:2] == ["≈1.00, 1 difference", "1.00, 1 difference"]
    passes_bar = page.locator("svg rect.bar.ok")
    assert passes_bar.evaluate("bar => getComputedStyle(bar).fill") == "rgb(26, 127, 55)"  # green
    gate = page.locator("#verdict li", has_text="regressions not checked")
    assert gate.inner_text().startswith("– max_regressions: regressions not checked:")
    assert "✓" not in gate.inner_text()

    unchecked = page.locator("tr.example", has_text=near_pass.results[3].example)
    assert unchecked.locator(".badge.json_not_checked").inner_text() == "output JSON not checked"
    unchecked.locator("button.name").click()
    assert "Output JSON not checked" in page.locator("td.detail").inner_text()

    page.locator("tr.example").first.locator("button.name").click()
    big = page.locator("[data-file='big.csv'] h3").inner_text()
    assert "score ≈1.00, 1 difference" in big
    page.fill("#search", "output json not checked")
    expect(page.locator("#shown")).to_have_text("1 of 5 examples shown")
    assert console.problems == []


def test_repeated_examples_show_their_attempt_strip_linked_to_each_execution(
    browser: Browser, tmp_path: Path, repeated: RunResults, artifacts: Path
) -> None:
    """Issue 12: k/n and a mark per attempt, each a link to its execution; the scope cards
    with the change in words; noise filterable; the phone layout still fits."""
    page, console = _open_at(browser, tmp_path, repeated, 1280)
    row = page.locator("tr.example", has_text="brightside-rounding-cent")
    strip = row.locator(".strip")
    assert strip.inner_text().replace("\n", "") == "✓✗✓✗✓✓✗✓ 5/8"
    marks = strip.locator("a.att")
    assert marks.count() == 8
    assert marks.nth(1).get_attribute("href") == (
        "http://127.0.0.1:8765/api/v1/agents/executions/exec_000021"
    )
    assert (
        marks.nth(1).get_attribute("title") == "attempt 2: fail, score 0.38, execution exec_000021"
    )
    assert "noise" in row.locator(".badge.noise").inner_text()
    row.locator("button.name").click()
    detail = page.locator("td.detail")
    assert "5 of 8 attempts passed; the verdict is by the rule rate 0.6 (adaptive" in (
        detail.inner_text()
    )
    assert detail.locator("ol.attempts li").count() == 8
    card = page.locator(".scope", has_text="whole run")
    assert "against the baseline: attempt pass rate 89% → 70%" in card.inner_text()
    assert "attempt pass rate 73% (95% CI" in card.inner_text()
    assert card.locator(".change").evaluate("p => getComputedStyle(p).color") == (
        "rgb(87, 96, 106)"  # muted, never the failure red
    )
    page.check("#status-filter input[value=noise]")
    assert (
        _shown(page) == "3 of 10 examples shown"
    )  # lumen too, since --confirm tests at alpha / looks
    assert console.problems == []

    phone, console = _open_at(browser, tmp_path, repeated, 390)
    assert _document_width(phone) == 390
    first = phone.locator("tr.example").first
    assert first.locator(".strip").is_visible()
    phone.screenshot(path=str(artifacts / "report-repeats-phone.png"), full_page=True)
    assert console.problems == []
