"""Merging the shards of one run (a CI matrix, each job running part of the examples) into one
set of results, with the gates evaluated again over the whole.

Each shard's summary records its gates with their limits; the merged run evaluates the same
gates (``evalkit.runner.gates``, pure functions) on the merged counts, so a gate such as
``min_pass_rate`` judges the whole dataset rather than each shard alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from evalkit.errors import RunError
from evalkit.report.loading import RESULTS_NAME, SUMMARY_NAME, RunResults
from evalkit.runner.gates import GateConfig, all_passed, evaluate_gates, gate_counts
from evalkit.runner.jsonl import ResultsWriter, write_summary
from evalkit.runner.results import Counts, ExampleBrief, ExampleResult, RunSummary, brief_of

# The runner's exit code per status (evalkit.runner.session.EXIT_CODES, kept equal by a test).
EXIT_CODES = {"passed": 0, "gate_failed": 1, "infrastructure": 3, "interrupted": 130}


def merge_runs(shards: Sequence[RunResults]) -> RunResults:
    """One run from several shards. An example present in two shards is an error: shards must
    split the examples, not repeat them."""
    if not shards:
        raise RunError("nothing to merge: give the result folders of every shard")
    seen: dict[tuple[str, str, str], int] = {}
    results = []
    for number, shard in enumerate(shards, start=1):
        for result in shard.results:
            if result.key in seen:
                raise RunError(
                    f"{result.agent}/{result.example} is in shard {seen[result.key]} and shard "
                    f"{number}: shards must not overlap (check each job's selection)"
                )
            seen[result.key] = number
            results.append(result)
    summaries = [shard.summary for shard in shards if shard.summary is not None]
    summary = _merged_summary(summaries, results) if len(summaries) == len(shards) else None
    baseline = next((shard.baseline for shard in shards if shard.baseline is not None), None)
    return RunResults(results=results, summary=summary, baseline=baseline)


def _merged_summary(summaries: list[RunSummary], results: list[ExampleResult]) -> RunSummary:
    counts = Counts()
    for result in results:
        counts.add(result.verdict)
    briefs: list[ExampleBrief] = [brief_of(result) for result in results]
    regressions = [brief for summary in summaries for brief in summary.regressions]
    with_baseline = all(summary.baseline for summary in summaries)
    # Quarantined examples are reported but never judged, as in a single run.
    gates = evaluate_gates(
        _gate_config(summaries[0]), gate_counts(briefs), len(regressions) if with_baseline else None
    )
    first = summaries[0]
    metadata = first.metadata.model_copy(deep=True)
    metadata.started_at = min(s.metadata.started_at for s in summaries)
    finishes = [s.metadata.finished_at for s in summaries if s.metadata.finished_at]
    metadata.finished_at = max(finishes) if finishes else None
    status, outcome = _status(summaries, counts, all_passed(gates), len(summaries))
    return RunSummary(
        metadata=metadata,
        counts=counts,
        pass_rate=counts.pass_rate,
        interrupted=any(s.interrupted for s in summaries),
        gates=gates,
        regressions=regressions,
        baseline=first.baseline,
        exit_code=EXIT_CODES[status],
        status=status,
        outcome=outcome,
        results_file=RESULTS_NAME,
        examples=briefs,
    )


def _gate_config(summary: RunSummary) -> GateConfig:
    limits = {gate.name: gate.limit for gate in summary.gates}
    failures = limits.get("max_failures")
    regressions = limits.get("max_regressions")
    return GateConfig(
        min_pass_rate=limits.get("min_pass_rate"),
        max_failures=int(failures) if failures is not None else None,
        max_regressions=int(regressions) if regressions is not None else None,
    )


def _status(
    summaries: list[RunSummary], counts: Counts, gates_passed: bool, shard_count: int
) -> tuple[str, str]:
    passed = f"{counts.passed}/{counts.total} passed over {shard_count} shards"
    for status in ("interrupted", "infrastructure"):
        troubled = [s for s in summaries if s.status == status]
        if troubled:
            return status, f"{status} in {len(troubled)} shard(s): {troubled[0].outcome} ({passed})"
    if not gates_passed:
        return "gate_failed", f"a gate failed ({passed})"
    return "passed", f"all gates passed ({passed})"


def write_run(run: RunResults, folder: Path) -> Path:
    """Write merged results like a run folder (results.jsonl + summary.json): a later
    ``evalkit report`` or ``--baseline`` reads it like any run."""
    (folder / RESULTS_NAME).unlink(missing_ok=True)  # the writer appends
    with ResultsWriter(folder / RESULTS_NAME) as writer:
        for result in run.results:
            writer.write(result)
    if run.summary is not None:
        write_summary(folder / SUMMARY_NAME, run.summary)
    return folder
