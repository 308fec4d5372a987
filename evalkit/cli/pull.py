"""``evalkit pull``: bring live agents under git (manifest entry, workspace files, examples)."""

from __future__ import annotations

from pathlib import Path

import click

from evalkit.cli import output
from evalkit.cli.context import GlobalOptions
from evalkit.cli.plan import planner_for
from evalkit.cli.validate import format_problems
from evalkit.exit_codes import ExitCode
from evalkit.manifest.scaffold import ensure_gitignore
from evalkit.sync import pull
from evalkit.sync.pull import check_pullable
from evalkit.sync.summary import pull_to_data, render_pull


@click.command("pull")
@click.argument("slugs", nargs=-1, required=True, metavar="SLUG...")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Project folder to write into (default: the manifest's folder).",
)
@click.option(
    "--concurrency", type=click.IntRange(1, 64), default=8, show_default=True, help="Downloads."
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite local files that differ from the platform even when git could not give "
    "them back (changed since the last commit, or not committed).",
)
@click.pass_context
def pull_command(
    ctx: click.Context,
    slugs: tuple[str, ...],
    directory: Path | None,
    concurrency: int,
    force: bool,
) -> None:
    """Write live agents into the manifest and their files beside it; then 'evalkit plan'
    shows no changes. Existing entries are updated in place, comments kept. The manifest must
    load first ('evalkit validate'); nothing is written otherwise."""
    options: GlobalOptions = ctx.obj
    manifest_path = directory / options.manifest.name if directory else options.manifest
    # Before the platform is opened (a local one would be started, its state written): a
    # manifest that does not load, or an entry pull cannot update, leaves everything as it was.
    declared = check_pullable(manifest_path, slugs)
    with planner_for(options, concurrency) as planner:
        result = pull(
            planner.client,
            list(slugs),
            manifest_path=manifest_path,
            concurrency=concurrency,
            declared=declared,
            force=force,
        )
    if result.created_manifest:
        ensure_gitignore(manifest_path.parent)
    if options.json_output:
        output.emit_json(pull_to_data(result))
    else:
        output.say(output.trusted_markup(render_pull(result)))
    if result.problems:
        # What the platform holds does not load (e.g. a broken expected.json): the files are
        # written, so the user can fix them, but the pull did not give a working manifest.
        output.error(
            f"{manifest_path} does not load after the pull; fix the files below, then "
            f"'evalkit validate' and 'evalkit plan':\n{format_problems(list(result.problems))}"
        )
        ctx.exit(ExitCode.FAILURE)
