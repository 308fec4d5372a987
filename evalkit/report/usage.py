"""Each agent's time on the platform (p50, p95) and the cost the platform reported, as a
table the Markdown and HTML reports share. Computed from the results (a report needs no
summary); the cost column is there only when some execution reported a cost, in the
platform's own units (e.g. ``credits``: evalkit converts nothing)."""

from __future__ import annotations

from evalkit.report.loading import RunResults
from evalkit.report.markdown_text import table_row
from evalkit.runner.costs import any_cost, cost_text, usage_of
from evalkit.runner.duration_text import duration_text


def usage_table(run: RunResults) -> tuple[list[str], list[list[str]]]:
    """(header, rows): one row per agent with a platform time or a cost; no rows when there
    is neither (an older results file, a run where nothing ran)."""
    usage = [agent for agent in usage_of(run.results) if agent.executions or agent.costed]
    if not usage:
        return [], []
    costed = any_cost(usage)
    models = any(agent.models for agent in usage)
    header = ["agent", "executions", "p50", "p95"]
    header += ["cost"] if costed else []
    header += ["model"] if models else []
    rows = []
    for agent in usage:
        row = [
            agent.agent,
            str(agent.executions),
            duration_text(agent.p50_ms / 1000) if agent.p50_ms is not None else "-",
            duration_text(agent.p95_ms / 1000) if agent.p95_ms is not None else "-",
        ]
        row += [cost_text(agent) or "-"] if costed else []
        row += [", ".join(agent.models) or "-"] if models else []
        rows.append(row)
    return header, rows


#: what the table's times are, said under it
USAGE_NOTE = (
    "times are each execution's own time on the platform (started to completed); p50 and p95 "
    "by nearest rank, the attempts of repeated examples included"
)


def usage_markdown(run: RunResults) -> str:
    """The table in Markdown under its heading, or '' when there is nothing to show."""
    header, rows = usage_table(run)
    if not rows:
        return ""
    lines = [
        "",
        "### Time and cost per agent",
        "",
        table_row(header),
        "|---|" + "---:|" * (len(header) - 1),
        *(table_row(row) for row in rows),
        "",
        f"_{USAGE_NOTE[0].upper()}{USAGE_NOTE[1:]}._",
        "",
    ]
    return "\n".join(lines)
