"""What every report shows, computed once from the results: rows in reading order, counts,
per-agent figures, baseline deltas and the gate's verdict.

Fields read when present, as declared fields or extra keys (``record_field``): on a result,
``expected_json`` / ``actual_json`` (the documents compared), ``flaky`` (bool: the verdict
changed between attempts), ``quarantined`` (bool: known bad, excluded from gates) and
``output_json_checked`` (bool, true when absent: false when the output JSON was not compared)
and ``notes`` (the example's notes for reviewers, its manifest ``notes:`` or README.md);
on the summary, ``sync_plan`` (a record of the plan applied before the run,
``evalkit.sync.plan_file.plan_record``, or the whole plan in runs made before it);
on a gate, ``checked`` (bool: false when the gate could not be evaluated).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import BaseModel

from evalkit.report.loading import RunResults
from evalkit.runner.change_text import selection_lines
from evalkit.runner.duration_text import duration_text
from evalkit.runner.results import Delta, ExampleChange, ExampleResult, RunSummary, Verdict
from evalkit.runner.score_label import score_label
from evalkit.runner.summary_text import (
    ATTEMPT_MARKS,
    changes_by_key,
    detectable_drop_text,
    error_gist,
    executions_text,
    interval_text,
    is_noise,
    run_confidence,
    scorer_message,
)
from evalkit.stats import mean_interval, wilson_interval

#: the mean of each example's share of passing attempts, beside the pass rate (the share of
#: examples that pass their ``pass_if`` rule) when examples were repeated
ATTEMPT_PASS_RATE = "attempt pass rate"
#: the two rates explained, where a report shows both
PASS_RATES_LEGEND = (
    "pass rate: the share of examples that pass their pass_if rule; attempt pass rate: the "
    "mean of each example's share of passing attempts"
)

# Regressions first, then what fails hardest; passes last.
_RANK = {
    Verdict.FAIL: 1,
    Verdict.ERROR: 2,
    Verdict.PARTIAL: 3,
    Verdict.CANCELLED: 4,
    Verdict.PASS: 5,
}
STATUSES = ("pass", "partial", "fail", "error", "cancelled")
#: the most of an example's notes a report shows
MAX_NOTES_CHARS = 2_000


@dataclass(frozen=True)
class Attempt:
    """One attempt of a repeated example, as the reports show it."""

    number: int
    mark: str  # ✓ ✗ ◐ ! – (``ATTEMPT_MARKS``)
    verdict: str
    score: float | None
    execution_id: str | None
    link: str | None
    error: str | None
    total_ms: int

    @property
    def title(self) -> str:
        """``attempt 2: fail, score 0.38, execution exec_12``."""
        parts = [f"attempt {self.number}: {self.verdict}"]
        if self.score is not None:
            parts.append(f"score {self.score:.2f}")
        if self.execution_id:
            parts.append(f"execution {self.execution_id}")
        if self.error:
            parts.append(error_gist(self.error, 120))
        return ", ".join(parts)


@dataclass(frozen=True)
class Row:
    result: ExampleResult
    regression: bool
    fixed: bool
    #: the example against the baseline, when the summary has the evidence
    change: ExampleChange | None = None

    @property
    def significant_regression(self) -> bool:
        return (
            self.change is not None
            and self.change.change == "regression"
            and self.change.significant
        )

    @property
    def noise(self) -> bool:
        """Unchanged by the test although its pass rate or score moved."""
        return self.change is not None and is_noise(self.change)

    @property
    def attempts(self) -> list[Attempt]:
        """Each attempt of a repeated example (none for one that ran once), linked to its
        execution where the shown execution's link says where executions are."""
        repeats = self.result.repeats
        if repeats is None:
            return []
        return [
            Attempt(
                number=number,
                mark=ATTEMPT_MARKS[attempt.verdict],
                verdict=attempt.verdict.value,
                score=attempt.score,
                execution_id=attempt.execution_id,
                link=self._link_to(attempt.execution_id),
                error=attempt.error,
                total_ms=attempt.total_ms,
            )
            for number, attempt in enumerate(repeats.attempts, start=1)
        ]

    def _link_to(self, execution_id: str | None) -> str | None:
        """Another execution's link, made like the shown one (``execution_link``: the
        execution id, quoted, is the link's last segment)."""
        shown = self.result.execution
        link = self.link
        if execution_id is None or shown is None or link is None:
            return None
        if execution_id == shown.id:
            return link
        tail = quote(shown.id, safe="")
        if not link.endswith("/" + tail):
            return None
        return link[: -len(tail)] + quote(execution_id, safe="")

    @property
    def status(self) -> str:
        return self.result.verdict.value

    @property
    def flaky(self) -> bool:
        return _extra_flag(self.result, "flaky")

    @property
    def quarantined(self) -> bool:
        return _extra_flag(self.result, "quarantined")

    @property
    def link(self) -> str | None:
        execution = self.result.execution
        return execution.link if execution is not None and _is_web_link(execution.link) else None

    @property
    def output_json_checked(self) -> bool:
        # Older results files lack the field: their output JSON was always compared.
        return record_field(self.result, "output_json_checked", True) is not False

    @property
    def differences(self) -> int:
        """The runner's count (``count_differences``), as the terminal and summary.json have it."""
        return self.result.difference_count

    @property
    def score_label(self) -> str:
        """The score as people read it: a partial never shows as a plain 1.00."""
        return score_label(self.result.score, self.result.verdict, self.differences)

    @property
    def duration_ms(self) -> int:
        return self.result.durations.total_ms

    @property
    def headline(self) -> str:
        """One line: the error message or the first difference."""
        return headline_of(self.result)

    def notes(self, limit: int = MAX_NOTES_CHARS) -> str | None:
        """The example's notes for reviewers, cut to ``limit`` characters (a README may be
        long; results.jsonl keeps it whole); None when it has none."""
        notes = record_field(self.result, "notes")
        if not isinstance(notes, str) or not notes.strip():
            return None
        notes = notes.strip()
        if len(notes) <= limit:
            return notes
        return f"{notes[:limit]}… ({len(notes):,} characters in all, cut for this report)"


@dataclass(frozen=True)
class AgentStats:
    name: str
    counts: dict[str, int]
    total: int
    pass_rate: float
    baseline_pass_rate: float | None = None

    @property
    def delta(self) -> float | None:
        if self.baseline_pass_rate is None:
            return None
        return self.pass_rate - self.baseline_pass_rate


@dataclass(frozen=True)
class Estimate:
    """A figure and its confidence interval (``low``/``high`` None without one)."""

    value: float
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class ScopeStats:
    """The run, or one agent: pass rate and mean score with intervals when examples were
    repeated, and the change against the baseline (the summary's ``Delta``)."""

    name: str  # "run" or the agent
    examples: int
    attempts: int
    pass_rate: Estimate
    score: Estimate | None
    delta: Delta | None

    @property
    def label(self) -> str:
        return "whole run" if self.name == "run" else self.name

    def figures(self, confidence: float) -> str:
        """``attempt pass rate 73% (95% CI 35–100%); mean score 0.86 (95% CI 0.68–1.00); 10
        examples, 40 attempts``: shown when examples were repeated, the rate is the mean of
        each example's share of passing attempts, not the share of examples that pass."""
        level = f"{confidence:.0%} CI"
        rate = self.pass_rate
        parts = [f"{ATTEMPT_PASS_RATE} {rate.value:.0%}"]
        if rate.low is not None and rate.high is not None:
            parts[0] += f" ({level} {interval_text([rate.low, rate.high], percent=True)})"
        if self.score is not None:
            score = f"mean score {self.score.value:.2f}"
            if self.score.low is not None and self.score.high is not None:
                score += f" ({level} {interval_text([self.score.low, self.score.high])})"
            parts.append(score)
        parts.append(f"{self.examples} examples, {self.attempts} attempts")
        return "; ".join(parts)


@dataclass(frozen=True)
class EvidenceView:
    """What repeats and a baseline add to a report (absent for older results files)."""

    scopes: list[ScopeStats]
    confidence: float
    repeated: bool
    detectable: str | None
    executions: str | None

    @property
    def deltas(self) -> list[Delta]:
        return [scope.delta for scope in self.scopes if scope.delta is not None]


#: how every report marks a gate that could not be evaluated: never as a pass
GATE_NOT_CHECKED = "– not checked"


def gate_line(gate: dict[str, Any]) -> tuple[str, str]:
    """A gate of ``GateView.gates`` as every report writes it: ``(state, text)``, the state
    ``passed``, ``failed`` or ``not_checked``; the text names the gate (``min_pass_rate: pass
    rate 80.0% ...``), and an unchecked gate's text says so first."""
    message = str(gate.get("message", ""))
    name = str(gate.get("name") or "")
    if name:
        message = f"{name}: {message}"
    if not gate.get("checked", True):
        # The runner's message already says "... not checked: why"; say it once.
        if "not checked" in message:
            return "not_checked", f"– {message}"
        return "not_checked", f"{GATE_NOT_CHECKED}: {message}"
    return ("passed" if gate.get("passed") else "failed"), message


@dataclass(frozen=True)
class GateView:
    status: str  # passed, gate_failed, infrastructure, interrupted, unknown
    outcome: str
    #: each gate's outcome as the summary has it, plus ``checked`` (see ``gate_checked``)
    gates: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass(frozen=True)
class ReportView:
    run_id: str
    rows: list[Row]
    agents: list[AgentStats]
    counts: dict[str, int]
    pass_rate: float
    gate: GateView
    baseline_pass_rate: float | None
    baseline_counts: dict[str, int] | None
    meta: dict[str, str]
    sync_plan: dict[str, Any] | None
    evidence: EvidenceView | None = None
    #: what --changed-since ran and skipped, one line each (empty without it)
    change_lines: list[str] = field(default_factory=list)
    #: each judge's agreement with its labelled examples, one line each (``calibration``)
    calibration_lines: list[str] = field(default_factory=list)

    @property
    def regressions(self) -> list[Row]:
        return [row for row in self.rows if row.regression]

    @property
    def significant_regressions(self) -> list[Row]:
        return [row for row in self.rows if row.significant_regression]

    @property
    def noise(self) -> list[Row]:
        return [row for row in self.rows if row.noise]

    @property
    def problems(self) -> list[Row]:
        """Regressions first, then every other example that did not pass."""
        return [row for row in self.rows if row.status != "pass"]


def build_view(run: RunResults) -> ReportView:
    summary, baseline = run.summary, run.baseline
    regressed = _regression_keys(run)
    failed_before = (
        {key for key, v in _verdicts(baseline).items() if v is not Verdict.PASS}
        if baseline
        else set()
    )
    changes = changes_by_key(summary)
    rows = [
        Row(
            result,
            regression=result.key in regressed,
            fixed=result.key in failed_before and result.verdict is Verdict.PASS,
            change=changes.get(result.key),
        )
        for result in run.results
    ]
    rows.sort(key=lambda r: (not r.regression, _RANK[r.result.verdict], r.result.agent))
    counts = _counts(rows)
    total = len(rows)
    baseline_counts = _baseline_counts(baseline) if baseline else None
    return ReportView(
        run_id=_run_id(run),
        rows=rows,
        agents=_agents(rows, baseline),
        counts=counts,
        pass_rate=counts["pass"] / total if total else 1.0,
        gate=_gate(summary, counts),
        baseline_pass_rate=_rate(baseline_counts) if baseline_counts else None,
        baseline_counts=baseline_counts,
        meta=_meta(run),
        sync_plan=_sync_plan(summary),
        evidence=_evidence(run, rows),
        change_lines=selection_lines(summary.change_selection if summary else None),
        calibration_lines=[judge.text() for judge in summary.calibration] if summary else [],
    )


def _evidence(run: RunResults, rows: list[Row]) -> EvidenceView | None:
    """Pass rate and score with intervals per agent and for the run (when examples were
    repeated), the deltas, and the sentences on detection and executions; None when the
    results hold none of it (older files render as they did)."""
    summary = run.summary
    repeated = any(row.result.repeats is not None for row in rows)
    has_summary_evidence = summary is not None and (
        summary.deltas or summary.minimum_detectable_drop is not None
    )
    if not repeated and not has_summary_evidence:
        return None
    confidence = run_confidence(summary, run.results) if summary is not None else 0.95
    deltas = {delta.scope: delta for delta in summary.deltas} if summary is not None else {}
    agents = sorted({row.result.agent for row in rows})
    scopes = [_scope("run", rows, deltas.get("run"), confidence, repeated)]
    if len(agents) > 1:
        scopes += [
            _scope(
                agent,
                [row for row in rows if row.result.agent == agent],
                deltas.get(agent),
                confidence,
                repeated,
            )
            for agent in agents
        ]
    return EvidenceView(
        scopes=scopes,
        confidence=confidence,
        repeated=repeated,
        detectable=detectable_drop_text(summary, confidence) if summary is not None else None,
        executions=executions_text(summary) if summary is not None else None,
    )


def _scope(
    name: str, rows: list[Row], delta: Delta | None, confidence: float, repeated: bool
) -> ScopeStats:
    """Per example its pass rate (k/n) and score; the scope's pass rate is their mean. Its
    interval is the wider of Student's t over the examples' rates (examples differ) and
    Wilson's over every attempt (attempts vary): either alone is too narrow when the other
    source of variation dominates. The mean score's interval is Student's t over the
    examples' mean scores. Intervals only when examples were repeated."""
    judged = [row for row in rows if row.status != Verdict.CANCELLED.value and not row.quarantined]
    counts = [_pass_count(row.result) for row in judged]
    rates = [passes / trials for passes, trials in counts if trials]
    attempts = sum(trials for _, trials in counts)
    scores = [row.result.score for row in judged if row.result.score is not None]
    rate = Estimate(sum(rates) / len(rates) if rates else 0.0)
    score = Estimate(sum(scores) / len(scores)) if scores else None
    if repeated and rates:
        wilson = wilson_interval(sum(passes for passes, _ in counts), attempts, confidence)
        low, high = wilson.low, wilson.high
        _, spread = mean_interval(rates, confidence)
        if spread is not None:
            low, high = min(low, max(0.0, spread.low)), max(high, min(1.0, spread.high))
        rate = Estimate(rate.value, low, high)
    if repeated and score is not None:
        _, interval = mean_interval(scores, confidence)
        if interval is not None:
            score = Estimate(score.value, max(0.0, interval.low), min(1.0, interval.high))
    return ScopeStats(name, len(judged), attempts, rate, score, delta)


def _pass_count(result: ExampleResult) -> tuple[int, int]:
    if result.repeats is not None:
        return result.repeats.passes, result.repeats.trials
    return (1 if result.verdict is Verdict.PASS else 0), 1


def headline_of(result: ExampleResult) -> str:
    if result.error is not None:
        return f"{result.error.kind.value}: {error_gist(result.error.message)}"
    comparison = result.comparison or {}
    for difference in comparison.get("differences", []):
        return describe_difference(difference)
    for file in comparison.get("files", []):
        if file.get("status") != "match":
            return f"file {file.get('name')}: {file.get('status')}"
    return ""


def describe_difference(difference: dict[str, Any], limit: int = 80) -> str:
    """The compare engine's one-line display of a difference, from its dict."""
    where = difference.get("pointer") or "(root)"
    message = scorer_message(difference)
    if message is not None:
        return f"{where}: {_clip(message, 2 * limit)}"
    kind = str(difference.get("kind", "changed"))
    text = f"{where}: {kind.replace('_', ' ')}"
    if kind == "missing":
        text += f", expected {_short(difference.get('expected'), limit)}"
    elif kind == "unexpected":
        text += f", actual {_short(difference.get('actual'), limit)}"
    elif kind != "order":
        text += (
            f", expected {_short(difference.get('expected'), limit)},"
            f" actual {_short(difference.get('actual'), limit)}"
        )
    if difference.get("rule"):
        text += f" [{difference['rule']}]"
    return text


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short(value: Any, limit: int) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _extra_flag(result: ExampleResult, name: str) -> bool:
    return bool(record_field(result, name))


_MISSING = object()


def record_field(record: BaseModel, name: str, default: Any = None) -> Any:
    """A field that newer runners write: a declared field or an extra key alike."""
    extras = record.model_extra or {}
    if name in extras:
        return extras[name]
    value = getattr(record, name, _MISSING) if name in type(record).model_fields else _MISSING
    return default if value is _MISSING else value


def _is_web_link(link: str) -> bool:
    # A link from a results file is untrusted: only http(s) may become an href.
    return link.startswith(("https://", "http://"))


def _verdicts(summary: RunSummary) -> dict[tuple[str, str, str], Verdict]:
    return {(b.kind, b.agent, b.example): b.verdict for b in summary.examples}


def _keys_with(summary: RunSummary, verdict: Verdict) -> set[tuple[str, str, str]]:
    return {key for key, v in _verdicts(summary).items() if v is verdict}


def _regression_keys(run: RunResults) -> set[tuple[str, str, str]]:
    """The regressions the run's summary counted (what ``max_regressions`` judged: with
    repeats, noise is not one); a plain pass→fail only where no summary compared the two."""
    summary = run.summary
    if summary is not None and (summary.baseline is not None or summary.changes):
        return {(b.kind, b.agent, b.example) for b in summary.regressions}
    if run.baseline is None:
        return set()
    passed_before = _keys_with(run.baseline, Verdict.PASS)
    return {
        r.key
        for r in run.results
        if r.key in passed_before and r.verdict not in (Verdict.PASS, Verdict.CANCELLED)
    }


def _counts(rows: list[Row]) -> dict[str, int]:
    tally = Counter(row.status for row in rows)
    counts = {status: tally.get(status, 0) for status in STATUSES}
    counts["flaky"] = sum(1 for row in rows if row.flaky)
    counts["quarantined"] = sum(1 for row in rows if row.quarantined)
    counts["regressions"] = sum(1 for row in rows if row.regression)
    counts["json_not_checked"] = sum(1 for row in rows if not row.output_json_checked)
    counts["total"] = len(rows)
    return counts


def _baseline_counts(baseline: RunSummary) -> dict[str, int]:
    tally = Counter(brief.verdict.value for brief in baseline.examples)
    counts = {status: tally.get(status, 0) for status in STATUSES}
    counts["total"] = len(baseline.examples)
    return counts


def _rate(counts: dict[str, int]) -> float:
    return counts["pass"] / counts["total"] if counts["total"] else 1.0


def _agents(rows: list[Row], baseline: RunSummary | None) -> list[AgentStats]:
    by_agent: dict[str, Counter[str]] = {}
    for row in rows:
        by_agent.setdefault(row.result.agent, Counter())[row.status] += 1
    before: dict[str, Counter[str]] = {}
    for brief in baseline.examples if baseline else []:
        before.setdefault(brief.agent, Counter())[brief.verdict.value] += 1
    stats = []
    for name in sorted(by_agent):
        tally = by_agent[name]
        total = sum(tally.values())
        old = before.get(name)
        stats.append(
            AgentStats(
                name=name,
                counts={status: tally.get(status, 0) for status in STATUSES},
                total=total,
                pass_rate=tally["pass"] / total if total else 1.0,
                baseline_pass_rate=old["pass"] / sum(old.values()) if old else None,
            )
        )
    return stats


def _gate(summary: RunSummary | None, counts: dict[str, int]) -> GateView:
    if summary is None:
        return GateView(
            "unknown",
            f"no run summary: {counts['pass']}/{counts['total']} passed, gates not evaluated",
        )
    gates = [
        {**gate.to_dict(), "checked": gate_checked(gate.to_dict(), summary)}
        for gate in summary.gates
    ]
    return GateView(summary.status, summary.outcome, gates)


def gate_checked(gate: dict[str, Any], summary: RunSummary) -> bool:
    """Whether a gate was evaluated: the regression gate cannot be without a baseline (it then
    "passes" with a message saying so, which must not read as a passed check)."""
    if isinstance(gate.get("checked"), bool):
        return bool(gate["checked"])
    return not (gate.get("name") == "max_regressions" and summary.baseline is None)


def _run_id(run: RunResults) -> str:
    if run.summary is not None:
        return run.summary.metadata.run_id
    return run.results[0].run_id if run.results else "(empty run)"


def _meta(run: RunResults) -> dict[str, str]:
    """Header facts, as display text; absent facts are left out."""
    meta: dict[str, str] = {}
    if run.summary is not None:
        metadata = run.summary.metadata
        meta["target"] = f"{metadata.target.kind} ({without_credentials(metadata.target.base_url)})"
        if metadata.git.commit:
            branch = f" on {metadata.git.branch}" if metadata.git.branch else ""
            dirty = " (uncommitted changes)" if metadata.git.dirty else ""
            meta["commit"] = f"{metadata.git.commit[:12]}{branch}{dirty}"
        meta["evalkit"] = metadata.evalkit_version
        meta["started"] = metadata.started_at
        seconds = _seconds_between(metadata.started_at, metadata.finished_at)
        if seconds is not None:
            meta["duration"] = duration_text(seconds)
        if run.summary.baseline:
            meta["baseline"] = run.summary.baseline
        if run.summary.judgements is not None:
            meta["judgements"] = run.summary.judgements.figures()
    elif run.results:
        starts = [r.started_at for r in run.results if r.started_at]
        seconds = (
            _seconds_between(min(starts), max(r.finished_at for r in run.results))
            if starts
            else None
        )
        if seconds is not None:
            meta["duration"] = duration_text(seconds)
    return meta


def without_credentials(url: str) -> str:
    """A URL as shown in a report: never with a user or password in it (an address that
    cannot be parsed is not shown: it could hold either)."""
    try:
        parts = urlsplit(url)
        if parts.username is None and parts.password is None:
            return url
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
    except ValueError:  # "http://[::1", a port that is not a number
        return NOT_A_URL
    return urlunsplit(parts._replace(netloc=netloc))


#: how an address that is not a URL is shown
NOT_A_URL = "(an address that is not a valid URL)"


def _seconds_between(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    try:
        begin, finish = (
            datetime.fromisoformat(start.replace("Z", "+00:00")),
            datetime.fromisoformat(end.replace("Z", "+00:00")),
        )
    except ValueError:
        return None
    if (begin.tzinfo is None) != (finish.tzinfo is None):
        return None  # one with a time zone, one without: no way to tell the time between
    return max(0.0, (finish - begin).total_seconds())


def _sync_plan(summary: RunSummary | None) -> dict[str, Any] | None:
    plan = record_field(summary, "sync_plan") if summary is not None else None
    return plan if isinstance(plan, dict) else None
