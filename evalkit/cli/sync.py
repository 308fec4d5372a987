"""``evalkit sync``: print the plan, then apply it (asks first in a terminal unless --yes)."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

from evalkit.cli import output
from evalkit.cli.context import GlobalOptions
from evalkit.cli.error_data import Failure, failure_of
from evalkit.cli.plan import orphan_error, planner_for, planning_options
from evalkit.client import EigenpalError
from evalkit.errors import ConfigError, PlanError
from evalkit.exit_codes import SYNC_STATE_CODES, ExitCode, exit_code_for
from evalkit.manifest import Manifest
from evalkit.planning import load_for_planning
from evalkit.sync import ApplyResult, Plan, load_plan, plan_to_data, render_text
from evalkit.sync.plan_file import check_saved_plan
from evalkit.sync.summary import apply_to_data, render_apply

#: the kind of error of a sync that applied nothing because it would not
REFUSED = "refused"


@click.command("sync")
@planning_options
@click.option("-y", "--yes", is_flag=True, help="Apply without asking (required with no terminal).")
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Apply this saved plan (from 'evalkit plan --out'); refused if the platform moved.",
)
@click.pass_context
def sync_command(
    ctx: click.Context,
    only: tuple[str, ...],
    environment: str | None,
    refresh: bool,
    concurrency: int,
    fail_on_orphans: bool,
    yes: bool,
    plan_file: Path | None,
) -> None:
    """Make the platform match the manifest: create agents, update their settings and upload
    changed files. A sync cut short by the platform is finished by running it again."""
    options: GlobalOptions = ctx.obj
    if plan_file is not None and (only or environment or refresh):
        raise ConfigError("--plan applies a saved plan as is: drop --only, --env and --refresh")
    if plan_file is not None:
        # the plan file is untrusted: what it uploads is checked against the manifest before
        # the platform is opened
        saved = load_plan(plan_file)
        manifest = load_for_planning(options.manifest, saved.environment)
        source: Plan | Manifest = check_saved_plan(saved, manifest, where=str(plan_file))
    else:
        source = load_for_planning(options.manifest, environment)
    with planner_for(options, concurrency) as planner:
        if isinstance(source, Plan):
            made = source
        else:  # a platform error here is reported by evalkit's main(): nothing was written
            made = planner.plan(source, only=only, refresh=refresh)
        if not options.json_output:
            output.say(output.trusted_markup(render_text(made, verbose=options.verbose > 0)))
        if fail_on_orphans and made.orphan_count:
            _finish(ctx, options, made, None, error=Failure(REFUSED, orphan_error(made)))
        if made.has_changes and not yes:
            _confirm_or_stop(ctx, options, made)
        if not any(agent.needs_write for agent in made.agents):
            _finish(ctx, options, made, ApplyResult())
        try:
            result = planner.apply(made)
        except PlanError as err:  # the saved plan is stale: nothing written
            _finish(ctx, options, made, None, error=Failure(REFUSED, str(err)))
        except EigenpalError as err:  # reading the agents failed: nothing written
            _finish(ctx, options, made, None, error=failure_of(err), code=exit_code_for(err))
    _finish(ctx, options, made, result)


def _confirm_or_stop(ctx: click.Context, options: GlobalOptions, made: Plan) -> None:
    if not output.is_interactive():
        from evalkit.cli.main import report_error

        needs_yes = output.needs_yes(
            "sync changes the platform", "review the changes with 'evalkit plan' first"
        )
        report_error(ConfigError(needs_yes), exit_code=ExitCode.USAGE, as_json=options.json_output)
        ctx.exit(ExitCode.USAGE)
    if not click.confirm("Apply these changes?", default=False):
        declined = Failure(REFUSED, "not applied: the changes were declined")
        _finish(ctx, options, made, None, error=declined)


def _finish(
    ctx: click.Context,
    options: GlobalOptions,
    made: Plan,
    result: ApplyResult | None,
    *,
    error: Failure | None = None,
    code: int = ExitCode.FAILURE,
) -> NoReturn:
    """Report and exit: with ``error`` nothing was applied, and the exit code is ``code``
    (a refusal unless told otherwise); else the code of the apply's state."""
    if options.json_output:
        output.emit_json(
            {
                "plan": plan_to_data(made),
                "result": apply_to_data(result) if result is not None else None,
                "error": error.data(code) if error is not None else None,
            }
        )
    if error is not None:
        if not options.json_output:
            output.error(error.said())
        ctx.exit(code)
    assert result is not None
    if not options.json_output:
        output.say(output.trusted_markup(render_apply(result)))
    ctx.exit(SYNC_STATE_CODES[result.state])
