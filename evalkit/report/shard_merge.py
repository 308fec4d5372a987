"""Merging the shards of one run (a CI matrix, each job running part of the examples) into one
set of results, with the gates evaluated again over the whole.

Each shard's summary records its gates with their limits and its ``--shard K/N`` (a run
without ``--shard`` is shard 1/1); the merged run evaluates the same gates
(``evalkit.runner.gates``, pure functions) on the merged counts, so a gate such as
``min_pass_rate`` judges the whole dataset rather than each shard alone.

The merged summary holds what each shard's does: the briefs (with their flags and feedback
errors), the feedback failures (noted in the outcome, as the runner does), the drifted agents
and the traffic figures added up; a gate the shards could not check is not checked either.

A merge is only as good as its inputs: it holds every shard 1..N exactly once, all of one run
(same N, commit, manifest, selection and target), or it is refused. A shard job that crashed
leaves no summary: without ``allow_missing`` that stops the merge; with it, the merged run
gets a failed ``all_shards`` gate, so a partial merge is never green.

The merged run goes into a folder of its own (``refuse_merge_into``): never one of the shards,
never over another run's results. Each file is written atomically, the summary last, so a
merge that fails half-way leaves no folder that reads as a finished run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit.errors import RunError
from evalkit.exit_codes import RUN_STATUS_CODES
from evalkit.report.loading import RunResults
from evalkit.report.view import without_credentials
from evalkit.runner.atomic import atomic_text
from evalkit.runner.calibration import merged_calibration
from evalkit.runner.costs import usage_of
from evalkit.runner.evidence import Evidence, smallest_detectable_drop, weigh
from evalkit.runner.gates import (
    REGRESSION_GATE,
    GateConfig,
    all_passed,
    evaluate_gates,
    gate_counts,
)
from evalkit.runner.jsonl import line_of, write_summary
from evalkit.runner.results import (
    RESULTS_NAME,
    SUMMARY_NAME,
    Counts,
    DriftedAgent,
    ExampleBrief,
    ExampleResult,
    GateOutcome,
    JudgementCounts,
    RunSummary,
    Traffic,
    brief_of,
)
from evalkit.runner.session import counted_regressions
from evalkit.runner.shards import Shard, parse_shard
from evalkit.runner.summary_text import feedback_note

#: the gate a merge with missing shards fails (``--allow-missing-shards``)
ALL_SHARDS_GATE = "all_shards"
#: the summary's extra key saying which shards a merged run holds
SHARDS_KEY = "shards"
#: the gates that judge the change against the baseline (they need the merged deltas)
DELTA_GATES = frozenset({"min_pass_rate_delta", "min_score_delta"})
_SUITE_GATE = re.compile(r"^(?P<gate>\w+)\[(?P<suite>.+)\]$")
_ALLOW = "--allow-missing-shards"


@dataclass
class _Plan:
    """What the merge holds: the complete shards by number, and what it lacks."""

    count: int
    shards: dict[int, RunResults] = field(default_factory=dict)
    missing: list[int] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)


def merge_runs(shards: Sequence[RunResults], *, allow_missing: bool = False) -> RunResults:
    """One run from the shards of one run. Refused (``RunError``) when a shard is missing or
    incomplete (unless ``allow_missing``), given twice, from another run or split, or when an
    example is in two shards."""
    plan = _plan(shards, allow_missing=allow_missing)
    seen: dict[tuple[str, str, str], int] = {}
    results: list[ExampleResult] = []
    for number, shard in sorted(plan.shards.items()):
        for result in shard.results:
            if result.key in seen:
                raise RunError(
                    f"{result.agent}/{result.example} is in shard {seen[result.key]}/"
                    f"{plan.count} and shard {number}/{plan.count}: shards must not overlap "
                    "(check each job's selection)"
                )
            seen[result.key] = number
            results.append(result)
    summaries = [shard.summary for _, shard in sorted(plan.shards.items()) if shard.summary]
    baseline = next((s.baseline for s in plan.shards.values() if s.baseline is not None), None)
    evidence = _evidence(summaries, results, baseline)
    return RunResults(
        results=results,
        summary=_merged_summary(summaries, results, plan, evidence),
        baseline=baseline,
    )


@dataclass(frozen=True)
class _Weighed:
    """The merged run against its baseline: what ``weigh`` found, at the shards' confidence."""

    evidence: Evidence
    confidence: float


def _needs_baseline(summaries: list[RunSummary]) -> bool:
    """Whether a shard compared itself with its baseline in a way that cannot be added up:
    per-example changes, deltas, or a delta gate it could check."""
    return any(
        summary.changes
        or summary.deltas
        or any(_gate_name(gate.name) in DELTA_GATES and gate.checked for gate in summary.gates)
        for summary in summaries
    )


def _evidence(
    summaries: list[RunSummary], results: list[ExampleResult], baseline: RunSummary | None
) -> _Weighed | None:
    """Changes and deltas over the merged examples, weighed again (a shard's changes and deltas
    cannot be added across shards). Refused without the baseline when a shard had any: the
    merge would otherwise lose the evidence its gates stood on."""
    if not _needs_baseline(summaries):
        return None
    if baseline is None:
        raise RunError(
            "the shards were compared with a baseline (changes, deltas or a delta gate), and "
            "their changes and deltas cannot be added across shards: pass --baseline with the "
            "baseline's summary.json so the merge can weigh the whole run again"
        )
    confidence = next(
        (s.deltas[0].confidence for s in summaries if s.deltas),
        next((r.repeats.confidence for r in results if r.repeats is not None), 0.95),
    )
    briefs = [brief_of(result) for result in results]
    return _Weighed(weigh(baseline, briefs, confidence=confidence), confidence)


def recorded_shard(summary: RunSummary) -> Shard:
    """The ``--shard K/N`` a run recorded; a run without one holds everything: 1/1."""
    given = summary.metadata.selection.get("shard") or []
    return parse_shard(given[0]) if given else Shard(1, 1)


def _name(run: RunResults, index: int) -> str:
    if run.source is None:
        return f"RESULTS #{index}"
    return str(run.source.parent if run.source.name == RESULTS_NAME else run.source)


def _plan(shards: Sequence[RunResults], *, allow_missing: bool) -> _Plan:
    if not shards:
        raise RunError("nothing to merge: give the result folders of every shard")
    named = [(_name(run, index), run) for index, run in enumerate(shards, start=1)]
    complete = [(name, run, run.summary) for name, run in named if run.summary is not None]
    incomplete = [name for name, run in named if run.summary is None]
    if incomplete and not allow_missing:
        raise RunError(
            f"{incomplete[0]} has no {SUMMARY_NAME}: that shard's run did not finish (the job "
            f"crashed or was killed), so its results are incomplete; rerun the shard, or pass "
            f"{_ALLOW} to merge the others (the merged gate then fails)"
        )
    if not complete:
        raise RunError(f"nothing to merge: no shard has a {SUMMARY_NAME} (no shard finished)")
    first_name, _, first = complete[0]
    count = recorded_shard(first).count
    identity = _identity(first)
    plan = _Plan(count=count, incomplete=incomplete)
    where: dict[int, str] = {}
    for name, run, summary in complete:
        shard = recorded_shard(summary)
        if shard.count != count:
            raise RunError(
                f"{name} is shard {shard} but {first_name} is shard {recorded_shard(first)}: these "
                f"are not the shards of one run (each job must use the same N in --shard K/N)"
            )
        if shard.index in where:
            raise RunError(
                f"shard {shard} is given twice: {where[shard.index]} and {name}; give each "
                "shard once (an artifact downloaded twice, or a glob that matches too much?)"
            )
        for what, (mine, theirs) in _differences(_identity(summary), identity).items():
            raise RunError(  # the first difference is enough to say
                f"{name} and {first_name} are not shards of one run: their {what} differ "
                f"({mine} and {theirs}); merge the shards of a single run"
            )
        where[shard.index] = name
        plan.shards[shard.index] = run
    plan.missing = [index for index in range(1, count + 1) if index not in plan.shards]
    if plan.missing and not allow_missing:
        raise RunError(
            f"{_shards_text(plan.missing, count)} missing: a merge needs every shard 1..{count} "
            f"once (got {_shards_text(sorted(plan.shards), count)}); a shard job that crashed "
            f"left no results: rerun it, or pass {_ALLOW} to merge what is there (the merged "
            "gate then fails)"
        )
    return plan


def _identity(summary: RunSummary) -> dict[str, str]:
    """What every shard of one run shares."""
    metadata = summary.metadata
    selection = {key: value for key, value in metadata.selection.items() if key != "shard"}
    return {
        "git commits": str(metadata.git.commit or "unknown"),
        "manifest digests": str(metadata.manifest_digest or "unknown"),
        "selections (--only/--example/--tag)": str(selection or "none"),
        # a local platform listens on a new port each run: only a remote one has one address
        "targets": "a local platform"
        if metadata.target.kind == "local"
        else without_credentials(metadata.target.base_url),
    }


def _differences(ours: dict[str, str], theirs: dict[str, str]) -> dict[str, tuple[str, str]]:
    return {key: (ours[key], theirs[key]) for key in ours if ours[key] != theirs[key]}


def _shards_text(numbers: list[int], count: int) -> str:
    listed = ", ".join(f"{number}/{count}" for number in numbers)
    return f"shard {listed}" if len(numbers) == 1 else f"shards {listed}"


def _merged_summary(
    summaries: list[RunSummary],
    results: list[ExampleResult],
    plan: _Plan,
    weighed: _Weighed | None = None,
) -> RunSummary:
    counts = Counts()
    for result in results:
        counts.add(result.verdict)
    briefs: list[ExampleBrief] = [brief_of(result) for result in results]
    evidence = weighed.evidence if weighed is not None else None
    if evidence is not None:
        # As the runner counts them: confirmed regressions where either side repeated.
        regressions = counted_regressions(evidence, briefs)
        with_baseline = True
    else:
        regressions = [brief for summary in summaries for brief in summary.regressions]
        with_baseline = all(_compared_with_baseline(summary) for summary in summaries)
    # Quarantined examples are reported but never judged, as in a single run.
    gates = _gates(summaries, briefs, regressions if with_baseline else None, evidence)
    if plan.missing or plan.incomplete:
        gates.append(_all_shards_gate(plan))
    first = summaries[0]
    metadata = first.metadata.model_copy(deep=True)
    metadata.selection.pop("shard", None)
    metadata.started_at = min(s.metadata.started_at for s in summaries)
    finishes = [s.metadata.finished_at for s in summaries if s.metadata.finished_at]
    metadata.finished_at = max(finishes) if finishes else None
    status, outcome = _status(summaries, counts, all_passed(gates), plan)
    # As the runner does: said in the outcome, but no gate fails for it.
    feedback_failures = [brief for brief in briefs if brief.feedback_error is not None]
    if feedback_failures:
        outcome += f"; {feedback_note(len(feedback_failures))}"
    shards: dict[str, Any] = {
        "count": plan.count,
        "merged": sorted(plan.shards),
        "missing": plan.missing,
    }
    if plan.incomplete:
        shards["incomplete"] = plan.incomplete
    return RunSummary(
        metadata=metadata,
        counts=counts,
        pass_rate=counts.pass_rate,
        interrupted=any(s.interrupted for s in summaries),
        gates=gates,
        regressions=regressions,
        baseline=first.baseline,
        exit_code=RUN_STATUS_CODES[status],
        status=status,
        outcome=outcome,
        results_file=RESULTS_NAME,
        examples=briefs,
        drifted_agents=_drifted(summaries),
        # every shard selected with the same git state: the first one's record holds for all
        change_selection=first.change_selection,
        feedback_failures=feedback_failures,
        traffic=_traffic(summaries),
        changes=evidence.changes if evidence is not None else [],
        deltas=evidence.deltas if evidence is not None else [],
        minimum_detectable_drop=(
            smallest_detectable_drop(
                briefs, weighed.confidence if weighed else _confidence(results)
            )
            if any(s.minimum_detectable_drop is not None for s in summaries)
            else None
        ),
        executions=_added(s.executions for s in summaries),
        fixed_executions=_added(s.fixed_executions for s in summaries),
        judgements=_judgements(summaries),
        usage=usage_of(results),
        calibration=merged_calibration(s.calibration for s in summaries),
        **{SHARDS_KEY: shards},
    )


def _confidence(results: list[ExampleResult]) -> float:
    return next((r.repeats.confidence for r in results if r.repeats is not None), 0.95)


def _added(figures: Iterable[int | None]) -> int | None:
    """The shards' figures added up; None when no shard has one."""
    known = [figure for figure in figures if figure is not None]
    return sum(known) if known else None


def _judgements(summaries: list[RunSummary]) -> JudgementCounts | None:
    """The shards' judgement counts added up; None when no shard used a judge."""
    counted = [s.judgements for s in summaries if s.judgements is not None]
    if not counted:
        return None
    return JudgementCounts(
        total=sum(c.total for c in counted),
        from_cache=sum(c.from_cache for c in counted),
        failed=sum(c.failed for c in counted),
    )


def _drifted(summaries: list[RunSummary]) -> list[DriftedAgent]:
    """Every agent a shard ran as it was on the platform, once."""
    found: dict[tuple[str, str], DriftedAgent] = {}
    for summary in summaries:
        for agent in summary.drifted_agents:
            found.setdefault((agent.agent, agent.slug), agent)
    return list(found.values())


def _traffic(summaries: list[RunSummary]) -> Traffic | None:
    """The shards' figures added up; None when no shard measured any."""
    measured = [summary.traffic for summary in summaries if summary.traffic is not None]
    if not measured:
        return None
    total = measured[0]
    for traffic in measured[1:]:
        total = total.added(traffic)
    return total


def _compared_with_baseline(summary: RunSummary) -> bool:
    """Whether a shard's regressions are known: it names a baseline, and none of its
    regression gates says it could not be checked."""
    regression_gates = [gate for gate in summary.gates if _gate_name(gate.name) == REGRESSION_GATE]
    return summary.baseline is not None and all(gate.checked for gate in regression_gates)


def _gate_name(name: str) -> str:
    """A gate's name without its suite (``max_failures[agent]`` is ``max_failures``)."""
    found = _SUITE_GATE.match(name)
    return found["gate"] if found else name


def _gates(
    summaries: list[RunSummary],
    briefs: list[ExampleBrief],
    regressions: list[ExampleBrief] | None,
    evidence: Evidence | None = None,
) -> list[GateOutcome]:
    """The run's gates, then each suite's gates (``name[suite]``) on that suite's examples,
    as the runner evaluates them; the limits are the ones the shards recorded, the deltas
    the merged run's own (``evidence``)."""
    limits: dict[str, dict[str, float]] = {}
    for summary in summaries:
        for gate in summary.gates:
            found = _SUITE_GATE.match(gate.name)
            suite, name = (found["suite"], found["gate"]) if found else ("", gate.name)
            limits.setdefault(suite, {})[name] = gate.limit
    outcomes = evaluate_gates(
        _gate_config(limits.get("", {})),
        gate_counts(briefs),
        len(regressions) if regressions is not None else None,
        evidence.deltas[0] if evidence is not None else None,
    )
    suites_run = {brief.agent for brief in briefs}
    for suite in sorted(set(limits) - {""}):
        mine = [brief for brief in briefs if brief.agent == suite]
        theirs = [b for b in regressions if b.agent == suite] if regressions is not None else None
        delta = (
            evidence.delta_of(suite, only_suite=len(suites_run) == 1)
            if evidence is not None
            else None
        )
        for outcome in evaluate_gates(
            _gate_config(limits[suite]),
            gate_counts(mine),
            len(theirs) if theirs is not None else None,
            delta,
        ):
            outcome.name = f"{outcome.name}[{suite}]"
            outcomes.append(outcome)
    return outcomes


def _gate_config(limits: dict[str, float]) -> GateConfig:
    failures = limits.get("max_failures")
    regressions = limits.get("max_regressions")
    return GateConfig(
        min_pass_rate=limits.get("min_pass_rate"),
        max_failures=int(failures) if failures is not None else None,
        max_regressions=int(regressions) if regressions is not None else None,
        min_pass_rate_delta=limits.get("min_pass_rate_delta"),
        min_score_delta=limits.get("min_score_delta"),
    )


def _all_shards_gate(plan: _Plan) -> GateOutcome:
    lacking = [_shards_text(plan.missing, plan.count) + " missing"] if plan.missing else []
    lacking += [f"{name} incomplete (no {SUMMARY_NAME})" for name in plan.incomplete]
    return GateOutcome(
        name=ALL_SHARDS_GATE,
        passed=False,
        limit=plan.count,
        actual=len(plan.shards),
        message=(
            f"{len(plan.shards)} of {plan.count} shards merged ({'; '.join(lacking)}): "
            f"the verdict covers part of the run ({_ALLOW})"
        ),
    )


def _status(
    summaries: list[RunSummary], counts: Counts, gates_passed: bool, plan: _Plan
) -> tuple[str, str]:
    over = (
        f"{len(plan.shards)} of {plan.count} shards"
        if plan.missing
        else f"{plan.count} shard{'s' if plan.count != 1 else ''}"
    )
    passed = f"{counts.passed}/{counts.total} passed over {over}"
    for status in ("interrupted", "infrastructure"):
        troubled = [s for s in summaries if s.status == status]
        if troubled:
            return status, f"{status} in {len(troubled)} shard(s): {troubled[0].outcome} ({passed})"
    if not gates_passed:
        if plan.missing or plan.incomplete:
            return "gate_failed", f"shards missing: a gate failed ({passed})"
        return "gate_failed", f"a gate failed ({passed})"
    return "passed", f"all gates passed ({passed})"


def refuse_merge_into(folder: Path, shards: Sequence[Path]) -> None:
    """Refused (``RunError``) when ``folder`` is one of the ``shards`` (folders, or files in
    them) or already holds a run's results: the merge would replace them, and a shard
    overwritten so is lost (a retry then finds the shards of two runs). A missing or empty
    folder is fine."""
    target = folder.resolve()
    for shard in shards:
        if (shard if shard.is_dir() else shard.parent).resolve() == target:
            raise RunError(
                f"--merged {folder} is the folder of {shard}, one of the shards being merged: "
                "the merged run would replace that shard's results; give --merged a new or "
                "empty folder"
            )
    held = [name for name in (RESULTS_NAME, SUMMARY_NAME) if _present(folder / name)]
    if held:
        raise RunError(
            f"--merged {folder} already holds a run ({' and '.join(held)}): the merged run "
            "would replace it; give --merged a new or empty folder, or remove that run first "
            "if it is an earlier merge of no further use"
        )


def _present(path: Path) -> bool:
    return path.exists() or path.is_symlink()  # a dangling link is something there too


def write_run(run: RunResults, folder: Path) -> Path:
    """Write merged results like a run folder (results.jsonl + summary.json): a later
    ``evalkit report`` or ``--baseline`` reads it like any run. Each file is replaced
    atomically, the summary last: a reader never sees half a file, and a folder with no
    summary reads as an unfinished run."""
    with atomic_text(folder / RESULTS_NAME, durable=True) as handle:
        for result in run.results:
            handle.write(line_of(result))
    if run.summary is not None:
        write_summary(folder / SUMMARY_NAME, run.summary)
    return folder
