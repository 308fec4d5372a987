"""``evalkit report``: render the reports again from a run's results (HTML, JUnit, Markdown).

``publish_reports`` is also what ``evalkit run`` calls after a run: it writes every format into
the report folder and, inside GitHub Actions, the step summary and failure annotations.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import click

from evalkit.cli import output
from evalkit.cli.context import GlobalOptions
from evalkit.report import REPORT_FILES, RunResults, load_results, render_report, write_reports
from evalkit.report.github import in_github_actions, publish

#: where ``evalkit run`` writes reports, under the manifest's folder: <this>/<run id>/
REPORTS_FOLDER = Path(".evalkit") / "reports"


def publish_reports(
    run: RunResults,
    report_dir: Path,
    *,
    html_link: str | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, Path]:
    """Write every report into ``report_dir``; in GitHub Actions also append the step summary
    and print an ``::error`` annotation per failing example. Returns the files written."""
    environment = os.environ if env is None else env
    written = write_reports(run, report_dir, html_link=html_link)
    if in_github_actions(environment):
        for line in publish(run, environment, html_link=html_link):
            output.plain(line)
    return written


@click.command("report")
@click.argument("results", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the HTML report here.",
)
@click.option(
    "--junit",
    "junit_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write JUnit XML here.",
)
@click.option(
    "--markdown",
    "markdown_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the Markdown summary here.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="With no file option: write all formats here (default: RESULTS' folder/reports).",
)
@click.option(
    "--baseline",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A previous summary.json for deltas (default: the one the run used).",
)
@click.option("--html-link", metavar="URL", help="Where the Markdown links to the HTML report.")
@click.option(
    "--github/--no-github",
    default=None,
    help="Step summary and annotations (default: when GITHUB_ACTIONS=true).",
)
@click.pass_context
def report(
    ctx: click.Context,
    results: Path,
    html_file: Path | None,
    junit_file: Path | None,
    markdown_file: Path | None,
    out_dir: Path | None,
    baseline: Path | None,
    html_link: str | None,
    github: bool | None,
) -> None:
    """Render reports from RESULTS: a run folder, its results.jsonl or its summary.json.

    With no --html/--junit/--markdown, every format is written into --out.
    """
    options: GlobalOptions = ctx.obj
    run = load_results(results, baseline=baseline)
    chosen = {"html": html_file, "junit": junit_file, "markdown": markdown_file}
    targets = {name: path for name, path in chosen.items() if path is not None}
    if not targets:
        folder = out_dir or (results if results.is_dir() else results.parent) / "reports"
        targets = {name: folder / file_name for name, file_name in REPORT_FILES.items()}
    elif out_dir is not None:
        raise click.UsageError("--out is for writing every format; give it or file options")
    written = {}
    for name, path in targets.items():
        link = html_link or _relative_link(targets.get("html"), path)
        written.update(_write_one(run, name, path, link))
    if github if github is not None else in_github_actions():
        for line in publish(run, os.environ, html_link=html_link):
            output.plain(line)
    if options.json_output:
        output.emit_json({name: str(path) for name, path in written.items()})
    else:
        for name, path in written.items():
            output.say(f"{name}: {click.format_filename(path)}")


def _write_one(run: RunResults, name: str, path: Path, link: str | None) -> dict[str, Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(run, name, html_link=link), encoding="utf-8")
    return {name: path}


def _relative_link(html: Path | None, beside: Path) -> str | None:
    if html is None:
        return None
    return os.path.relpath(html, beside.parent).replace(os.sep, "/")
