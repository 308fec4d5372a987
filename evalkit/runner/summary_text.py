"""The run's outcome as plain text for the terminal: pure functions, no printing."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from evalkit.runner.change_text import skipped_lines
from evalkit.runner.costs import usage_heading, usage_lines
from evalkit.runner.duration_text import duration_text
from evalkit.runner.evidence import judged_briefs, moved, once_each
from evalkit.runner.results import (
    Counts,
    Delta,
    ExampleBrief,
    ExampleChange,
    ExampleResult,
    Repeats,
    RunSummary,
    Verdict,
    is_flagged,
)
from evalkit.runner.score_label import score_label

MAX_PROBLEM_ROWS = 30
#: said of an example that declares no expected JSON: whatever the agent returned passed
NOT_CHECKED = "output JSON not checked"
#: said of an example whose verdict could not be written onto its execution
FEEDBACK_NOT_WRITTEN = "feedback not written"


def feedback_note(failures: int) -> str:
    """What the outcome line adds when verdicts could not be written onto their executions."""
    examples = "example" if failures == 1 else "examples"
    return f"{FEEDBACK_NOT_WRITTEN} for {failures} {examples} (the verdicts stand)"


def counts_text(counts: Counts) -> str:
    parts = [
        f"{counts.passed} pass",
        f"{counts.partial} partial",
        f"{counts.failed} fail",
        f"{counts.errors} error",
    ]
    if counts.cancelled:
        parts.append(f"{counts.cancelled} cancelled")
    return ", ".join(parts)


def progress_line(done: int, total: int, result: ExampleResult) -> str:
    """One line per finished example, for output that is not a terminal (CI logs)."""
    width = len(str(total))
    score = ""
    if result.score is not None:
        score = f" score {score_label(result.score, result.verdict, result.difference_count)}"
    if result.repeats is not None:
        score += f" {passes_text(result.repeats)} {attempt_strip(result.repeats)}"
    seconds = result.durations.total_ms / 1000
    line = (
        f"[{done:>{width}}/{total}] {result.verdict.value:<9} "
        f"{result.agent}/{result.example}{score} ({duration_text(seconds)})"
    )
    flags = [flag for flag in ("flaky", "quarantined") if is_flagged(result, flag)]
    if not result.output_json_checked:
        flags.append(NOT_CHECKED)
    if result.feedback.error is not None:
        flags.append(FEEDBACK_NOT_WRITTEN)
    if flags:
        line += f" [{', '.join(flags)}]"
    if result.error is not None:
        line += f": {error_gist(result.error.message)}"
    return line


def render_summary(summary: RunSummary, problems: list[ExampleResult] | None = None) -> str:
    """The closing table: examples that did not pass (first difference or error), the counts,
    the gates, and where the results are."""
    lines: list[str] = []
    rows = [brief for brief in summary.examples if brief.verdict is not Verdict.PASS]
    if rows:
        details = {(p.agent, p.example): _detail(p) for p in problems or []}
        # The passes column only when some example ran more than once: older runs read as before.
        repeated = any(brief.passes is not None for brief in summary.examples)
        header = ("verdict", "example", "score", *(("passes",) if repeated else ()), "detail")
        table = [
            (
                brief.verdict.value,
                f"{brief.agent}/{brief.example}",
                score_label(brief.score, brief.verdict, brief.differences),
                *((brief_passes(brief),) if repeated else ()),
                details.get((brief.agent, brief.example), brief.error_kind or ""),
            )
            for brief in rows[:MAX_PROBLEM_ROWS]
        ]
        lines += _table(header, [tuple(str(cell) for cell in row) for row in table])
        if len(rows) > MAX_PROBLEM_ROWS:
            lines.append(f"... and {len(rows) - MAX_PROBLEM_ROWS} more in the results file")
        lines.append("")
    counts = summary.counts
    lines.append(
        f"{counts.total} example(s): {counts_text(counts)}; pass rate {summary.pass_rate:.1%}"
    )
    lines += _flagged_lines(summary)
    lines += _drift_lines(summary)
    lines += skipped_lines(summary.change_selection)
    lines += _traffic_lines(summary)
    lines += _usage_lines(summary)
    lines += _feedback_lines(summary)
    if summary.judgements is not None:
        lines.append(f"judgements: {summary.judgements.figures()}")
    lines += [f"judge calibration: {judge.text()}" for judge in summary.calibration]
    changes = changes_by_key(summary)
    for regression in summary.regressions:
        change = changes.get((regression.kind, regression.agent, regression.example))
        evidence = ""
        if change is not None and (change.significant or change.undecided):
            evidence = f" ({change_text(change)})"
        if change is not None and change.undecided:
            evidence += "; undecided: --max-executions ran out while it disagreed, so it counts"
        lines.append(
            f"regression: {regression.agent}/{regression.example} now "
            f"{regression.verdict.value}{evidence}"
        )
    lines += _evidence_lines(summary)
    for gate in summary.gates:
        # An unchecked gate is no pass: its message says it was not checked, and why.
        mark = ("ok: " if gate.passed else "FAILED: ") if gate.checked else ""
        lines.append(f"gate {gate.name}: {mark}{gate.message}")
    lines.append(f"{summary.status}: {summary.outcome}")
    lines.append(f"results: {summary.results_file}")
    return "\n".join(lines)


def _flagged_lines(summary: RunSummary) -> list[str]:
    """Examples that passed only on a retry, those no gate judges, and those whose output
    JSON was not compared."""
    lines = []
    flaky = [b for b in summary.examples if is_flagged(b, "flaky")]
    retried = [f"{b.agent}/{b.example}" for b in flaky if b.passes is None]
    mixed = [f"{b.agent}/{b.example} {brief_passes(b)}" for b in flaky if b.passes is not None]
    if retried:
        lines.append(_labels_line("flaky (passed on a retry)", retried))
    if mixed:
        lines.append(_labels_line("flaky (mixed outcomes over its attempts)", mixed))
    quarantined = [
        f"{b.agent}/{b.example}" for b in summary.examples if is_flagged(b, "quarantined")
    ]
    if quarantined:
        lines.append(_labels_line("quarantined (judged by no gate)", quarantined))
    unchecked = [f"{b.agent}/{b.example}" for b in summary.examples if not b.output_json_checked]
    if unchecked:
        lines.append(_labels_line(f"{NOT_CHECKED} (no expected JSON declared)", unchecked))
    return lines


# ---- repeats and evidence: one wording for the terminal and every report ----

#: how one attempt shows in an attempt strip (✓✗✓)
ATTEMPT_MARKS = {
    Verdict.PASS: "✓",
    Verdict.FAIL: "✗",
    Verdict.PARTIAL: "◐",
    Verdict.ERROR: "!",
    Verdict.CANCELLED: "–",
}
#: the power ``minimum_detectable_drop`` is computed at (evalkit.stats.proportions)
DETECTION_POWER = 0.8
DEFAULT_CONFIDENCE = 0.95
ExampleKey = tuple[str, str, str]


def attempt_strip(repeats: Repeats) -> str:
    """Each attempt's verdict in order: ``✓✗✓``."""
    return "".join(ATTEMPT_MARKS[attempt.verdict] for attempt in repeats.attempts)


def passes_text(repeats: Repeats) -> str:
    """``2/3 passed (rule all)``; ``(rule all, adaptive)`` when attempts were added only while
    the change from the baseline was undecided."""
    how = f"rule {repeats.pass_if}" + (", adaptive" if repeats.adaptive else "")
    return f"{repeats.passes}/{repeats.trials} passed ({how})"


def brief_passes(brief: ExampleBrief) -> str:
    """``2/3`` for a repeated example; empty for one that ran once."""
    if brief.passes is None:
        return ""
    return f"{brief.passes}/{brief.trials}"


def interval_text(interval: Sequence[float] | None, *, percent: bool = False) -> str:
    """``0.61–1.00``, or ``21–98%`` for a rate (clamped to 0..1); empty without one."""
    if not interval or len(interval) != 2:
        return ""
    # Pass rates and scores lie in 0..1; a t interval of a mean near 1 can pass the bound.
    low, high = max(0.0, interval[0]), min(1.0, interval[1])
    if percent:
        return f"{low * 100:.0f}–{high * 100:.0f}%"
    return f"{low:.2f}–{high:.2f}"


def repeats_text(repeats: Repeats) -> str:
    """Everything about an example's attempts on one line (JUnit, annotations, terminal):
    ``2/3 passed (rule all) ✓✗✓, pass rate 95% CI 21–98%, mean score 95% CI 0.61–1.00``."""
    confidence = f"{repeats.confidence:.0%} CI"
    parts = [f"{passes_text(repeats)} {attempt_strip(repeats)}"]
    if repeats.pass_interval:
        parts.append(f"pass rate {confidence} {interval_text(repeats.pass_interval, percent=True)}")
    if repeats.score_interval:
        parts.append(f"mean score {confidence} {interval_text(repeats.score_interval)}")
    return ", ".join(parts)


def changes_by_key(summary: RunSummary | None) -> dict[ExampleKey, ExampleChange]:
    if summary is None:
        return {}
    return {(c.kind, c.agent, c.example): c for c in summary.changes}


def is_noise(change: ExampleChange) -> bool:
    """Unchanged by the test, yet its pass rate or mean score moved: noise, not a change
    (as ``evalkit.stats.ExampleChange.is_noise``). An example the budget left undecided is
    not noise: it was still being confirmed."""
    return change.change == "unchanged" and not change.undecided and moved(change)


def change_text(change: ExampleChange) -> str:
    """The evidence for one example: ``3/3 → 0/8 passed, p = 0.0061, Fisher's exact test on
    pass counts``; scores when they moved."""
    parts = []
    if change.passes_before is not None and change.passes_after is not None:
        (k1, n1), (k2, n2) = change.passes_before, change.passes_after
        parts.append(f"{k1}/{n1} → {k2}/{n2} passed")
    if (
        change.score_before is not None
        and change.score_after is not None
        and f"{change.score_before:.2f}" != f"{change.score_after:.2f}"
    ):
        parts.append(f"mean score {change.score_before:.2f} → {change.score_after:.2f}")
    p_value = p_value_text(change)
    if p_value is not None:
        parts.append(p_value)
    return ", ".join(parts)


#: the tests a p-value can come from (``ExampleChange.test``), as reports name them:
#: (in a sentence, in a table)
TEST_NAMES = {
    "fisher": ("Fisher's exact test on pass counts", "Fisher"),
    "welch": ("Welch's t-test on scores", "Welch"),
}
#: a p-value from a results file that does not say its test (written before ``test``)
UNNAMED_TEST = ("exact test", "exact test")


def test_of(change: ExampleChange) -> str | None:
    """Which test gave the change's p-value: ``fisher``, ``welch``, or None when not said."""
    extras = change.model_extra or {}
    found = extras.get("test", getattr(change, "test", None))
    return found if isinstance(found, str) else None


def p_value_text(change: ExampleChange, *, short: bool = False) -> str | None:
    """``p = 0.048, Fisher's exact test on pass counts``; in a table (``short``)
    ``p 0.048 (Fisher)``; None without a p-value. Every report words a p-value so."""
    if change.p_value is None:
        return None
    shown = p_text(change.p_value)
    sentence, brief = TEST_NAMES.get(test_of(change) or "", UNNAMED_TEST)
    if short:
        return f"p {shown} ({brief})"
    relation = shown if shown.startswith("<") else f"= {shown}"
    return f"p {relation}, {sentence}"


def p_text(p_value: float) -> str:
    """Two significant digits, never rounded across the 0.05 line: ``0.048``, ``0.0013``,
    ``0.17``, ``< 0.0001``."""
    if p_value < 0.0001:
        return "< 0.0001"
    return f"{p_value:#.2g}"


def change_label(change: ExampleChange) -> str:
    """One word (or a few) for an example against the baseline, as every report says it:
    ``significant regression``, ``regression (one attempt each side)``, ``noise``,
    ``unchanged``, ``new``, ``removed``."""
    if change.change in ("new", "removed", "unchanged"):
        return "noise" if is_noise(change) else change.change
    if change.significant:
        return f"significant {change.change}"
    if once_each(change):
        return f"{change.change} (one attempt each side: no test decides)"
    if change.untestable:
        return f"{change.change} (too few attempts for any test to decide: verdicts compared)"
    return "noise"


def significant_regressions(summary: RunSummary | None) -> list[ExampleChange]:
    if summary is None:
        return []
    return [c for c in summary.changes if c.change == "regression" and c.significant]


def noise_changes(summary: RunSummary | None) -> list[ExampleChange]:
    if summary is None:
        return []
    return [change for change in summary.changes if is_noise(change)]


def run_confidence(summary: RunSummary, results: Sequence[ExampleResult] = ()) -> float:
    """The confidence the run's statistics used: its deltas', else its repeats', else 0.95."""
    if summary.deltas:
        return summary.deltas[0].confidence
    for result in results:
        if result.repeats is not None:
            return result.repeats.confidence
    return DEFAULT_CONFIDENCE


def detectable_drop_text(summary: RunSummary, confidence: float | None = None) -> str | None:
    """``with 40 examples × 3 attempts this run could detect a pass-rate drop of 12 points or
    more (95% confidence, 80% power)``; None when the summary has no figure."""
    drop = summary.minimum_detectable_drop
    if drop is None:
        return None
    level = confidence if confidence is not None else run_confidence(summary)
    return drop_text(drop, summary.examples, level)


def drop_text(
    drop: float, briefs: Sequence[ExampleBrief], confidence: float, *, subject: str = "this run"
) -> str:
    """What ``subject`` could detect: the one wording of the smallest detectable drop, for
    ``evalkit run`` and ``evalkit diff`` alike (``briefs``: the run's examples)."""
    judged = judged_briefs(briefs)
    trials = sum(brief.pass_count[1] for brief in judged)
    examples = len(judged)
    noun = "example" if examples == 1 else "examples"
    if not judged:
        size = "this many examples and attempts"
    elif trials == examples:
        size = f"{examples} {noun}, one attempt each,"
    elif trials % examples == 0:
        size = f"{examples} {noun} × {trials // examples} attempts"
    else:
        size = f"{examples} {noun} × {trials / examples:.1f} attempts on average"
    how = f"({confidence:.0%} confidence, {DETECTION_POWER:.0%} power)"
    if drop >= 1.0:
        return (
            f"with {size} {subject} could not detect a pass-rate drop of any size {how}: "
            "add examples or repeats before gating on a change"
        )
    return (
        f"with {size} {subject} could detect a pass-rate drop of {round(drop * 100)} points "
        f"or more {how}"
    )


def executions_text(summary: RunSummary) -> str | None:
    """With --confirm: ``used 62 executions where a fixed repeat of 8 would use 320: 81%
    saved``; None otherwise."""
    used, fixed = summary.executions, summary.fixed_executions
    if used is None or fixed is None or fixed <= 0:
        return None
    examples = len(summary.examples)
    of = f" of {fixed // examples}" if examples and fixed % examples == 0 else ""
    saved = 1 - used / fixed
    return f"used {used} executions where a fixed repeat{of} would use {fixed}: {saved:.0%} saved"


def score_change_text(delta: Delta) -> str:
    """``mean score 0.91 → 0.88 (−0.03, 95% CI −0.05 to −0.01)``; empty without scores."""
    if delta.score_before is None or delta.score_after is None or delta.score_delta is None:
        return ""
    change = signed(delta.score_delta)
    text = f"mean score {delta.score_before:.2f} → {delta.score_after:.2f} ({change}"
    if delta.score_interval:
        low, high = delta.score_interval
        text += f", {delta.confidence:.0%} CI {signed(low)} to {signed(high)}"
    return text + ")"


def delta_text(delta: Delta) -> str:
    """The delta's words, then the mean score's change."""
    score = score_change_text(delta)
    return f"{delta.words}; {score}" if score else delta.words


def signed(value: float, digits: int = 2) -> str:
    """A change with its sign and a true minus: ``+0.03``, ``−0.05``, ``0.00``."""
    text = f"{abs(value):.{digits}f}"
    if float(text) == 0:
        return text
    return f"+{text}" if value > 0 else f"−{text}"


def points_text(fraction: float, digits: int = 0) -> str:
    """A pass-rate change in percentage points, with its sign and a true minus:
    ``−40 points``, ``+2.5 points`` (``digits`` after the point)."""
    return f"{signed(fraction * 100, digits)} points"


def _evidence_lines(summary: RunSummary) -> list[str]:
    """The change against the baseline in words, the noise, and what the run could detect."""
    lines = [f"against the baseline, {_scope(d.scope)}: {delta_text(d)}" for d in summary.deltas]
    noise = noise_changes(summary)
    if noise:
        labels = [f"{c.agent}/{c.example} ({change_text(c)})" for c in noise]
        lines.append(_labels_line("noise (moved, not significantly)", labels))
    for text in (detectable_drop_text(summary), executions_text(summary)):
        if text is not None:
            lines.append(text)
    return lines


def _scope(scope: str) -> str:
    return "the run" if scope == "run" else scope


def _feedback_lines(summary: RunSummary) -> list[str]:
    """Examples whose verdict is not on their execution, and why: no gate fails for it (the
    verdicts are right), so it must be said plainly."""
    failures = summary.feedback_failures
    if not failures:
        return []
    examples = "example" if len(failures) == 1 else "examples"
    lines = [
        f"warning: {FEEDBACK_NOT_WRITTEN} for {len(failures)} {examples} "
        "(the verdicts stand; see feedback.error in the results):"
    ]
    for brief in failures[:MAX_PROBLEM_ROWS]:
        lines.append(f"  {brief.agent}/{brief.example}: {error_gist(brief.feedback_error or '')}")
    if len(failures) > MAX_PROBLEM_ROWS:
        lines.append(f"  ... and {len(failures) - MAX_PROBLEM_ROWS} more")
    return lines


def _traffic_lines(summary: RunSummary) -> list[str]:
    """How the platform answered, when it did not always answer well."""
    traffic = summary.traffic
    if traffic is None or not (
        traffic.server_errors or traffic.rate_limited or traffic.unanswered or traffic.repeated
    ):
        return []
    return [
        f"platform: {traffic.requests} requests, {traffic.server_errors} answered 5xx, "
        f"{traffic.rate_limited} answered 429, {traffic.unanswered} without an answer; "
        f"{traffic.repeated} calls made again by evalkit after the client's own retries"
    ]


def _usage_lines(summary: RunSummary) -> list[str]:
    """Each agent's platform time (p50, p95) and the cost the platform reported."""
    lines = usage_lines(summary.usage)
    if not lines:
        return []
    shown = [f"  {line}" for line in lines[:MAX_PROBLEM_ROWS]]
    if len(lines) > MAX_PROBLEM_ROWS:
        shown.append(f"  ... and {len(lines) - MAX_PROBLEM_ROWS} more in the summary")
    return [f"{usage_heading(summary.usage)}, per agent:", *shown]


def _labels_line(head: str, labels: list[str]) -> str:
    shown = ", ".join(labels[:MAX_PROBLEM_ROWS])
    more = len(labels) - MAX_PROBLEM_ROWS
    return f"{head}: {shown}" + (f" and {more} more" if more > 0 else "")


def _drift_lines(summary: RunSummary) -> list[str]:
    """Agents that ran as they were although they differ from the manifest."""
    return [
        f"ran with drift (--allow-drift): {agent.agent}"
        + (f" as {agent.slug}" if agent.slug != agent.agent else "")
        + (f": {agent.gist()}" if agent.differences else "")
        for agent in summary.drifted_agents
    ]


def _detail(result: ExampleResult) -> str:
    if result.error is not None:
        return f"{result.error.kind.value}: {error_gist(result.error.message)}"
    comparison = result.comparison or {}
    differences = comparison.get("differences") or []
    files = [f for f in comparison.get("files") or [] if f.get("status") != "match"]
    parts = []
    if differences:
        first = differences[0]
        where = first.get("pointer") or "(root)"
        message = scorer_message(first)
        text = f"{where} {first.get('kind', '')}".strip()
        if message is not None:
            text = f"{where}: {message}"
        elif "expected" in first and "actual" in first:
            text += f": {_short(first['expected'])} -> {_short(first['actual'])}"
        parts.append(text)
        if len(differences) > 1:
            parts[-1] += f" (+{len(differences) - 1} more)"
    if files:
        parts.append(f"file {files[0].get('name')} {files[0].get('status')}")
    return "; ".join(parts)


#: how the comparison names its own rules in a difference's ``rule`` (the values then say what
#: differs); any other text there is a scorer's verdict on the value, in words
#: (``evalkit.compare.scorers``): "similarity 0.46 below 0.95", "missing 'refund'"
_RULE_NAMES = (
    "tolerance ",
    "relative tolerance ",
    "strings_as_numbers",
    "text ",
    "order: strict",
    "nested too deeply",
)
#: a regex rule's description (``UserRegex.describe``): the pattern decides, not the expected
#: value, which it never reads
_REGEX = "regex '"


def scorer_message(difference: dict[str, Any]) -> str | None:
    """The scorer's message a difference carries, in place of its values: a scorer judges the
    value on its own terms (the expected side may be a mere placeholder), so the values say
    less than its sentence; None for a plain difference, or one a rule only qualifies."""
    rule = difference.get("rule")
    if difference.get("kind") != "changed" or not isinstance(rule, str) or not rule.strip():
        return None
    if "score" in difference or "error" in difference:  # similarity's credit, a python failure
        return rule
    if rule.startswith(_REGEX):  # the pattern, and why it failed when it was not decided
        return f"does not match {rule}" if rule.endswith("'") else rule
    if " " not in rule.strip() or rule.startswith(_RULE_NAMES):
        return None  # "present", deepdiff's report types, a rule's own description
    return rule


def _short(value: object, limit: int = 40) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_gist(text: str, limit: int = 160) -> str:
    """The first line of an error, plus its last when there are more: a crashed program's
    error is 'exit code 1' then its stderr, whose last line names the exception."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    first, last = lines[0], lines[-1]
    if len(lines) > 1:
        room = max(limit - len(first) - 3, 40)
        tail = last if len(last) <= room else last[: room - 1] + "…"
        first = f"{first} … {tail}"
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    widths[-1] = 0  # the last column is not padded

    def line(row: tuple[str, ...]) -> str:
        return "  ".join(
            cell.ljust(width) for cell, width in zip(row, widths, strict=True)
        ).rstrip()

    return [line(header), *(line(row) for row in rows)]
