"""``evalkit diff A B``: two runs compared with the statistics of a run against its baseline.

A and B are each a run folder, its ``summary.json`` or ``results.jsonl``, or ``batch:RUN_ID``:
that run rebuilt from its executions on the platform (``runner.platform_baseline``).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import click

from evalkit.cli import output
from evalkit.cli.context import GlobalOptions
from evalkit.cli.plan import planner_for
from evalkit.client import EigenpalClient
from evalkit.errors import ConfigError, RunError
from evalkit.exit_codes import ExitCode
from evalkit.runner.config import DEFAULT_CONFIDENCE
from evalkit.runner.diff_text import Diff, diff_data, regression_found, render_markdown, render_text
from evalkit.runner.evidence import smallest_detectable_drop, weigh
from evalkit.runner.platform_baseline import BATCH_PREFIX, baseline_from_batch
from evalkit.runner.repeats import PassRule
from evalkit.runner.results import SUMMARY_NAME, ExampleBrief, RunSummary, brief_of


@dataclass
class _Side:
    label: str
    briefs: list[ExampleBrief]
    summary: RunSummary | None
    notes: list[str] = field(default_factory=list)


def _pass_rule(ctx: click.Context, param: click.Parameter, value: str) -> PassRule:
    del ctx
    try:
        return PassRule.parse(value)
    except ConfigError as err:
        raise click.BadParameter(str(err), param=param) from None


@click.command("diff")
@click.argument("baseline", metavar="A")
@click.argument("current", metavar="B")
@click.option("--markdown", is_flag=True, help="Print Markdown (for a pull-request comment).")
@click.option(
    "--confidence",
    type=click.FloatRange(0.5, 1, max_open=True),
    default=DEFAULT_CONFIDENCE,
    show_default=True,
    help="Of every interval and test.",
)
@click.option(
    "--fail-on-regression",
    is_flag=True,
    help="Exit 1 when B regressed: a significant regression, a pass→fail with one attempt "
    "each side, or a pass-rate delta whose interval is below zero.",
)
@click.option(
    "--pass-if",
    "pass_if",
    metavar="RULE",
    default="all",
    show_default=True,
    callback=_pass_rule,
    help="For batch: sides, what k passes of n make a repeated example pass (the platform "
    "does not record the run's rule).",
)
@click.option(
    "-e",
    "--env",
    "environment",
    metavar="NAME",
    help="For batch: sides, read the manifest's agents under this environment and name them "
    "by their manifest slugs (default: every agent on the platform, by its slug).",
)
@click.pass_context
def diff_command(
    ctx: click.Context,
    baseline: str,
    current: str,
    markdown: bool,
    confidence: float,
    fail_on_regression: bool,
    pass_if: PassRule,
    environment: str | None,
) -> None:
    """Compare run B with run A (the baseline): each example regressed, improved, unchanged,
    new or removed, with the exact test's evidence, and the pass-rate and score deltas with
    their intervals, as 'evalkit run --baseline A' judges B.

    A and B: a run folder, its summary.json or results.jsonl, or batch:RUN_ID to rebuild that
    run from its executions and the feedback evalkit wrote on the platform.
    """
    options: GlobalOptions = ctx.obj
    with ExitStack() as stack:
        client: EigenpalClient | None = None

        def platform() -> EigenpalClient:
            nonlocal client
            if client is None:
                client = stack.enter_context(planner_for(options, concurrency=1)).client
            return client

        agents = _agents(options, environment) if environment else None
        before = _side(baseline, platform, agents, pass_if, confidence)
        after = _side(current, platform, agents, pass_if, confidence)
    made = Diff(
        baseline=before.label,
        current=after.label,
        evidence=weigh(
            _as_baseline(before),
            after.briefs,
            confidence=confidence,
            # What B's own run left undecided (--confirm's budget) stays undecided here.
            undecided={
                (c.kind, c.agent, c.example)
                for c in (after.summary.changes if after.summary else [])
                if c.undecided
            },
        ),
        confidence=confidence,
        minimum_detectable_drop=smallest_detectable_drop(after.briefs, confidence),
        notes=[*before.notes, *after.notes],
        current_briefs=after.briefs,
    )
    if options.json_output:
        output.emit_json(diff_data(made))
    elif markdown:
        output.plain(render_markdown(made))
    else:
        for text, style in render_text(made):
            output.say(output.styled(text, style) if style else text)
    if fail_on_regression and regression_found(made):
        ctx.exit(ExitCode.FAILURE)


def _agents(options: GlobalOptions, environment: str) -> dict[str, str]:
    """Platform slug -> manifest slug of the manifest's agents under ``environment``."""
    from evalkit.planning import load_for_planning

    manifest = load_for_planning(options.manifest, environment)
    return {agent.slug: agent.manifest_slug for agent in manifest.agents}


def _side(
    spec: str,
    platform: Callable[[], EigenpalClient],
    agents: dict[str, str] | None,
    pass_if: PassRule,
    confidence: float,
) -> _Side:
    if spec.startswith(BATCH_PREFIX):
        batch_id = spec[len(BATCH_PREFIX) :].strip()
        if not batch_id:
            raise click.BadParameter(f"{spec!r}: give the run id after 'batch:'")
        summary = baseline_from_batch(
            platform(), batch_id, agents=agents, pass_if=pass_if, confidence=confidence
        )
        return _Side(spec, summary.examples, summary, [summary.outcome])
    return _from_files(Path(spec))


def _from_files(path: Path) -> _Side:
    """A run read from its folder, summary.json or results.jsonl (the summary's briefs when
    there is one; else one brief per result, as the run makes them)."""
    from evalkit.report import load_results
    from evalkit.runner.results_file import read_summary_file

    if not path.exists():
        raise RunError(
            f"{path}: no such file or folder; pass a run folder, its summary.json or "
            f"results.jsonl, or {BATCH_PREFIX}RUN_ID"
        )
    summary_path = path / SUMMARY_NAME if path.is_dir() else path
    if summary_path.suffix == ".json" and summary_path.is_file():
        summary = read_summary_file(summary_path)
        return _Side(str(path), summary.examples, summary)
    run = load_results(path)
    notes = [f"{path}: {warning}" for warning in run.warnings]
    if run.summary is not None:
        return _Side(str(path), run.summary.examples, run.summary, notes)
    return _Side(str(path), [brief_of(result) for result in run.results], None, notes)


def _as_baseline(side: _Side) -> RunSummary:
    """What ``weigh`` reads of a baseline (its examples): the summary, or for results without
    one (a run that crashed before writing it) a summary holding only the briefs."""
    if side.summary is not None:
        return side.summary
    # Unvalidated on purpose: weigh reads the examples only, and the rest is not known.
    return RunSummary.model_construct(examples=side.briefs)  # type: ignore[call-arg]
