"""The run's outcome as plain text for the terminal: pure functions, no printing."""

from __future__ import annotations

import json

from evalkit.runner.results import Counts, ExampleResult, RunSummary, Verdict, is_flagged
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
    seconds = result.durations.total_ms / 1000
    line = (
        f"[{done:>{width}}/{total}] {result.verdict.value:<9} "
        f"{result.agent}/{result.example}{score} ({seconds:.1f} s)"
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
        header = ("verdict", "example", "score", "detail")
        table = [
            (
                brief.verdict.value,
                f"{brief.agent}/{brief.example}",
                score_label(brief.score, brief.verdict, brief.differences),
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
    lines += _traffic_lines(summary)
    lines += _feedback_lines(summary)
    for regression in summary.regressions:
        lines.append(
            f"regression: {regression.agent}/{regression.example} now {regression.verdict.value}"
        )
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
    for flag, meaning in (("flaky", "passed on a retry"), ("quarantined", "judged by no gate")):
        labels = [f"{b.agent}/{b.example}" for b in summary.examples if is_flagged(b, flag)]
        if labels:
            lines.append(_labels_line(f"{flag} ({meaning})", labels))
    unchecked = [f"{b.agent}/{b.example}" for b in summary.examples if not b.output_json_checked]
    if unchecked:
        lines.append(_labels_line(f"{NOT_CHECKED} (no expected JSON declared)", unchecked))
    return lines


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
        text = f"{where} {first.get('kind', '')}".strip()
        if "expected" in first and "actual" in first:
            text += f": {_short(first['expected'])} -> {_short(first['actual'])}"
        parts.append(text)
        if len(differences) > 1:
            parts[-1] += f" (+{len(differences) - 1} more)"
    if files:
        parts.append(f"file {files[0].get('name')} {files[0].get('status')}")
    return "; ".join(parts)


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
