"""``evalkit run``: the options become one ``RunConfig``; ``evalkit.run`` does the rest.

What only some runs use (``--update``'s accept, ``--history``'s reading) is imported when it
is used: a run starts its first examples sooner (tests/test_project.py checks the imports).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from evalkit.cli import output
from evalkit.cli.connect import connection_of
from evalkit.cli.context import GlobalOptions
from evalkit.cli.early_launch import take_launch
from evalkit.cli.html_link import given_html_link, html_link_option
from evalkit.cli.progress import ProgressView
from evalkit.errors import ConfigError
from evalkit.evaluation import RunHooks, RunOutcome, run
from evalkit.manifest.limits import GATE_RANGES
from evalkit.runner.config import (
    DEFAULT_CONCURRENCY,
    DEFAULT_CONFIDENCE,
    DEFAULT_TIMEOUT_SECONDS,
    MAX_CONCURRENCY,
    MAX_RETRIES,
    MAX_TIMEOUT_SECONDS,
    RunConfig,
)
from evalkit.runner.gates import GateConfig
from evalkit.runner.jobs import Selection
from evalkit.runner.repeats import MAX_TIMES, PassRule
from evalkit.runner.shards import Shard, parse_shard

if TYPE_CHECKING:
    from evalkit.runner.accept_plan import AcceptOutcome


def _shard(ctx: click.Context, param: click.Parameter, value: str | None) -> Shard | None:
    del ctx, param
    return parse_shard(value) if value is not None else None


def _pass_rule(ctx: click.Context, param: click.Parameter, value: str | None) -> PassRule | None:
    del ctx
    try:
        return PassRule.parse(value) if value is not None else None
    except ConfigError as err:
        raise click.BadParameter(str(err), param=param) from None


def gate_type(name: str) -> click.IntRange | click.FloatRange:
    """The values a gate's option takes: its range as the manifest's ``gates:`` has it."""
    whole, low, high = GATE_RANGES[name]
    return click.IntRange(low, high) if whole else click.FloatRange(low, high)


@click.command("run")
@click.option(
    "--only",
    multiple=True,
    metavar="NAME",
    help="Only this agent or workflow (name@version: one workflow version).",
)
@click.option("--example", "examples", multiple=True, metavar="GLOB", help="Example names.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Examples with this tag.")
@click.option(
    "--shard",
    metavar="K/N",
    callback=_shard,
    help="Only shard K of N (1-based), split by a stable hash of agent/example.",
)
@click.option(
    "--changed-since",
    metavar="REF",
    help="Only the agents and workflows changed since REF's merge base with HEAD (e.g. "
    "origin/main; uncommitted and untracked files count), and examples tagged always.",
)
@click.option(
    "--retries",
    type=click.IntRange(0, MAX_RETRIES),
    metavar="N",
    default=0,
    show_default=True,
    help="Run an example that does not pass again, up to N times (a later pass is flaky).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, MAX_CONCURRENCY),
    default=DEFAULT_CONCURRENCY,
    show_default=True,
    help="Most executions in flight; lowered automatically on 429.",
)
@click.option(
    "--timeout",
    "timeout_seconds",
    type=click.FloatRange(1, MAX_TIMEOUT_SECONDS),
    default=DEFAULT_TIMEOUT_SECONDS,
    show_default=True,
    help="Seconds per example; then its execution is cancelled.",
)
@click.option(
    "--repeat",
    type=click.IntRange(1, MAX_TIMES),
    metavar="N",
    help="Run every example N times (over the manifest's repeat); pass_if makes the verdict.",
)
@click.option(
    "--pass-if",
    "pass_if",
    metavar="RULE",
    callback=_pass_rule,
    help="What k passes of n make a pass: all (default), any, at_least K, rate R.",
)
@click.option(
    "--confirm",
    is_flag=True,
    help="Run each example once, then again only while its change from --baseline is "
    "undecided (up to --repeat, or 8): the evidence of repeats for fewer executions.",
)
@click.option(
    "--max-executions",
    type=click.IntRange(1),
    metavar="N",
    help="With --confirm: most executions in the whole run.",
)
@click.option(
    "--confidence",
    type=click.FloatRange(0.5, 1, max_open=True),
    help=f"Of every interval and test (pass rates, scores, regressions); default the "
    f"manifest's gates.confidence, else {DEFAULT_CONFIDENCE}.",
)
@click.option("--no-feedback", is_flag=True, help="Do not write verdicts onto executions.")
@click.option(
    "--no-calibration",
    is_flag=True,
    help="Do not add the labelled examples of the judge agents the selected examples use "
    "(their calibration is then not measured).",
)
@click.option(
    "--no-judge-cache",
    is_flag=True,
    help="Run every judge agent again instead of reading judgements kept from earlier runs "
    "(.evalkit/judgements).",
)
@click.option(
    "--sync/--no-sync",
    default=None,
    help="Sync agents first (default: yes on the local platform, no on a remote one).",
)
@click.option(
    "--allow-drift",
    is_flag=True,
    help="Without --sync: run agents that differ from the manifest as they are on the "
    "platform (the summary names them) instead of refusing.",
)
@click.option(
    "-e",
    "--env",
    "environment",
    metavar="NAME",
    help="Run on this environment's copies of the agents.",
)
@click.option("--min-pass-rate", type=gate_type("min_pass_rate"), help="Gate: lowest pass rate.")
@click.option(
    "--max-failures", type=gate_type("max_failures"), help="Gate: most non-passing examples."
)
@click.option(
    "--max-regressions", type=gate_type("max_regressions"), help="Gate: most regressions."
)
@click.option(
    "--min-pass-rate-delta",
    type=gate_type("min_pass_rate_delta"),
    metavar="D",
    help="Gate: fail when the pass rate's change from --baseline is surely below D (e.g. -0.05).",
)
@click.option(
    "--min-score-delta",
    type=gate_type("min_score_delta"),
    metavar="D",
    help="Gate: fail when the mean score's change from --baseline is surely below D.",
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path),
    help="A previous run's summary.json, or its folder: examples that passed there and not "
    "now regress.",
)
@click.option(
    "--baseline-batch",
    metavar="RUN_ID",
    help="An earlier run on this platform as the baseline, rebuilt from its executions and "
    "the feedback evalkit wrote (instead of --baseline).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for results.jsonl, summary.json and output files "
    "(default .evalkit/runs/<run id>).",
)
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for report.html, junit.xml and summary.md (default .evalkit/reports/<run id>).",
)
@click.option("--no-report", is_flag=True, help="Write no HTML, JUnit or Markdown report.")
@click.option(
    "--history",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder of earlier runs' summary.json files (any depth, e.g. a downloaded history "
    "artifact): the HTML report draws each agent's pass-rate trend.",
)
@click.option(
    "--update",
    is_flag=True,
    help="Then accept the outputs of the examples that did not pass as their expected "
    "outputs (as 'evalkit accept' does: shows the diff, asks in a terminal).",
)
@click.option("-y", "--yes", is_flag=True, help="With --update: write without asking.")
@click.option("--force", is_flag=True, help="With --update: even when CI is set.")
@html_link_option
@click.pass_context
def run_command(ctx: click.Context, /, **options: Any) -> None:
    """Run every selected example on the live agents, compare, write feedback, apply gates.

    Exit codes: 0 all gates passed, 1 a gate failed, 2 usage or manifest error,
    3 infrastructure error (auth, unreachable, platform errors on most examples),
    130 interrupted. With --update: 0 when every example that did not pass is accepted,
    1 when some are not (or the change was declined).
    """
    global_options: GlobalOptions = ctx.obj
    as_json = global_options.json_output
    if options["yes"] and not options["update"]:
        raise click.UsageError("--yes answers --update's question: give --update too")
    config = config_from_options(options)
    if config.history is not None and config.report:
        from evalkit.report.history import earlier_runs

        # said before the run: the report reads the folder again after it
        for warning in earlier_runs([config.history]).warnings:
            output.note(f"warning: {warning}")
    confirm_accept = None
    if config.update:  # refused before anything runs, not when the prompt comes
        from evalkit.cli.accept import check_can_ask, confirmer
        from evalkit.runner.ci import refuse_in_ci

        refuse_in_ci(config.force)  # (evalkit.run checks too) CI first: the reason that matters
        check_can_ask(options["yes"], "--update")
        confirm_accept = confirmer(yes=options["yes"], as_json=as_json, command="--update")
    with ProgressView() as view:

        def ran(outcome: RunOutcome) -> None:
            """--update: the run is shown before its accept (with --json, all at the end)."""
            view.close()
            if not as_json:
                _print(outcome, view, as_json=False)

        hooks = RunHooks(
            note=output.note,
            begin=view.begin,
            finished=view.finished,
            interrupted=_interrupted,
            ran=ran,
            confirm_accept=confirm_accept,
        )
        outcome = run(
            global_options.manifest,
            config,
            connection=connection_of(global_options),
            hooks=hooks,
            launch=take_launch(),  # the local platform's process, launched by ``main``
        )
    if outcome.accepted is None:
        _print(outcome, view, as_json=as_json)
    else:
        _print_accepted(outcome, outcome.accepted, view, as_json=as_json)
    ctx.exit(outcome.exit_code)


def _print_accepted(
    outcome: RunOutcome, accepted: AcceptOutcome, view: ProgressView, *, as_json: bool
) -> None:
    """--update: what was accepted (the run was shown before, by ``ran``)."""
    from evalkit.cli.accept import outcome_data, outcome_lines

    if as_json:  # one document: the run's summary, and what was accepted under "accept"
        _print(outcome, view, as_json=True, accept=outcome_data(accepted))
    else:
        for line in outcome_lines(accepted):
            output.plain(line)


#: the options whose name is their ``RunConfig`` field's (the rest are built below)
_SAME_NAME = (
    "changed_since",
    "concurrency",
    "timeout_seconds",
    "retries",
    "sync",
    "allow_drift",
    "environment",
    "repeat",
    "pass_if",
    "confirm",
    "max_executions",
    "confidence",
    "baseline",
    "baseline_batch",
    "out",
    "report_dir",
    "history",
    "update",
    "force",
)


def config_from_options(options: dict[str, Any]) -> RunConfig:
    """The one place where ``evalkit run``'s options become a ``RunConfig``."""
    selection = Selection(
        only=options["only"],
        examples=options["examples"],
        tags=options["tags"],
        shard=options["shard"],
    )
    gates = GateConfig(**{gate.name: options[gate.name] for gate in dataclasses.fields(GateConfig)})
    return RunConfig(
        selection=selection,
        feedback=not options["no_feedback"],
        judge_cache=not options["no_judge_cache"],
        calibration=not options["no_calibration"],
        report=not options["no_report"],
        gates=gates,
        html_link=given_html_link(),
        **{name: options[name] for name in _SAME_NAME},
    )


def _interrupted() -> None:
    output.note("interrupted: cancelling executions in flight (Ctrl-C again to abort)")


def _print(
    outcome: RunOutcome,
    view: ProgressView,
    *,
    as_json: bool,
    accept: dict[str, Any] | None = None,
) -> None:
    # GitHub reads its workflow commands from either stream: with --json, standard output
    # is the summary's alone.
    for line in outcome.github_lines:
        if as_json:
            output.stderr.print(line, markup=False, emoji=False, highlight=False, style=None)
        else:
            output.plain(line)
    if outcome.report_error is not None:
        output.error(outcome.report_error)
    if as_json:
        reports = {name: str(path) for name, path in outcome.reports.items()}
        output.emit_json(
            {
                **outcome.summary.to_dict(),
                **({"reports": reports} if reports else {}),
                **({"accept": accept} if accept is not None else {}),
            }
        )
        return
    from evalkit.runner.summary_text import render_summary  # (see ProgressView.finished)

    output.plain(render_summary(outcome.summary, view.problems))
    for name, path in outcome.reports.items():
        output.plain(f"{name} report: {click.format_filename(path)}")
