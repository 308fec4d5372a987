"""``evalkit accept``: a run's outputs become the expected outputs (asks first in a terminal
unless --yes; refused in CI unless --force). ``evalkit run --update`` uses the same pieces; the
accept itself (``runner.accept``, the comparison and the manifest editors) is imported only when
one runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from evalkit.cli import output
from evalkit.cli.context import GlobalOptions
from evalkit.runner.accept_plan import AcceptError, AcceptOutcome, AcceptPlan


@click.command("accept")
@click.argument("run", required=False, type=click.Path(path_type=Path), metavar="[RUN]")
@click.option(
    "--only", multiple=True, metavar="NAME", help="Only this agent or workflow (repeatable)."
)
@click.option("--example", "examples", multiple=True, metavar="GLOB", help="Example names.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Examples with this tag.")
@click.option("-y", "--yes", is_flag=True, help="Write without asking (required with no terminal).")
@click.option("--force", is_flag=True, help="Accept even when CI is set.")
@click.pass_context
def accept_command(
    ctx: click.Context,
    run: Path | None,
    only: tuple[str, ...],
    examples: tuple[str, ...],
    tags: tuple[str, ...],
    yes: bool,
    force: bool,
) -> None:
    """Write the actual outputs of a run's examples that did not pass into their expected
    files (expected.json, expected/, or the manifest's inline expected:), changing only what
    the comparison found different. RUN: a run folder (default: the latest under
    .evalkit/runs/). Shows the change as a diff first."""
    from evalkit.runner.accept import accept, selected

    options: GlobalOptions = ctx.obj
    outcome = accept(
        run,
        options.manifest,
        selected(only, examples, tags),
        confirm=confirmer(yes=yes, as_json=options.json_output),
        force=force,
    )
    show_outcome(outcome, as_json=options.json_output)
    ctx.exit(outcome.exit_code)


def confirmer(*, yes: bool, as_json: bool, command: str = "accept") -> Callable[[AcceptPlan], bool]:
    """Shows the plan's diff, then asks (``--yes``: does not; no terminal: refuses)."""

    def confirm(plan: AcceptPlan) -> bool:
        if not as_json:
            output.plain(plan.diff())
            # what will not be written, before the question (not after the answer)
            for line in plan_notes(plan):
                output.plain(line)
        if yes:
            return True
        check_can_ask(yes, command)
        # on standard error: standard output stays the diff's (and --json's)
        return click.confirm("Write these changes?", default=False, err=True)

    return confirm


def check_can_ask(yes: bool, command: str = "accept") -> None:
    """``AcceptError`` when the prompt cannot be asked (no terminal) and ``--yes`` is not
    given; ``run --update`` checks it before any example runs."""
    if not yes and not output.is_interactive():
        raise AcceptError(
            output.needs_yes(
                f"{command} rewrites expected outputs",
                "review the change with 'evalkit accept' in a terminal, or 'git diff' after",
            )
        )


def outcome_data(outcome: AcceptOutcome) -> dict[str, Any]:
    return {**outcome.plan.to_dict(), "written": outcome.written, "declined": outcome.declined}


def show_outcome(outcome: AcceptOutcome, *, as_json: bool) -> None:
    if as_json:
        output.emit_json(outcome_data(outcome))
        return
    for line in outcome_lines(outcome):
        output.plain(line)


def outcome_lines(outcome: AcceptOutcome) -> list[str]:
    """What came of an accept; the plan's notes too, unless the question (``confirmer``),
    asked only when there was something to write, showed them already."""
    plan = outcome.plan
    files = len(plan.writes)
    lines = []
    if outcome.declined:
        lines.append("declined: nothing written")
    elif outcome.written:
        lines.append(
            f"accepted {_count(len(plan.changes), 'example')} of run {plan.run_dir}: "
            f"wrote {_count(files, 'file')} (review with 'git diff')"
        )
    else:
        lines.append(f"nothing to accept in run {plan.run_dir}")
    if not plan.writes:
        lines += plan_notes(plan)
    return lines


def plan_notes(plan: AcceptPlan) -> list[str]:
    """What the accept leaves as it is, and why: passed, unchanged, still different under a
    rule, refused."""
    lines = []
    if plan.passed:
        lines.append(f"{_count(plan.passed, 'example')} passed: nothing to change")
    for label in plan.unchanged:
        lines.append(f"unchanged: {label}: under the rules in force its output matches")
    for change in plan.changes:
        for left in change.left:
            lines.append(
                f"still different: {change.label}: {left} (a rule decides, not the "
                "expected value: change the rule)"
            )
    for item in plan.refused:
        lines.append(f"not accepted: {item.label} ({item.verdict.value}): {item.reason}")
    return lines


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
