"""A whole run: results file, examples, gates, baseline, summary, and what the exit code is.

``run_session`` is what ``evalkit run`` calls once the target platform is connected and the
jobs are selected. It writes ``results.jsonl`` as examples finish and ``summary.json`` at the
end (also after Ctrl-C), and returns the summary.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit._version import __version__
from evalkit.errors import RunError
from evalkit.exit_codes import RUN_STATUS_CODES, RunStatus
from evalkit.runner.attempt_plan import plan_for
from evalkit.runner.calibration import CalibrationPlan, CalibrationTally
from evalkit.runner.calls import PlatformCalls
from evalkit.runner.change_text import gates_not_checked_note, nothing_to_run
from evalkit.runner.config import RunConfig, RunIdentity
from evalkit.runner.evidence import (
    Evidence,
    counts_as_regression,
    key_of,
    smallest_detectable_drop,
    weigh,
)
from evalkit.runner.gates import GateConfig, all_passed, evaluate_gates, gate_counts, judged
from evalkit.runner.health import PlatformHealth
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.jsonl import ResultsWriter, write_summary
from evalkit.runner.judge_agents import JudgeAgent, Judging
from evalkit.runner.judge_cache import JudgeCache
from evalkit.runner.limiter import AdaptiveLimiter
from evalkit.runner.metadata import now_timestamp
from evalkit.runner.orchestrate import OnResult, OnStart, RunTally, run_examples
from evalkit.runner.results import (
    RESULTS_NAME,
    SUMMARY_NAME,
    ChangeSelection,
    DriftedAgent,
    ErrorKind,
    ExampleBrief,
    ExampleResult,
    GateOutcome,
    GitInfo,
    RunMetadata,
    RunSummary,
    Target,
)
from evalkit.runner.state import Comparer, RunContext


@dataclass(frozen=True)
class PreparedRun:
    """What is settled before the first example starts: the caller's ``RunConfig``, the
    run's identity, where it runs, and what it is judged against."""

    config: RunConfig
    identity: RunIdentity
    target: Target
    manifest: str
    manifest_digest: str | None = None
    git: GitInfo = field(default_factory=GitInfo)
    #: the run's gates: the manifest's, with those set in ``config.gates`` in their place
    gates: GateConfig = field(default_factory=GateConfig)
    #: gates of single agents or workflows, checked on their own examples only
    suite_gates: dict[str, GateConfig] = field(default_factory=dict)
    #: the summary read from ``config.baseline`` or rebuilt from ``config.baseline_batch``
    baseline: RunSummary | None = None
    #: where the baseline came from, as the summary records it (a path, or ``batch:ID``)
    baseline_name: str | None = None
    #: the sync plan applied before the run, as data (for reports)
    sync_plan: dict[str, Any] | None = None
    #: agents that differed from the manifest and ran as they were (``allow_drift``)
    drifted_agents: Sequence[DriftedAgent] = ()
    #: what ``--changed-since`` ran and skipped (None without it)
    change_selection: ChangeSelection | None = None
    #: the judges whose agreement with their labelled examples the summary reports
    calibration: CalibrationPlan = field(default_factory=CalibrationPlan)
    #: the judge agents the jobs' ``judge:`` rules name, by slug (``runner.judge_agents``)
    judges: Mapping[str, JudgeAgent] = field(default_factory=dict)
    #: where judgements are kept between runs (None: nowhere)
    judgements_folder: Path | None = None


def refuse_used_run_folder(run_dir: Path) -> None:
    """``RunError`` when ``run_dir`` holds a run's results already: appending would mix two runs
    in one file, and the summary would count only one."""
    results_path = run_dir / RESULTS_NAME
    if results_path.exists():
        raise RunError(f"{results_path} already exists: choose another --out folder or remove it")


async def run_session(
    jobs: Sequence[ExampleJob],
    calls: PlatformCalls,
    compare: Comparer,
    prepared: PreparedRun,
    *,
    on_result: OnResult | None = None,
    on_start: OnStart | None = None,
    stop: asyncio.Event | None = None,
    limiter: AdaptiveLimiter | None = None,
    health: PlatformHealth | None = None,
    warm_up: Callable[[], object] | None = None,
) -> RunSummary:
    """``limiter`` and ``health``: pass the ones whose ``rate_limit_hooks`` the client's HTTP
    client carries, so that the limiter sees every 429 and the summary counts every request;
    by default the runner sees only the 429s the client gave up on, and counts no traffic.
    ``warm_up``: run in a worker thread once the first starts are sent (``RunContext``)."""
    config, identity = prepared.config, prepared.identity
    refuse_used_run_folder(identity.run_dir)
    results_path = identity.run_dir / RESULTS_NAME
    if limiter is not None and limiter.state.maximum != config.concurrency:
        # One number, one holder: a limiter built for another concurrency is a caller's bug.
        raise ValueError(
            f"the limiter allows {limiter.state.maximum} at once, the config {config.concurrency}"
        )
    metadata = RunMetadata(
        run_id=identity.run_id,
        evalkit_version=__version__,
        manifest=prepared.manifest,
        manifest_digest=prepared.manifest_digest,
        git=prepared.git,
        target=prepared.target,
        started_at=now_timestamp(),
        concurrency=config.concurrency,
        timeout_seconds=config.timeout_seconds,
        feedback=config.feedback,
        selection=config.selection.as_dict(),
    )
    ctx = RunContext(
        calls=calls,
        limiter=limiter or AdaptiveLimiter(config.concurrency),
        compare=compare,
        config=config,
        identity=identity,
        health=health or PlatformHealth(config.down_after_seconds),
        judging=Judging(
            agents=prepared.judges,
            cache=JudgeCache(prepared.judgements_folder) if prepared.judgements_folder else None,
            read_cache=config.judge_cache,
        ),
        warm_up=warm_up,
    )
    calibration = CalibrationTally(prepared.calibration)
    with ResultsWriter(results_path) as writer:

        def record(result: ExampleResult) -> None:
            writer.write(result)
            calibration.add(result)
            if on_result is not None:
                on_result(result)

        plan = plan_for(jobs, config, prepared.baseline)
        tally = await run_examples(jobs, ctx, record, on_start=on_start, stop=stop, plan=plan)
    metadata.finished_at = now_timestamp()
    summary = summarise(tally, metadata, prepared, results_path)
    summary.calibration = calibration.records()
    if health is not None:
        summary.traffic = ctx.health.traffic()
    if prepared.judges:
        summary.judgements = ctx.judging.counts
    write_summary(identity.run_dir / SUMMARY_NAME, summary)
    return summary


def summarise(
    tally: RunTally, metadata: RunMetadata, prepared: PreparedRun, results_path: Path
) -> RunSummary:
    """Gates, regressions and the run's status from what the orchestrator counted.
    Quarantined examples are counted and listed, but judged by no gate."""
    confidence = prepared.config.confidence_level
    evidence = (
        weigh(prepared.baseline, tally.briefs, confidence=confidence, undecided=tally.undecided)
        if prepared.baseline is not None
        else None
    )
    regressions = counted_regressions(evidence, tally.briefs) if evidence is not None else None
    gates = evaluate_gates(
        prepared.gates,
        gate_counts(tally.briefs),
        regressions=len(regressions) if regressions is not None else None,
        delta=evidence.deltas[0] if evidence is not None else None,
    )
    gates += suite_gate_outcomes(prepared, tally, regressions, evidence)
    status, outcome = decide(tally, all_passed(gates))
    changes = prepared.change_selection
    if changes is not None and not changes.changed and not changes.everything and not tally.briefs:
        # --changed-since found no change and nothing tagged always ran: no gate had anything
        # to judge (a shard's empty share of a run with changes reads as before)
        status, outcome = RunStatus.PASSED, nothing_to_run(changes)
        note = gates_not_checked_note(changes)
        gates = [gate.model_copy(update={"checked": False, "message": note}) for gate in gates]
    feedback_failures = [brief for brief in tally.briefs if brief.feedback_error is not None]
    if feedback_failures:
        # (the run's texts load with its reports or warm-up, not before its first start)
        from evalkit.runner.summary_text import feedback_note

        # Said, but no gate fails for it: the verdicts are right, only their copy on the
        # platform is missing (see docs/run.md).
        outcome += f"; {feedback_note(len(feedback_failures))}"
    return RunSummary(
        metadata=metadata,
        counts=tally.counts,
        pass_rate=tally.counts.pass_rate,
        interrupted=tally.interrupted,
        gates=gates,
        regressions=regressions or [],
        baseline=prepared.baseline_name,
        exit_code=RUN_STATUS_CODES[status],
        status=status.value,
        outcome=outcome,
        results_file=str(results_path),
        examples=tally.briefs,
        drifted_agents=list(prepared.drifted_agents),
        change_selection=changes,
        feedback_failures=feedback_failures,
        changes=evidence.changes if evidence is not None else [],
        deltas=evidence.deltas if evidence is not None else [],
        minimum_detectable_drop=smallest_detectable_drop(tally.briefs, confidence),
        executions=tally.executions if tally.repeated else None,
        fixed_executions=tally.fixed_executions if tally.adaptive else None,
        usage=tally.usage.usage(),
        # An extra key (see RunSummary), present only when a plan was applied.
        **({"sync_plan": prepared.sync_plan} if prepared.sync_plan is not None else {}),
    )


def counted_regressions(evidence: Evidence, briefs: Sequence[ExampleBrief]) -> list[ExampleBrief]:
    """The examples ``max_regressions`` counts, in run order: every pass→fail when both runs
    ran it once; where either repeated it, only a regression the exact test confirms, or one
    that fell and that --max-executions left undecided."""
    counted = {
        (change.kind, change.agent, change.example)
        for change in evidence.changes
        if counts_as_regression(change)
    }
    return [brief for brief in judged(briefs) if key_of(brief) in counted]


def suite_gate_outcomes(
    prepared: PreparedRun,
    tally: RunTally,
    regressions: list[ExampleBrief] | None,
    evidence: Evidence | None,
) -> list[GateOutcome]:
    """Each suite's own gates on its own examples, named ``gate[suite]``."""
    outcomes: list[GateOutcome] = []
    suites_run = {brief.agent for brief in tally.briefs}
    for suite, gates in prepared.suite_gates.items():
        briefs = [brief for brief in tally.briefs if brief.agent == suite]
        if gates.is_empty or not briefs:
            continue
        counts = gate_counts(briefs)
        suite_regressions = (
            sum(1 for brief in regressions if brief.agent == suite)
            if regressions is not None
            else None
        )
        delta = evidence.delta_of(suite, only_suite=len(suites_run) == 1) if evidence else None
        for outcome in evaluate_gates(gates, counts, suite_regressions, delta):
            outcome.name = f"{outcome.name}[{suite}]"
            outcomes.append(outcome)
    return outcomes


def decide(tally: RunTally, gates_passed: bool) -> tuple[RunStatus, str]:
    """The run's status, in order of precedence, and a sentence saying why."""
    counts = tally.counts
    if tally.interrupted:
        # The status is printed before this sentence ("interrupted: ..."): no need to repeat it.
        finished = counts.total - counts.cancelled
        return RunStatus.INTERRUPTED, (
            f"{finished} of {counts.total} examples finished before the interruption"
        )
    if tally.fatal is not None:
        what = {
            ErrorKind.AUTH: "authentication failed",
            ErrorKind.UNREACHABLE: "platform unreachable",
        }.get(tally.fatal.kind, "stopped")
        return RunStatus.INFRASTRUCTURE, (
            f"{what}: {tally.fatal.message} ({tally.infrastructure_errors} of {counts.total} "
            "examples without a verdict)"
        )
    if tally.mostly_infrastructure_errors:
        return RunStatus.INFRASTRUCTURE, (
            f"platform errors on {tally.infrastructure_errors} of {counts.total} examples"
        )
    if not gates_passed:
        return RunStatus.GATE_FAILED, f"a gate failed ({counts.passed}/{counts.total} passed)"
    return RunStatus.PASSED, f"all gates passed ({counts.passed}/{counts.total} passed)"
