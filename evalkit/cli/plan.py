"""``evalkit plan``: what a sync would change on the platform, as text, Markdown or JSON."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, TypeVar

import click

from evalkit.cli import output
from evalkit.cli.connect import connection_of, project_root
from evalkit.cli.context import GlobalOptions
from evalkit.errors import EvalkitError
from evalkit.exit_codes import DetailedPlanCode, ExitCode, exit_code_for
from evalkit.planning import Planner, load_for_planning, open_planner
from evalkit.sync import Plan, plan_to_data, render_markdown, render_text, save_plan

F = TypeVar("F", bound=Callable[..., Any])


def planning_options(command: F) -> F:
    """Options shared by ``plan`` and ``sync``."""
    decorators = [
        click.option(
            "--only", multiple=True, metavar="AGENT", help="Only this agent (repeatable)."
        ),
        click.option(
            "-e", "--env", "environment", metavar="NAME", help="The manifest environment to use."
        ),
        click.option(
            "--refresh", is_flag=True, help="Read every live file instead of trusting the record."
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(1, 64),
            default=8,
            show_default=True,
            help="Most reads and uploads in flight.",
        ),
        click.option(
            "--fail-on-orphans",
            is_flag=True,
            help="Live agents or files missing from the manifest are an error.",
        ),
    ]
    for decorate in reversed(decorators):
        command = decorate(command)
    return command


def planner_for(options: GlobalOptions, concurrency: int) -> AbstractContextManager[Planner]:
    """A planner on the configured platform (the local one when no URL is set)."""
    return open_planner(
        connection_of(options),
        project_root=project_root(options),
        concurrency=concurrency,
        note=output.note,
    )


def orphan_error(made: Plan) -> str:
    return (
        f"{made.orphan_count} orphan(s) on the platform and --fail-on-orphans is set: "
        "delete them in the dashboard, or add them to the manifest (evalkit pull SLUG)"
    )


@click.command("plan")
@planning_options
@click.option("--markdown", is_flag=True, help="Print Markdown (for a pull-request comment).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also save the plan as JSON, for 'evalkit sync --plan'.",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help=(
        f"Exit {int(DetailedPlanCode.NO_CHANGES)} when there are no changes, "
        f"{int(DetailedPlanCode.CHANGES)} when there are changes, "
        f"{int(DetailedPlanCode.ERROR)} on any error."
    ),
)
@click.pass_context
def plan_command(
    ctx: click.Context,
    only: tuple[str, ...],
    environment: str | None,
    refresh: bool,
    concurrency: int,
    fail_on_orphans: bool,
    markdown: bool,
    out: Path | None,
    detailed_exitcode: bool,
) -> None:
    """Show what 'evalkit sync' would change on the platform: + create, ~ update,
    ! drift (changed outside git; sync sets it back), ? orphans."""
    options: GlobalOptions = ctx.obj
    try:
        manifest = load_for_planning(options.manifest, environment)
        with planner_for(options, concurrency) as planner:
            made = planner.plan(manifest, only=only, refresh=refresh)
        if out is not None:
            save_plan(made, out)
    except (EvalkitError, OSError) as err:
        if not detailed_exitcode or (isinstance(err, OSError) and not err.filename):
            raise
        from evalkit.cli.main import report_error

        code = exit_code_for(err, detailed_plan=True)
        report_error(err, exit_code=code, as_json=options.json_output)
        ctx.exit(code)
    if options.json_output:
        output.emit_json(plan_to_data(made))
    elif markdown:
        output.plain(render_markdown(made))
    else:
        output.say(output.trusted_markup(render_text(made, verbose=options.verbose > 0)))
    if out is not None:
        output.note(f"plan saved to {out}; apply it with 'evalkit sync --plan {out}'")
    if fail_on_orphans and made.orphan_count:
        output.error(orphan_error(made))
        ctx.exit(ExitCode.FAILURE)
    if detailed_exitcode:
        ctx.exit(DetailedPlanCode.CHANGES if made.has_changes else DetailedPlanCode.NO_CHANGES)
