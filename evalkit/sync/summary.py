"""What a sync or a pull did, for people (rich markup, untrusted text escaped) and as JSON."""

from __future__ import annotations

from typing import Any

from rich.markup import escape

from evalkit.sync.apply import AgentOutcome, ApplyResult
from evalkit.sync.pull import PullResult

RESUME_HINT = (
    "Run 'evalkit sync' again to finish: the next plan compares the files in full and applies "
    "only what is still missing."
)


def _safe(text: str) -> str:
    return f"[none]{escape(text)}[/none]"


def render_apply(result: ApplyResult) -> str:
    lines = []
    for outcome in result.outcomes:
        if outcome.status == "unchanged":
            continue
        lines.append(_outcome_line(outcome))
    applied, failed = len(result.applied), len(result.failed)
    if not lines and result.state == "converged":
        return "Nothing to apply."
    if result.state == "converged":
        lines.append(
            f"[bold green]Sync complete:[/] {_count(applied, 'agent')} synced, "
            f"{_count(result.writes, 'write')}."
        )
    else:
        label = "Nothing applied" if result.state == "nothing-applied" else "Partly applied"
        ok = sum(1 for o in result.outcomes if o.status == "applied")
        lines.append(
            f"[bold red]{label}:[/] {_count(ok, 'agent')} fully applied, "
            f"{_count(failed, 'agent')} failed."
        )
        lines.append(RESUME_HINT)
    return "\n".join(lines)


def _outcome_line(outcome: AgentOutcome) -> str:
    done = ", ".join(outcome.done) or "nothing"
    if outcome.status == "applied":
        return f"[green]✓[/] [bold]{_safe(outcome.slug)}[/]: {_safe(done)}"
    head = f"[red]✗[/] [bold]{_safe(outcome.slug)}[/]: {_safe(outcome.error or 'failed')}"
    if outcome.done:
        head += f"\n    done before the failure: {_safe(done)}"
    return head


def apply_to_data(result: ApplyResult) -> dict[str, Any]:
    return {
        "state": result.state,
        "writes": result.writes,
        "agents": [
            {
                "slug": o.slug,
                "status": o.status,
                "done": list(o.done),
                "error": o.error,
                "writes": o.writes,
            }
            for o in result.outcomes
        ],
    }


def render_pull(result: PullResult) -> str:
    lines = []
    for agent in result.agents:
        line = (
            f"[green]✓[/] pulled [bold]{_safe(agent.slug)}[/] into {_safe(str(agent.folder))}: "
            f"{_count(len(agent.written), 'file')} written, {agent.unchanged} unchanged"
        )
        lines.append(line)
        for path, why in agent.skipped:
            lines.append(f"    [yellow]skipped[/] {_safe(path)} ({_safe(why)})")
    verb = "created" if result.created_manifest else "updated"
    lines.append(f"{verb} {_safe(str(result.manifest))}; review it, then 'evalkit plan'.")
    return "\n".join(lines)


def pull_to_data(result: PullResult) -> dict[str, Any]:
    from evalkit.manifest.checks import problem_data

    return {
        "manifest": str(result.manifest),
        "createdManifest": result.created_manifest,
        "agents": [
            {
                "slug": a.slug,
                "folder": str(a.folder),
                "written": list(a.written),
                "unchanged": a.unchanged,
                "skipped": [{"path": p, "reason": r} for p, r in a.skipped],
            }
            for a in result.agents
        ],
        # the manifest's problems after the pull, as 'evalkit validate --json' gives them
        "problems": [problem_data(p) for p in result.problems],
    }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
