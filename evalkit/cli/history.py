"""``evalkit history [PATHS...]``: each agent's pass rate and mean score over the last runs."""

from __future__ import annotations

from pathlib import Path

import click

from evalkit.cli import output
from evalkit.cli.context import GlobalOptions
from evalkit.conventions import RUNS_FOLDER
from evalkit.report.history import (
    DEFAULT_LAST,
    find_history,
    history_data,
    history_markdown,
    history_rows,
)


@click.command("history")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--last",
    type=click.IntRange(min=1),
    default=DEFAULT_LAST,
    show_default=True,
    help="How many of the newest runs to show.",
)
@click.option("--markdown", is_flag=True, help="Print Markdown (a pull-request comment).")
@click.pass_obj
def history(options: GlobalOptions, paths: tuple[Path, ...], last: int, markdown: bool) -> None:
    """Pass rate and mean score per agent over the last runs, oldest first.

    PATHS are run folders, summary.json files, or folders holding them at any depth (a
    downloaded CI artifact); default: the project's .evalkit/runs/ beside the manifest. Runs
    are ordered by the start time their summary records. A file that is not an evalkit run
    summary is skipped with a warning.
    """
    where = list(paths) or [options.manifest.parent / RUNS_FOLDER]
    found = find_history(where, last=last)
    for warning in found.warnings:
        output.note(f"warning: {warning}")
    if options.json_output:
        output.emit_json(history_data(found))
    elif markdown:
        output.plain(history_markdown(found))
    else:
        header, rows = history_rows(found)
        shown = f"the last {len(found.runs)} of {found.found} runs" if found.found > last else ""
        output.table(
            header,
            rows,
            caption="each cell: pass rate, mean score" + (f"; {shown}" if shown else ""),
        )
