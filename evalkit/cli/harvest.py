"""``evalkit harvest``: the executions that the filters select become examples, each once."""

from __future__ import annotations

import click

from evalkit.cli import output
from evalkit.cli.connect import connection_of, project_root
from evalkit.cli.context import GlobalOptions
from evalkit.harvesting.entry import harvest
from evalkit.harvesting.filters import DEFAULT_LIMIT, RATINGS, STATUSES
from evalkit.harvesting.promote import KEEP_WRONG_ANSWERS
from evalkit.harvesting.render import harvest_data, render_harvest


@click.command("harvest")
@click.option(
    "--agent", metavar="SLUG", help="The manifest agent to harvest (default: the only one)."
)
@click.option(
    "--feedback-status",
    type=click.Choice(STATUSES),
    help="Only executions whose feedback has this status.",
)
@click.option(
    "--rating", type=click.Choice(RATINGS), help="Only this feedback rating ('none': unrated)."
)
@click.option(
    "--has-expected", is_flag=True, help="Only executions with a reviewer's expected output."
)
@click.option(
    "--since",
    metavar="WHEN",
    help="Only executions created since: ISO-8601 (2026-01-31) or a span (7d, 12h).",
)
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=DEFAULT_LIMIT,
    show_default=True,
    help="Most new examples to write.",
)
@click.option("--dry-run", is_flag=True, help="Say what would be written; write nothing.")
@click.option(
    KEEP_WRONG_ANSWERS,
    "keep_wrong_answers",
    is_flag=True,
    help="Also harvest executions rated fail or partial without a reviewer's expected output: "
    "their examples expect the answer known to be wrong (skipped by default).",
)
@click.pass_context
def harvest_command(
    ctx: click.Context,
    agent: str | None,
    feedback_status: str | None,
    rating: str | None,
    has_expected: bool,
    since: str | None,
    limit: int,
    dry_run: bool,
    keep_wrong_answers: bool,
) -> None:
    """Write an example from every execution the filters select (newest first) that no
    example names in its source.json yet, named <created>-<id>: a second harvest writes
    nothing new. Executions evalkit run started are skipped, and so are those rated fail or
    partial without a reviewer's expected output (their output is known to be wrong)."""
    options: GlobalOptions = ctx.obj
    result = harvest(
        options.manifest,
        agent=agent,
        feedback_status=feedback_status,
        rating=rating,
        has_expected=True if has_expected else None,
        since=since,
        limit=limit,
        dry_run=dry_run,
        keep_wrong_answers=keep_wrong_answers,
        connection=connection_of(options),
        note=output.note,
    )
    base = project_root(options)
    if options.json_output:
        output.emit_json(harvest_data(result, base))
    else:
        output.say(render_harvest(result, base))
    for warning in result.warnings:
        output.note(f"warning: {warning}")
