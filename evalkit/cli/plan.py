"""``evalkit plan``: what a sync would change on the platform, as text, Markdown or JSON."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from evalkit.cli import output
from evalkit.cli.context import GlobalOptions
from evalkit.cli.exit_codes import DetailedPlanCode, ExitCode, exit_code_for
from evalkit.cli.target import open_target
from evalkit.client import EigenpalClient
from evalkit.errors import EvalkitError
from evalkit.manifest import Manifest, load_manifest
from evalkit.sync import Plan, plan, plan_to_data, render_markdown, render_text, save_plan

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


@contextmanager
def connected(options: GlobalOptions) -> Iterator[EigenpalClient]:
    """A client for the configured platform (the local one when no URL is set)."""
    with open_target(options) as target:
        output.note(f"platform: {target.description}")
        with EigenpalClient(api_key=target.api_key, base_url=target.base_url) as client:
            yield client


def planned_manifest(options: GlobalOptions, environment: str | None) -> Manifest:
    """The manifest to plan, loaded before any platform is contacted or started: a broken
    manifest is reported without waiting for a platform."""
    manifest = load_manifest(options.manifest)
    return manifest.with_environment(environment) if environment else manifest


def make_plan(
    manifest: Manifest,
    client: EigenpalClient,
    *,
    only: tuple[str, ...],
    refresh: bool,
    concurrency: int,
) -> Plan:
    return plan(manifest, client, only=only, refresh=refresh, concurrency=concurrency)


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
        manifest = planned_manifest(options, environment)
        with connected(options) as client:
            made = make_plan(manifest, client, only=only, refresh=refresh, concurrency=concurrency)
        if out is not None:
            save_plan(made, out)
    except (EvalkitError, OSError) as err:
        if not detailed_exitcode or (isinstance(err, OSError) and not err.filename):
            raise
        from evalkit.cli.main import report_error

        report_error(err)
        ctx.exit(exit_code_for(err, detailed_plan=True))
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
