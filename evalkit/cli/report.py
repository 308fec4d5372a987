"""``evalkit report``: render the reports again from a run's results (HTML, JUnit, Markdown).

``--html-link`` is ``cli.html_link``'s, shared with ``evalkit run``.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from evalkit.cli import output
from evalkit.cli.context import GlobalOptions
from evalkit.cli.html_link import given_html_link, html_link_option
from evalkit.conventions import in_github_actions
from evalkit.errors import RunError
from evalkit.report import REPORT_FILES, RunResults, load_results, render_report
from evalkit.report.github import publish
from evalkit.report.history import earlier_runs
from evalkit.report.shard_merge import ALL_SHARDS_GATE, merge_runs, refuse_merge_into, write_run


@click.command("report")
@click.argument("results", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--html", "html_file", type=click.Path(dir_okay=False, path_type=Path), help="HTML file."
)
@click.option(
    "--junit", "junit_file", type=click.Path(dir_okay=False, path_type=Path), help="JUnit XML file."
)
@click.option(
    "--markdown",
    "markdown_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Markdown summary file.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="With no file option: write every format here (default: beside the results, reports/).",
)
@click.option(
    "--merged",
    "merged_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="RESULTS are the shards of one run: write the merged run here (results.jsonl, "
    "summary.json). Every shard 1..N must be given once.",
)
@click.option(
    "--allow-missing-shards",
    is_flag=True,
    help="Merge even when shards are missing or incomplete; the merged run then fails its "
    "all_shards gate.",
)
@click.option(
    "--baseline",
    type=click.Path(exists=True, path_type=Path),
    help="A previous run's summary.json, or its folder, for deltas (default: the one the run "
    "used).",
)
@click.option(
    "--history",
    "history_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder of earlier runs' summary.json files (any depth, e.g. a downloaded history "
    "artifact): the HTML report draws each agent's pass-rate trend.",
)
@html_link_option
@click.option(
    "--github/--no-github",
    default=None,
    help="Step summary and annotations (default: when GITHUB_ACTIONS=true).",
)
@click.option(
    "--gate", is_flag=True, help="Exit with the run's gate verdict (1 when a gate failed)."
)
@click.pass_context
def report(
    ctx: click.Context,
    results: tuple[Path, ...],
    html_file: Path | None,
    junit_file: Path | None,
    markdown_file: Path | None,
    out_dir: Path | None,
    merged_dir: Path | None,
    allow_missing_shards: bool,
    baseline: Path | None,
    history_dir: Path | None,
    github: bool | None,
    gate: bool,
) -> None:
    """Render reports from RESULTS: a run folder, its results.jsonl or its summary.json.

    With no --html/--junit/--markdown, every format is written into --out. With --merged,
    RESULTS are the shards of one run (every shard 1..N once, N from their --shard K/N; a run
    without --shard is 1/1): they are merged into --merged and the gates judge the whole.
    Exit codes: 0 done, 2 bad input (a shard missing, given twice or from another run); with
    --gate, the run's own code (0 all gates passed, 1 a gate failed, 3 infrastructure,
    130 interrupted).
    """
    options: GlobalOptions = ctx.obj
    if allow_missing_shards and merged_dir is None:
        raise click.UsageError("--allow-missing-shards is for merging: give --merged DIR")
    html_link = given_html_link()
    run, home = _load(results, merged_dir, baseline, allow_missing=allow_missing_shards)
    if history_dir is not None:
        # the folder may hold runs that came after this one (an older run reported again)
        run.history = earlier_runs([history_dir], before=run.mark())
        for warning in run.history.warnings:
            output.note(f"warning: {warning}")
    chosen = {"html": html_file, "junit": junit_file, "markdown": markdown_file}
    targets = {name: path for name, path in chosen.items() if path is not None}
    if not targets:
        folder = out_dir or home / "reports"
        targets = {name: folder / file_name for name, file_name in REPORT_FILES.items()}
    elif out_dir is not None:
        raise click.UsageError("--out is for writing every format; give it or file options")
    written = {}
    for name, path in targets.items():
        link = html_link or _relative_link(targets.get("html"), path)
        written.update(_write_one(run, name, path, link))
    if github if github is not None else in_github_actions():
        for line in publish(run, os.environ, html_link=html_link, reports=written):
            output.plain(line)
    if options.json_output:
        output.emit_json({name: str(path) for name, path in written.items()})
    else:
        for name, path in written.items():
            output.say(f"{name}: {click.format_filename(path)}")
    if gate:
        ctx.exit(_gate_exit_code(run))


def _load(
    results: tuple[Path, ...],
    merged_dir: Path | None,
    baseline: Path | None,
    *,
    allow_missing: bool,
) -> tuple[RunResults, Path]:
    """The run to report on, and the folder its reports go beside by default."""
    if merged_dir is None:
        if len(results) > 1:
            raise click.UsageError("several RESULTS are merged: say where with --merged DIR")
        path = results[0]
        return _warned(
            load_results(path, baseline=baseline)
        ), path if path.is_dir() else path.parent
    refuse_merge_into(merged_dir, results)  # before anything is read or written
    shards = [_warned(load_results(path, baseline=baseline)) for path in results]
    run = merge_runs(shards, allow_missing=allow_missing)  # refused before anything is written
    write_run(run, merged_dir)
    output.note(f"merged {len(results)} shard(s) ({len(run.results)} examples) into {merged_dir}")
    for gate in run.summary.gates if run.summary is not None else []:
        if gate.name == ALL_SHARDS_GATE:
            output.note(f"warning: {gate.message}")
    return run, merged_dir


def _warned(run: RunResults) -> RunResults:
    """Say what reading left out (a crash's cut-short last line, a baseline not read)."""
    for warning in run.warnings:
        output.note(f"warning: {warning}")
    return run


def _gate_exit_code(run: RunResults) -> int:
    if run.summary is None:
        raise RunError("--gate needs the run's summary.json (gates are evaluated by 'evalkit run')")
    if run.summary.outcome:
        output.note(run.summary.outcome)
    return run.summary.exit_code


def _write_one(run: RunResults, name: str, path: Path, link: str | None) -> dict[str, Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(run, name, html_link=link), encoding="utf-8")
    return {name: path}


def _relative_link(html: Path | None, beside: Path) -> str | None:
    if html is None:
        return None
    return os.path.relpath(html, beside.parent).replace(os.sep, "/")
