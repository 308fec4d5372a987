"""Realistic runs for the report tests, made with the real compare engine on the example
project (examples/invoices): the expected documents and files are the project's own, the
actual outputs are copies of them, mutated the way a broken agent would get them wrong.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from evalkit.manifest import load_manifest
from evalkit.manifest.spec import compact_json
from evalkit.report import RunResults
from evalkit.runner.comparing import compare_job
from evalkit.runner.evidence import weigh
from evalkit.runner.gates import GateConfig, all_passed, evaluate_gates
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.results import (
    Counts,
    Durations,
    ErrorKind,
    ExampleBrief,
    ExampleError,
    ExampleResult,
    ExecutionRef,
    FeedbackRecord,
    GitInfo,
    RunMetadata,
    RunSummary,
    Target,
    Verdict,
    brief_of,
)
from evalkit.runner.session import counted_regressions

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "examples" / "invoices" / "evalkit.yaml"
RUN_ID = "run-20260301T090000Z-abc123"
PLATFORM = "http://127.0.0.1:8765"
HOSTILE_FILE = '<img src=x onerror="window.__pwned=3">.txt'
HOSTILE = '</script><img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


@cache
def invoice_jobs() -> tuple[ExampleJob, ...]:
    return tuple(job for job in _jobs() if job.kind == "agent")


def _jobs() -> list[ExampleJob]:
    from evalkit.runner.from_manifest import jobs_from_manifest

    return jobs_from_manifest(load_manifest(MANIFEST))


def stable_mark(mark: str | None) -> str | None:
    """The loader writes marks relative to the current folder; tests want them relative to the
    repository whatever folder pytest runs in (snapshots)."""
    if mark is None:
        return None
    file, line, column = mark.rsplit(":", 2)
    return f"{(Path.cwd() / file).resolve().relative_to(ROOT).as_posix()}:{line}:{column}"


def truncate_quantities(document: dict[str, Any]) -> dict[str, Any]:
    """The bug in examples/invoices/broken-agent.patch: fractional quantities become ints."""
    broken = copy.deepcopy(document)
    for item in broken.get("lineItems", []):
        item["quantity"] = int(item["quantity"])
    return broken


def run_example(
    job: ExampleJob,
    actual_json: Any,
    actual_files: dict[str, bytes],
    folder: Path,
    index: int,
    **fields: Any,
) -> ExampleResult:
    """Compare like the runner does and record the result like the runner does."""
    out = folder / job.name
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, data in actual_files.items():
        (out / name).write_bytes(data)
        paths[name] = out / name
    comparison = compare_job(job, actual_json, paths)
    execution_id = f"exec_{index:06d}"
    return ExampleResult(
        run_id=RUN_ID,
        agent=job.suite,
        example=job.name,
        tags=list(job.tags),
        mark=stable_mark(job.mark),
        verdict=comparison.verdict,
        score=comparison.score,
        comparison=comparison.details,
        execution=ExecutionRef(
            id=execution_id,
            status="completed",
            link=f"{PLATFORM}/api/v1/agents/executions/{execution_id}",
        ),
        attempts=1,
        feedback=FeedbackRecord(
            written=True,
            rating=comparison.verdict.value,
            status="resolved" if comparison.verdict is Verdict.PASS else "open",
            expected_json=True,
            expected_files=sorted(job.expected_files),
        ),
        durations=Durations(total_ms=900 + 137 * index, execution_ms=600 + 90 * index),
        started_at="2026-03-01T09:00:01Z",
        finished_at="2026-03-01T09:00:09Z",
        expected_json=job.expected_json,
        actual_json=actual_json,
        **fields,
    )


def expected_files_of(job: ExampleJob) -> dict[str, bytes]:
    return {name: path.read_bytes() for name, path in job.expected_files.items()}


def failing_variant(folder: Path, *, with_baseline: bool = True) -> RunResults:
    """The example project with the broken agent: quantities truncated (partial), plus one
    example whose line items CSV and total are wrong (fail), one whose execution failed
    (error), and one flaky example. The baseline passed everything."""
    results = []
    for index, job in enumerate(invoice_jobs()):
        actual = truncate_quantities(job.expected_json)
        actual["generatedAt"] = f"2026-03-01T09:00:{index:02d}Z"  # ignored by the manifest
        files = expected_files_of(job)
        extra: dict[str, Any] = {}
        if job.name == "acme-us-letter":
            actual["total"] = round(actual["total"] + 0.004, 3)  # within the 0.01 tolerance
        if job.name == "thames-uk-pipe-table":
            job, actual, files = _badly_broken(job, actual, files, folder)
        if job.name == "brightside-rounding-cent":
            extra["flaky"] = True
        if job.name == "sakura-japan-jpy":
            results.append(_error_result(job, index))
            continue
        results.append(run_example(job, actual, files, folder, index, **extra))
    return with_summary(results, baseline=all_passed_baseline() if with_baseline else None)


def _badly_broken(
    job: ExampleJob, actual: dict[str, Any], files: dict[str, bytes], folder: Path
) -> tuple[ExampleJob, dict[str, Any], dict[str, bytes]]:
    """A failing example: most fields wrong, a CSV row lost, a text and a binary file that
    differ (the job gains those two expected files)."""
    expected_dir = folder / "expected-extra"
    expected_dir.mkdir(parents=True, exist_ok=True)
    (expected_dir / "notes.txt").write_text("Paid by bank transfer.\nReference: THM-77\n")
    (expected_dir / "stamp.bin").write_bytes(bytes(range(64)))
    job = replace(
        job,
        expected_files={
            **job.expected_files,
            "notes.txt": expected_dir / "notes.txt",
            "stamp.bin": expected_dir / "stamp.bin",
        },
    )
    broken = {key: value for key, value in actual.items() if key not in ("dueDate", "tax")}
    broken["vendor"] = broken["vendor"].upper()
    broken["currency"] = "USD"
    broken["total"] = round(broken["total"] + 10, 2)
    broken["lineItems"] = [
        {**item, "amount": 0, "quantity": 0, "unitPrice": 0} for item in broken["lineItems"]
    ]
    broken["confidence"] = 0.42
    rows = files["line_items.csv"].decode().splitlines()
    files = {
        "line_items.csv": ("\n".join(rows[:-1]) + "\n").encode(),
        "notes.txt": b"Paid by card.\nReference: THM-77\n",
        "stamp.bin": bytes(range(1, 65)),
    }
    return job, broken, files


def _error_result(job: ExampleJob, index: int) -> ExampleResult:
    execution_id = f"exec_{index:06d}"
    return ExampleResult(
        run_id=RUN_ID,
        agent=job.suite,
        example=job.name,
        tags=list(job.tags),
        mark=stable_mark(job.mark),
        verdict=Verdict.ERROR,
        error=ExampleError(
            kind=ErrorKind.FAILED,
            message="agent exited with status 1: ValueError: unknown currency 'JPY¥'",
        ),
        execution=ExecutionRef(
            id=execution_id,
            status="failed",
            link=f"{PLATFORM}/api/v1/agents/executions/{execution_id}",
        ),
        attempts=1,
        durations=Durations(total_ms=400),
        finished_at="2026-03-01T09:00:05Z",
    )


def all_passed_baseline() -> RunSummary:
    briefs = [
        brief_of(
            ExampleResult(
                run_id="run-baseline",
                agent=job.suite,
                example=job.name,
                verdict=Verdict.PASS,
                score=1.0,
                finished_at="2026-02-28T09:00:00Z",
            )
        )
        for job in invoice_jobs()
    ]
    counts = Counts()
    for brief in briefs:
        counts.add(brief.verdict)
    return _summary("run-baseline", counts, briefs, [], None, [])


def with_summary(results: list[ExampleResult], baseline: RunSummary | None) -> RunResults:
    counts = Counts()
    for result in results:
        counts.add(result.verdict)
    briefs = [brief_of(r) for r in results]
    regressions = (
        counted_regressions(weigh(baseline, briefs, confidence=0.95), briefs) if baseline else []
    )
    gates = evaluate_gates(
        GateConfig(min_pass_rate=1.0, max_regressions=0),
        counts,
        regressions=len(regressions) if baseline else None,
    )
    summary = _summary(RUN_ID, counts, briefs, regressions, "baseline/summary.json", gates)
    if all_passed(gates):
        summary.status, summary.exit_code = "passed", 0
        summary.outcome = f"all gates passed ({counts.passed}/{counts.total} passed)"
    return RunResults(results=results, summary=summary, baseline=baseline)


def _summary(
    run_id: str,
    counts: Counts,
    briefs: list[Any],
    regressions: list[Any],
    baseline: str | None,
    gates: list[Any],
) -> RunSummary:
    return RunSummary(
        metadata=RunMetadata(
            run_id=run_id,
            evalkit_version="0.1.0",
            manifest=str(MANIFEST.relative_to(ROOT)),
            git=GitInfo(commit="0123456789abcdef0123", branch="fix-quantities", dirty=False),
            target=Target(kind="local", base_url=PLATFORM),
            started_at="2026-03-01T09:00:00Z",
            finished_at="2026-03-01T09:00:12.5Z",
            concurrency=8,
            timeout_seconds=600,
            feedback=True,
        ),
        counts=counts,
        pass_rate=counts.pass_rate,
        gates=gates,
        regressions=regressions,
        baseline=baseline,
        exit_code=1,
        status="gate_failed",
        outcome=f"a gate failed ({counts.passed}/{counts.total} passed)",
        results_file="results.jsonl",
        examples=briefs,
    )


def hostile(place: str) -> str:
    """``HOSTILE``, labelled with the place it is put, so a test can find it there as text."""
    return f"{place}:{HOSTILE}"


#: every place untrusted text from a run's files reaches the HTML page, by ``hostile`` label
HOSTILE_PLACES = (
    "run", "branch", "target", "version", "started", "baseline", "gate", "outcome",
    "skipped", "agent", "example", "tag", "mark", "execution", "status", "expected key",
    "expected value", "actual key", "actual value", "rule", "applied", "file", "diff",
    "problem", "feedback file", "error", "request", "feedback", "notes",
)  # fmt: skip


def hostile_run(folder: Path) -> RunResults:
    """Untrusted text trying to inject markup in every place a report shows one
    (``HOSTILE_PLACES``): names, slugs, tags, outputs (keys and values, expected and actual),
    file names and diffs, messages, feedback, notes, the run's facts, gates and sync plan."""
    from tests.report.sample_plan import hostile_plan_data

    job = invoice_jobs()[0]
    expected = {**copy.deepcopy(job.expected_json), hostile("expected key"): 1}
    expected["vendor"] = hostile("expected value")
    job = replace(job, expected_text=compact_json(expected))
    actual = copy.deepcopy(job.expected_json)
    actual["vendor"] = hostile("actual value")
    actual[hostile("actual key")] = HOSTILE
    files = expected_files_of(job)
    files[HOSTILE_FILE] = HOSTILE.encode()
    result = run_example(job, actual, files, folder, 0)
    comparison = copy.deepcopy(result.comparison or {})
    comparison["differences"].append(
        {
            "pointer": "/total",
            "kind": "changed",
            "expected": 1,
            "actual": 2,
            "rule": hostile("rule"),
        }
    )
    comparison["applied"].append(
        {"pointer": "/total", "kind": "tolerance", "detail": hostile("applied")}
    )
    comparison["files"].append(
        {"name": hostile("file"), "mode": "text", "status": "differ", "score": 0,
         "diff": f"--- expected\n+++ actual\n-{hostile('diff')}", "problem": hostile("problem")}
    )  # fmt: skip
    agent = hostile("agent")
    result = result.model_copy(
        update={
            "example": hostile("example"),
            "tags": [hostile("tag")],
            "agent": agent,
            "mark": f"{hostile('mark')}:1:1",
            "comparison": comparison,
            "execution": ExecutionRef(
                id=hostile("execution"), status=hostile("status"), link="https://example.test/x"
            ),
            "feedback": FeedbackRecord(written=True, expected_files=[hostile("feedback file")]),
            "notes": hostile("notes"),
        }
    )
    error = ExampleResult(
        run_id=RUN_ID,
        agent=agent,
        example="error " + HOSTILE,
        verdict=Verdict.ERROR,
        error=ExampleError(
            kind=ErrorKind.FAILED,
            message=hostile("error") + "\u2028\u2029",
            request_id=hostile("request"),
        ),
        execution=ExecutionRef(id="x", status="failed", link=f"javascript:alert(1)//{HOSTILE}"),
        feedback=FeedbackRecord(written=False, error=hostile("feedback")),
        finished_at="2026-03-01T09:00:05Z",
    )
    run = with_summary([result, error], baseline=None)
    assert run.summary is not None
    summary = run.summary.model_copy(deep=True)
    metadata = summary.metadata
    metadata.run_id = hostile("run")
    metadata.git.branch = hostile("branch")
    metadata.target.base_url = f"https://example.test/{hostile('target')}"
    metadata.evalkit_version = hostile("version")
    metadata.started_at = hostile("started")
    for gate in summary.gates:
        gate.message = hostile("gate")
    summary.outcome = hostile("outcome")
    summary.baseline = hostile("baseline")
    summary = summary.model_copy(update={"sync_plan": hostile_plan_data()})
    return RunResults(results=run.results, summary=summary, skipped_lines=[(3, hostile("skipped"))])


def large_run(count: int) -> RunResults:
    """``count`` examples over five agents, built from a few real comparisons (copied)."""
    folder_results = []
    job = invoice_jobs()[2]
    base_actual = truncate_quantities(job.expected_json)
    template = json.loads(json.dumps(job.expected_json))
    verdicts = [Verdict.PASS, Verdict.PASS, Verdict.PASS, Verdict.PARTIAL, Verdict.FAIL]
    for index in range(count):
        verdict = verdicts[index % len(verdicts)]
        passed = verdict is Verdict.PASS
        folder_results.append(
            ExampleResult(
                run_id=RUN_ID,
                agent=f"agent-{index % 5}",
                example=f"example-{index:05d}",
                tags=[f"tag-{index % 7}"],
                verdict=verdict,
                score=1.0 if passed else 0.4 + (index % 50) / 100,
                comparison={
                    "rating": verdict.value,
                    "differences": []
                    if passed
                    else [
                        {
                            "pointer": "/lineItems/0/quantity",
                            "kind": "changed",
                            "expected": 6.5,
                            "actual": 6,
                        }
                    ],
                    "files": [],
                    "applied": [{"pointer": "/generatedAt", "kind": "ignored", "detail": ""}],
                },
                durations=Durations(total_ms=500 + (index * 37) % 4000),
                finished_at="2026-03-01T09:00:05Z",
                expected_json=template,
                actual_json=template if passed else base_actual,
            )
        )
    return with_summary(folder_results, baseline=None)


def write_failing_variant(folder: Path) -> Path:
    """The failing variant as a run folder (results.jsonl, summary.json, baseline/), for
    ``evalkit report`` and ``python -m scripts.screenshot``."""
    from evalkit.report.shard_merge import write_run
    from evalkit.runner.jsonl import write_summary

    run = failing_variant(folder / "outputs")
    write_run(run, folder)
    if run.baseline is not None:
        write_summary(folder / "baseline" / "summary.json", run.baseline)
    return folder


if __name__ == "__main__":
    import sys

    sys.stderr.write(f"wrote {write_failing_variant(Path(sys.argv[1]))}\n")


# ---- a run with repeats, against a baseline with repeats (issue 12) ----

#: the rule of the repeated sample: 60% of an example's attempts must pass
REPEATED_RULE = "rate 0.6"
REPEATED_MAX = 8
#: a second suite, so that the run and each suite get a delta
SECOND_SUITE = "receipt-reader"
#: per example, in invoice_jobs() order: the baseline's passes of 5 (None: not in the
#: baseline), and this run's attempts (P pass, F fail, E error)
REPEATED_PLAN: tuple[tuple[int | None, str], ...] = (
    (5, "P"),  # acme-us-letter: decided after one attempt
    (5, "FFFFFFFF"),  # alpenblick-swiss-chf-export: a significant regression
    (5, "PFPFPPFP"),  # brightside-rounding-cent: 5/8, noise (and flaky)
    (5, "P"),  # harbor-quoted-csv-usd
    (1, "PPPPPPPP"),  # lumen-semicolon-csv-eur: a significant improvement
    (5, "P"),  # nordlicht-german-eur
    (5, "FFFFFFFF"),  # pinecone-hours-cad (receipt-reader): a significant regression
    (5, "P"),  # riverside-bakery-discount (receipt-reader)
    (4, "EPP"),  # sakura-japan-jpy (receipt-reader): an error among passes, noise
    (None, "P"),  # thames-uk-pipe-table (receipt-reader): new
)
#: in the baseline only
REMOVED_EXAMPLE = "old-credit-note"


def _suite_of(index: int) -> str:
    return "invoice-extractor" if index < 6 else SECOND_SUITE


def _wrong(document: dict[str, Any], number: int) -> dict[str, Any]:
    """An attempt that got the invoice wrong: no line items (a fail), and on every other
    attempt the currency too (so the scores vary)."""
    broken = copy.deepcopy(document)
    broken["lineItems"] = []
    if number % 2:
        broken["currency"] = "XXX"
    return broken


def _attempt_result(job: ExampleJob, outcome: str, folder: Path, number: int) -> ExampleResult:
    if outcome == "E":
        result = _error_result(job, number)
    else:
        actual = job.expected_json if outcome == "P" else _wrong(job.expected_json, number)
        result = run_example(job, actual, expected_files_of(job), folder / str(number), number)
    return result.model_copy(
        update={"durations": Durations(total_ms=800 + 40 * (number % 10), execution_ms=500)}
    )


def _baseline_brief(job: ExampleJob, suite: str, passes: int, rule: Any) -> ExampleBrief:
    scores = [1.0] * passes + [0.55] * (5 - passes)
    return ExampleBrief(
        kind="agent",
        agent=suite,
        example=job.name,
        verdict=Verdict.PASS if rule.passes(passes, 5) else Verdict.FAIL,
        score=sum(scores) / 5,
        trials=5,
        passes=passes,
        attempt_scores=scores,
        **({"flaky": True} if 0 < passes < 5 else {}),
    )


def repeated_baseline() -> RunSummary:
    """The baseline of ``repeated_run``: every example 5 times (``REPEATED_PLAN``)."""
    from evalkit.runner.repeats import PassRule

    rule = PassRule.parse(REPEATED_RULE)
    briefs = [
        _baseline_brief(job, _suite_of(index), passes, rule)
        for index, (job, (passes, _)) in enumerate(zip(invoice_jobs(), REPEATED_PLAN, strict=True))
        if passes is not None
    ]
    briefs.append(
        ExampleBrief(
            kind="agent", agent=SECOND_SUITE, example=REMOVED_EXAMPLE, verdict=Verdict.PASS,
            score=1.0, trials=5, passes=5, attempt_scores=[1.0] * 5,
        )
    )  # fmt: skip
    counts = Counts()
    for brief in briefs:
        counts.add(brief.verdict)
    return _summary("run-baseline", counts, briefs, [], None, [])


def repeated_run(folder: Path) -> RunResults:
    """The example project run with ``--confirm`` (adaptive, at most 8 attempts, rule
    ``rate 0.6``) against ``repeated_baseline``: two significant regressions, an improvement,
    noise, a new and a removed example; changes, deltas (run and each suite), the delta
    gates, the smallest detectable drop and the executions saved, all computed by the runner's
    own functions."""
    from evalkit.runner.evidence import smallest_detectable_drop, weigh
    from evalkit.runner.repeats import PassRule, RepeatPolicy, combine
    from evalkit.runner.session import counted_regressions

    policy = RepeatPolicy(pass_if=PassRule.parse(REPEATED_RULE), adaptive_max=REPEATED_MAX)
    results = []
    for index, (job, (_, outcomes)) in enumerate(zip(invoice_jobs(), REPEATED_PLAN, strict=True)):
        job = replace(job, suite=_suite_of(index))
        attempts = [
            _attempt_result(job, outcome, folder, index * 10 + number)
            for number, outcome in enumerate(outcomes)
        ]
        results.append(combine(attempts, policy))
    baseline = repeated_baseline()
    briefs = [brief_of(result) for result in results]
    evidence = weigh(baseline, briefs, confidence=0.95)
    regressions = counted_regressions(evidence, briefs)
    counts = Counts()
    for result in results:
        counts.add(result.verdict)
    gates = evaluate_gates(
        GateConfig(min_pass_rate=0.9, max_regressions=0, min_pass_rate_delta=-0.05),
        counts,
        regressions=len(regressions),
        delta=evidence.deltas[0],
    )
    summary = _summary(RUN_ID, counts, briefs, regressions, "baseline/summary.json", gates)
    summary.changes = evidence.changes
    summary.deltas = evidence.deltas
    summary.minimum_detectable_drop = smallest_detectable_drop(briefs, 0.95)
    summary.executions = sum(len(outcomes) for _, outcomes in REPEATED_PLAN)
    summary.fixed_executions = REPEATED_MAX * len(results)
    return RunResults(results=results, summary=summary, baseline=baseline)


def with_notes(run: RunResults, notes: dict[str, str]) -> RunResults:
    """The run with notes on the examples named (as ``evalkit run`` records an example's
    ``notes:`` or README.md: an extra key of its result)."""
    results = [
        result.model_copy(update={"notes": notes[result.example]})
        if result.example in notes
        else result
        for result in run.results
    ]
    return replace(run, results=results)
