"""Reports from a run's results: HTML, JUnit XML, Markdown, and GitHub Actions output.

    load_results(path)              -> RunResults   a results folder, results.jsonl or summary.json
    write_reports(run, out_dir)     -> {format: path}
    render_html / render_junit / render_markdown(run) -> str
    render_report(run, format)      -> str

Reports read only results; nothing here talks to a platform.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from evalkit.collector import collection_paused
from evalkit.report.html import render_html
from evalkit.report.junit import render_junit
from evalkit.report.loading import RunResults, load_results
from evalkit.report.markdown import render_markdown
from evalkit.report.view import ReportView, build_view

#: format -> file name written by ``write_reports``
REPORT_FILES = {"html": "report.html", "junit": "junit.xml", "markdown": "summary.md"}
FORMATS = tuple(REPORT_FILES)


def write_reports(
    results: RunResults,
    out_dir: Path,
    *,
    formats: Iterable[str] = FORMATS,
    html_link: str | None = None,
    view: ReportView | None = None,
) -> dict[str, Path]:
    """Write each format into ``out_dir``; return where each went. ``html_link`` is where the
    Markdown points for the HTML report (default: the file written beside it). ``view``:
    ``build_view(results)``, when the caller has it already; else it is built once here, for
    every format."""
    chosen = list(formats)
    unknown = sorted(set(chosen) - set(REPORT_FILES))
    if unknown:
        raise ValueError(f"unknown report format(s) {', '.join(unknown)}; use {', '.join(FORMATS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    link = html_link or (REPORT_FILES["html"] if "html" in chosen else None)
    written: dict[str, Path] = {}
    with collection_paused():
        view = view if view is not None else build_view(results)
        for name in chosen:
            path = out_dir / REPORT_FILES[name]
            text = render_report(results, name, html_link=link, view=view)
            path.write_text(text, encoding="utf-8")
            written[name] = path
    return written


def render_report(
    results: RunResults,
    name: str,
    *,
    html_link: str | None = None,
    view: ReportView | None = None,
) -> str:
    """One format as text: ``html``, ``junit`` or ``markdown``. ``view``:
    ``build_view(results)``, when the caller has it already."""
    with collection_paused():
        if name == "html":
            return render_html(results, view=view)
        if name == "junit":
            return render_junit(results, view=view)
        if name == "markdown":
            return render_markdown(results, html_link=html_link, view=view)
    raise ValueError(f"unknown report format {name!r}; use {', '.join(FORMATS)}")


__all__ = [
    "FORMATS",
    "REPORT_FILES",
    "RunResults",
    "load_results",
    "render_html",
    "render_junit",
    "render_markdown",
    "render_report",
    "write_reports",
]
