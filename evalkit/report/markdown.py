"""A Markdown summary for pull-request comments and ``$GITHUB_STEP_SUMMARY``.

Verdict, counts and gates first; then regressions and other problems with their top
differences; then a link to the HTML report. Everything from the results is untrusted: it is
shown in code spans (which GitHub never renders as HTML) or escaped. The text stays under
GitHub's 65,536-character limit: examples that do not fit are left out with a note.
"""

from __future__ import annotations

import html

from evalkit.control_chars import visible
from evalkit.report.example_text import NOT_CHECKED, top_differences
from evalkit.report.loading import RunResults
from evalkit.report.view import ReportView, Row, build_view, gate_line

GITHUB_LIMIT = 65_536
#: before a gate's text, by ``gate_line`` state (an unchecked gate's text says so itself)
_GATE_MARKS = {"passed": "✅ ", "failed": "❌ ", "not_checked": ""}
_VERDICT = {
    "passed": "✅ evalkit: passed",
    "gate_failed": "❌ evalkit: gate failed",
    "infrastructure": "⚠️ evalkit: infrastructure error",
    "interrupted": "⏹️ evalkit: interrupted",
}


def render_markdown(
    run: RunResults, *, html_link: str | None = None, limit: int = GITHUB_LIMIT
) -> str:
    view = build_view(run)
    head = _head(view) + "".join(
        f"\n⚠️ Line {number} of the results file was skipped: {_text(why)}.\n"
        for number, why in run.skipped_lines
    )
    tail = _tail(html_link)
    budget = limit - len(head) - len(tail) - 200  # room for the truncation note
    body: list[str] = []
    used = 0
    regressions = view.regressions
    others = [row for row in view.problems if not row.regression]
    sections = [("Regressions", regressions), ("Failures and errors", others)]
    left_out = 0
    for title, rows in sections:
        if not rows:
            continue
        if left_out:
            left_out += len(rows)
            continue
        heading = f"\n### {title} ({len(rows)})\n\n"
        if used + len(heading) > budget:
            left_out += len(rows)
            continue
        body.append(heading)
        used += len(heading)
        for index, row in enumerate(rows):
            item = _item(row)
            if used + len(item) > budget:
                left_out += len(rows) - index
                break
            body.append(item)
            used += len(item)
    if left_out:
        body.append(
            f"\n> **{left_out} more example(s) not shown** to stay under GitHub's "
            f"{limit:,}-character limit; the HTML report lists every example.\n"
        )
    return head + "".join(body) + tail


def _head(view: ReportView) -> str:
    title = _VERDICT.get(view.gate.status, "evalkit: no verdict (no run summary)")
    counts = view.counts
    rate = f"{view.pass_rate:.1%}"
    if view.baseline_pass_rate is not None:
        rate += f" ({(view.pass_rate - view.baseline_pass_rate) * 100:+.1f} pts)"
    columns = ["pass rate", "pass", "partial", "fail", "error", "flaky", "quarantined"]
    values = [rate, *(str(counts[k]) for k in columns[1:])]
    if view.baseline_counts is not None:
        columns.append("regressions")
        values.append(str(counts["regressions"]))
    lines = [
        f"## {title}",
        "",
        f"{_text(view.gate.outcome)}",
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "---:|" * len(columns),
        "| " + " | ".join(values) + " |",
        "",
    ]
    for gate in view.gate.gates:
        state, text = gate_line(gate)
        mark = _GATE_MARKS[state]
        lines.append(f"- {mark}{_text(text)}")
    unchecked = view.counts["json_not_checked"]
    if unchecked:
        lines += ["", f"ℹ️ {unchecked} example(s): {NOT_CHECKED}"]
    facts = [f"run {_code(view.run_id)}"]
    facts += [f"{key} {_code(value)}" for key, value in view.meta.items()]
    lines += ["", " · ".join(facts), ""]
    return "\n".join(lines)


def _tail(html_link: str | None) -> str:
    if not html_link:
        return "\n_The HTML report has every example with its details._\n"
    return f"\n📄 [HTML report with every example]({_url(html_link)})\n"


def _item(row: Row) -> str:
    result = row.result
    score = f", score {_text(row.score_label)}" if result.score is not None else ""
    flags = [flag for flag in ("flaky", "quarantined") if getattr(row, flag)]
    if not row.output_json_checked:
        flags.append(NOT_CHECKED)
    notes = "".join(f" · {flag}" for flag in flags)
    link = f" · [execution]({_url(row.link)})" if row.link else ""
    lines = [f"- {_code(f'{result.agent}/{result.example}')}: **{row.status}**{score}{notes}{link}"]
    lines += [f"  - {_code(text)}" for text in top_differences(result)]
    return "\n".join(lines) + "\n"


def _code(text: str) -> str:
    """A code span that no content can break out of (newlines folded, fence longer than any
    run of backticks inside)."""
    flat = " ".join(visible(text).split())[:300]
    longest = run = 0
    for char in flat:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _text(text: str) -> str:
    """Plain text: HTML escaped, Markdown punctuation neutralised, one line."""
    flat = html.escape(" ".join(visible(text).split()), quote=False)
    for char in "\\`*_[]|#":
        flat = flat.replace(char, "\\" + char)
    return flat


def _url(link: str) -> str:
    # Only web links become Markdown links; parentheses and spaces would end the target.
    return link.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
