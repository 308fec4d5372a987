"""Screenshot an HTML report in headless Chromium (for the README and the browser tests).

    python -m scripts.screenshot RESULTS OUT.png [--open-first-problem]

RESULTS is a results folder, ``results.jsonl``, ``summary.json`` or an already rendered
``report.html``. Needs the ``playwright`` package (the dev extra) and a Chromium: the one
``EVALKIT_CHROMIUM`` names, else Debian's ``/usr/bin/chromium``, else Playwright's own download
(``python -m playwright install chromium``; ``scripts/check`` makes it where Debian's package
cannot be installed).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.errors import EvalkitError

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """The Chromium to drive: ``EVALKIT_CHROMIUM``, else Debian's; None means Playwright's own."""
    named = os.environ.get("EVALKIT_CHROMIUM")
    if named:
        return named
    return CHROMIUM if Path(CHROMIUM).is_file() else None


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium driven by Playwright."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:
        raise EvalkitError(
            "screenshots need the 'playwright' package: pip install 'evalkit[dev]'"
        ) from err
    executable = chromium_path()
    with sync_playwright() as playwright:
        if executable is None and not Path(playwright.chromium.executable_path).is_file():
            raise EvalkitError(
                f"no Chromium at {CHROMIUM} and none downloaded by Playwright: install Debian's "
                "'chromium' package, run 'python -m playwright install chromium', or set "
                "EVALKIT_CHROMIUM to a Chromium executable"
            )
        if executable is not None and not Path(executable).is_file():
            raise EvalkitError(
                f"no Chromium at {executable}: install Debian's 'chromium' package or set "
                "EVALKIT_CHROMIUM to a Chromium executable"
            )
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def open_report(page: Page, html: Path) -> None:
    """Load a report from disk and wait until its script has drawn the tables."""
    page.goto(html.resolve().as_uri())
    page.wait_for_selector("body[data-ready=true]")


def open_first_problem(page: Page) -> str | None:
    """Open the details of the first example that did not pass (the tables list regressions and
    failures first); its name, or None when every example passed.

    Clicks the example's name, a button: a click on the row's middle would land on whatever
    cell is there, the execution's "open" link included."""
    problem = page.locator("tr.example:not([data-status=pass])").first
    if not problem.count():
        return None
    name = problem.locator("button.name")
    name.click()
    problem.locator("xpath=following-sibling::tr[1]/td[contains(@class, 'detail')]").wait_for()
    return name.inner_text()


def screenshot(
    html: Path,
    out: Path,
    *,
    first_problem: bool = False,
    width: int = 1280,
    height: int | None = None,
) -> Path:
    """PNG of the report: the whole page, or its top ``height`` pixels; with
    ``first_problem``, the first example that did not pass opened."""
    with chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": height or 900})
        open_report(page, html)
        if first_problem:
            open_first_problem(page)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out), full_page=height is None)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.screenshot")
    parser.add_argument("results", type=Path, help="results folder/file, or a report.html")
    parser.add_argument("out", type=Path, help="PNG file to write")
    parser.add_argument("--open-first-problem", action="store_true")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, help="only the top of the page (default: all)")
    args = parser.parse_args(argv)
    shot = {"first_problem": args.open_first_problem, "width": args.width}
    try:
        if args.results.suffix == ".html":
            screenshot(args.results, args.out, height=args.height, **shot)
        else:
            from evalkit.report import load_results, render_html

            with tempfile.TemporaryDirectory() as folder:
                page = Path(folder) / "report.html"
                page.write_text(render_html(load_results(args.results)), encoding="utf-8")
                screenshot(page, args.out, height=args.height, **shot)
    except EvalkitError as err:
        sys.stderr.write(f"error: {err}\n")
        return 2
    sys.stderr.write(f"wrote {args.out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
