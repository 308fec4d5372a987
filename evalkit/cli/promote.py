"""``evalkit promote``: one execution on the platform becomes an example folder in git."""

from __future__ import annotations

import click

from evalkit.cli import output
from evalkit.cli.connect import connection_of, project_root
from evalkit.cli.context import GlobalOptions
from evalkit.harvesting.entry import promote
from evalkit.harvesting.render import promote_warnings, promoted_data, render_promoted


@click.command("promote")
@click.argument("execution_id", metavar="EXECUTION_ID")
@click.option("--name", required=True, help="The new example's name (its folder's name).")
@click.option(
    "--agent", metavar="SLUG", help="The manifest agent it belongs to (default: the only one)."
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace the example of that name in the folder promote writes to (not an inline "
    "example, nor one in another examples folder); or write a second example of an execution "
    "an example names already.",
)
@click.option("--dry-run", is_flag=True, help="Say what would be written; write nothing.")
@click.pass_context
def promote_command(
    ctx: click.Context,
    execution_id: str,
    name: str,
    agent: str | None,
    force: bool,
    dry_run: bool,
) -> None:
    """Write an example from one execution: its input JSON and files, and as expected output
    the reviewer's expected JSON and files from its feedback, else its output. The example's
    source.json names the execution."""
    options: GlobalOptions = ctx.obj
    promoted = promote(
        execution_id,
        name=name,
        manifest=options.manifest,
        agent=agent,
        force=force,
        dry_run=dry_run,
        connection=connection_of(options),
        note=output.note,
    )
    base = project_root(options)
    if options.json_output:
        for warning in promote_warnings(promoted):
            output.note(warning)
        output.emit_json({**promoted_data(promoted, base), "dry_run": dry_run})
    else:
        output.say(render_promoted(promoted, base, dry_run=dry_run))
