"""A Markdown summary for pull-request comments and ``$GITHUB_STEP_SUMMARY``.

Verdict, counts and gates first; then regressions and other problems with their top
differences; then a link to the HTML report. Everything from the results is untrusted: it is
shown in code spans (which GitHub never renders as HTML) or escaped
(``evalkit.report.markdown_text``). The text stays under
GitHub's 65,536-character limit: examples that do not fit are left out with a note.
"""

from __future__ import annotations

from evalkit.report.example_text import NOT_CHECKED, top_differences
from evalkit.report.loading import RunResults
from evalkit.report.markdown_text import code_span, plain_text
from evalkit.report.trend import trend_markdown
from evalkit.report.usage import usage_markdown
from evalkit.report.view import (
    PASS_RATES_LEGEND,
    EvidenceView,
    ReportView,
    Row,
    ScopeStats,
    build_view,
    gate_line,
)
from evalkit.runner.calibration_record import CALIBRATION_HEADING
from evalkit.runner.results import Delta
from evalkit.runner.summary_text import (
    attempt_strip,
    change_text,
    delta_text,
    interval_text,
    passes_text,
    points_text,
)

GITHUB_LIMIT = 65_536
#: the most of an example's notes a problem's entry shows (folded into one line)
NOTES_CHARS = 300
#: before a gate's text, by ``gate_line`` state (an unchecked gate's text says so itself)
_GATE_MARKS = {"passed": "✅ ", "failed": "❌ ", "not_checked": ""}
_VERDICT = {
    "passed": "✅ evalkit: passed",
    "gate_failed": "❌ evalkit: gate failed",
    "infrastructure": "⚠️ evalkit: infrastructure error",
    "interrupted": "⏹️ evalkit: interrupted",
}


def render_markdown(
    run: RunResults,
    *,
    html_link: str | None = None,
    limit: int = GITHUB_LIMIT,
    view: ReportView | None = None,
    html_report: bool = True,
) -> str:
    """The summary for a pull request or a step summary, within ``limit`` characters.
    ``view``: ``build_view(run)``, when the caller has it already. ``html_report=False``: no
    HTML report was written (``run --no-report``): the summary points at none."""
    view = view if view is not None else build_view(run)
    head = _head(view) + "".join(
        f"\n⚠️ Line {number} of the results file was skipped: {plain_text(why)}.\n"
        for number, why in run.skipped_lines
    )
    tail = trend_markdown(run) + usage_markdown(run) + (_tail(html_link) if html_report else "")
    every_example = "the HTML report lists" if html_report else "results.jsonl holds"
    budget = limit - len(head) - len(tail) - 200  # room for the truncation note
    body: list[str] = []
    used = 0
    # Significant regressions lead; plain pass→fail regressions (no test could decide) as
    # before; every other example that does not pass (noise or not: it fails now, with its
    # note); noise lists whatever moved without significance, never marked as a failure.
    significant = view.significant_regressions
    regressions = [row for row in view.regressions if not row.significant_regression]
    noise = view.noise
    others = [row for row in view.problems if not row.regression]
    noise_deltas = (
        [d for d in view.evidence.deltas if d.verdict == "noise"] if view.evidence else []
    )
    sections: list[tuple[str, list[str], str]] = [
        ("Significant regressions", [_item(row) for row in significant], ""),
        ("Regressions", [_item(row) for row in regressions], ""),
        ("Failures and errors", [_item(row) for row in others], ""),
        (
            "Noise",
            [*(_noise_delta(d) for d in noise_deltas), *(_noise_item(row) for row in noise)],
            "_Moved against the baseline, but not distinguishable from chance at the run's "
            "confidence: no action needed._\n\n",
        ),
    ]
    left_out = 0
    for title, items, note in sections:
        if not items:
            continue
        if left_out:
            left_out += len(items)
            continue
        heading = f"\n### {title} ({len(items)})\n\n{note}"
        if used + len(heading) > budget:
            left_out += len(items)
            continue
        body.append(heading)
        used += len(heading)
        for index, item in enumerate(items):
            if used + len(item) > budget:
                left_out += len(items) - index
                break
            body.append(item)
            used += len(item)
    if left_out:
        body.append(
            f"\n> **{left_out} more example(s) not shown** to stay under GitHub's "
            f"{limit:,}-character limit; {every_example} every example.\n"
        )
    return head + "".join(body) + tail


def _head(view: ReportView) -> str:
    title = _VERDICT.get(view.gate.status, "evalkit: no verdict (no run summary)")
    counts = view.counts
    rate = f"{view.pass_rate:.1%}"
    if view.baseline_pass_rate is not None:
        rate += f" ({points_text(view.pass_rate - view.baseline_pass_rate, 1)})"
    columns = ["pass rate", "pass", "partial", "fail", "error", "flaky", "quarantined"]
    values = [rate, *(str(counts[k]) for k in columns[1:])]
    if view.baseline_counts is not None:
        columns.append("regressions")
        values.append(str(counts["regressions"]))
    lines = [f"## {title}", "", f"{plain_text(view.gate.outcome)}", ""]
    lines += _lead(view)
    lines += [
        "| " + " | ".join(columns) + " |",
        "|" + "---:|" * len(columns),
        "| " + " | ".join(values) + " |",
        "",
    ]
    if view.evidence is not None and view.evidence.repeated:
        lines += [f"_{plain_text(PASS_RATES_LEGEND[0].upper() + PASS_RATES_LEGEND[1:])}._", ""]
    for gate in view.gate.gates:
        state, text = gate_line(gate)
        mark = _GATE_MARKS[state]
        lines.append(f"- {mark}{plain_text(text)}")
    unchecked = view.counts["json_not_checked"]
    if unchecked:
        lines += ["", f"ℹ️ {unchecked} example(s): {NOT_CHECKED}"]
    if view.change_lines:
        heading, *suites = view.change_lines
        lines += [
            "",
            f"🔎 {plain_text(heading)}",
            "",
            *(f"- {plain_text(line)}" for line in suites),
        ]
    if view.calibration_lines:
        lines += ["", f"⚖️ {CALIBRATION_HEADING}", ""]
        lines += [f"- {plain_text(line)}" for line in view.calibration_lines]
    if view.evidence is not None:
        lines += _evidence(view.evidence)
    facts = [f"run {code_span(view.run_id)}"]
    facts += [f"{key} {code_span(value)}" for key, value in view.meta.items()]
    lines += ["", " · ".join(facts), ""]
    return "\n".join(lines)


def _lead(view: ReportView) -> list[str]:
    """The significant regressions, named first: what a reviewer must look at."""
    rows = view.significant_regressions
    if not rows:
        return []
    noun = "regression" if len(rows) == 1 else "regressions"
    named = ", ".join(
        f"{code_span(f'{row.result.agent}/{row.result.example}')}"
        + (f" ({plain_text(change_text(row.change))})" if row.change is not None else "")
        for row in rows[:5]
    )
    more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
    return [f"**{len(rows)} significant {noun}** against the baseline: {named}{more}", ""]


#: before a delta by its verdict; noise has none (it is listed apart, never as a failure)
_DELTA_MARKS = {"regression": "📉 ", "improvement": "📈 ", "noise": ""}


def _evidence(evidence: EvidenceView) -> list[str]:
    """Pass rate and score per scope (with intervals when repeated), the change against the
    baseline unless it is noise, what the run could detect and the executions used."""
    shown = [
        scope
        for scope in evidence.scopes
        if evidence.repeated or (scope.delta is not None and scope.delta.verdict != "noise")
    ]
    lines: list[str] = []
    if shown:
        title = "Attempt pass rate and score" if evidence.repeated else "Against the baseline"
        lines += ["", f"#### {title}", ""]
        lines += [_scope_line(scope, evidence) for scope in shown]
    facts = [text for text in (evidence.detectable, evidence.executions) if text]
    if facts:
        lines += [""] + [f"ℹ️ {plain_text(text[0].upper() + text[1:])}." for text in facts]
    return lines


def _scope_line(scope: ScopeStats, evidence: EvidenceView) -> str:
    parts = [scope.figures(evidence.confidence)] if evidence.repeated else []
    mark = ""
    if scope.delta is not None and scope.delta.verdict != "noise":
        mark = _DELTA_MARKS[scope.delta.verdict]
        parts.append(f"against the baseline: {delta_text(scope.delta)}")
    elif scope.delta is not None:
        parts.append("against the baseline: noise (below)")
    return f"- {mark}**{plain_text(scope.label)}**: {plain_text('; '.join(parts))}"


def _noise_delta(delta: Delta) -> str:
    scope = "whole run" if delta.scope == "run" else delta.scope
    return f"- **{plain_text(scope)}**: {plain_text(delta_text(delta))}\n"


def _noise_item(row: Row) -> str:
    result = row.result
    evidence = change_text(row.change) if row.change is not None else ""
    verdict = f"verdict {row.status}"
    if result.repeats is not None:
        verdict += f" by rule {result.repeats.pass_if} {attempt_strip(result.repeats)}"
    link = f" · [execution]({_url(row.link)})" if row.link else ""
    label = f"{result.agent}/{result.example}"
    evidence, verdict = plain_text(evidence), plain_text(verdict)
    return f"- {code_span(label)}: {evidence}; not significant · {verdict}{link}\n"


def _tail(html_link: str | None) -> str:
    if not html_link:
        return "\n_The HTML report has every example with its details._\n"
    return f"\n📄 [HTML report with every example]({_url(html_link)})\n"


def _item(row: Row) -> str:
    result = row.result
    score = f", score {plain_text(row.score_label)}" if result.score is not None else ""
    flags = [flag for flag in ("flaky", "quarantined") if getattr(row, flag)]
    if not row.output_json_checked:
        flags.append(NOT_CHECKED)
    notes = "".join(f" · {flag}" for flag in flags)
    repeats = result.repeats
    if repeats is not None:
        if repeats.score_interval:
            interval = interval_text(repeats.score_interval)
            score += f" ({repeats.confidence:.0%} CI {plain_text(interval)})"
        notes = f" · {plain_text(passes_text(repeats))} {attempt_strip(repeats)}" + notes
    if row.change is not None and row.change.significant:
        notes += f" · {plain_text(change_text(row.change))}"
    elif row.noise and row.change is not None:
        notes += f" · noise against the baseline: {plain_text(change_text(row.change))}"
    link = f" · [execution]({_url(row.link)})" if row.link else ""
    lines = [
        f"- {code_span(f'{result.agent}/{result.example}')}: **{row.status}**{score}{notes}{link}"
    ]
    lines += [f"  - {code_span(text)}" for text in top_differences(result)]
    example_notes = row.notes(NOTES_CHARS)
    if example_notes is not None:
        lines.append(f"  - notes: {plain_text(example_notes)}")
    return "\n".join(lines) + "\n"


def _url(link: str) -> str:
    # Only web links become Markdown links; parentheses and spaces would end the target.
    return link.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
