"""A plan for people: terminal text (rich markup) and Markdown (a pull-request comment).

Everything that comes from the manifest or the platform (slugs, paths, values, file content) is
untrusted: in text it is markup-escaped, in Markdown it only ever appears inside code spans,
fenced blocks, or HTML-escaped ``<summary>`` text, so a file cannot restyle or forge the plan.
"""

from __future__ import annotations

import json
from typing import Any

from rich.markup import escape as _escape_markup

from evalkit.sync.changes import Action, AgentChange, FileChange, Plan, example_actions

STYLE = {Action.CREATE: "green", Action.UPDATE: "yellow", Action.DRIFT: "magenta"}
VALUE_LIMIT = 200
NO_DELETE = (
    "The v1 API cannot delete agents or workspace files: remove orphans in the EigenPal "
    "dashboard, or bring them under git (evalkit pull SLUG)."
)


def headline(plan: Plan) -> str:
    """One line: which agents change, the changes by kind, orphans."""
    changing = [a for a in plan.agents if a.has_changes]
    if not changing:
        text = (
            f"No changes: the platform matches the manifest ({_count(len(plan.agents), 'agent')})."
        )
    else:
        creates = sum(1 for a in changing if a.creates_agent)
        agents = [f"{_count(creates, 'agent')} to create"] if creates else []
        updates = len(changing) - creates
        agents += [f"{_count(updates, 'agent')} to update"] if updates else []
        counts = [
            f"{action.symbol}{plan.count(action)} {_WORDS[action]}"
            for action in Action
            if plan.count(action)
        ]
        text = f"Plan: {', '.join(agents)} ({', '.join(counts)})."
    if plan.orphan_count:
        text += f" {_count(plan.orphan_count, 'orphan')}."
    return text


_WORDS = {Action.CREATE: "to add", Action.UPDATE: "to change", Action.DRIFT: "drifted"}


# ---------------------------------------------------------------- text


def render_text(plan: Plan, *, verbose: bool = False) -> str:
    """The plan as rich markup (print it with markup on; plain text via ``Text.from_markup``)."""
    lines = [f"[bold]{_safe(headline(plan))}[/]"]
    unchanged = []
    for agent in plan.agents:
        if agent.has_changes or agent.orphan_files:
            lines += ["", *_agent_text(agent)]
        else:
            unchanged.append(agent.slug)
    if unchanged and (verbose or len(unchanged) <= 5):
        lines += ["", "[dim]unchanged: " + _safe(", ".join(unchanged)) + "[/]"]
    elif unchanged:
        lines += ["", f"[dim]{_count(len(unchanged), 'agent')} unchanged[/]"]
    refresh = [a.slug for a in plan.agents if a.refresh_record and not a.has_changes]
    if refresh:
        agents = _count(len(refresh), "agent")
        lines += [
            "",
            f"[dim]sync will also save evalkit's last-applied record on {agents}"
            " (no visible change; it keeps the next plans cheap)[/]",
        ]
    if plan.orphan_agents:
        lines += ["", "[bold]Orphan agents[/] (on the platform, not in the manifest):"]
        lines += [
            f"    ? {_safe(o.slug)}" + (" (removed from the manifest)" if o.was_managed else "")
            for o in plan.orphan_agents
        ]
    if plan.orphan_count:
        lines += ["", f"[dim]{_safe(NO_DELETE)}[/]"]
    if plan.has_changes and any(a.count(Action.DRIFT) for a in plan.agents):
        lines += ["", "[magenta]![/] = changed on the platform outside git; sync sets it back."]
    return "\n".join(lines)


def _agent_text(agent: AgentChange) -> list[str]:
    marks = "  ".join(
        f"[{STYLE[a]}]{a.symbol}{agent.count(a)}[/]" for a in Action if agent.count(a)
    )
    if agent.creates_agent:
        head = f"[green]+[/] [bold]{_safe(agent.slug)}[/]  (new agent)"
    elif agent.has_changes:
        head = f"[yellow]~[/] [bold]{_safe(agent.slug)}[/]  {marks}"
    else:
        head = f"  [bold]{_safe(agent.slug)}[/]  (no changes)"
    lines = [head]
    for field in agent.fields:
        value = _value(field.after) if agent.creates_agent else _change(field.before, field.after)
        lines.append(_line(field.action, f"{field.field}: {value}"))
    for item in agent.config:
        what = f"config {item.pointer}: "
        if item.kind == "add":
            what += _value(item.after)
        elif item.kind == "remove":
            what += f"{_value(item.before)} -> (removed)"
        else:
            what += _change(item.before, item.after)
        lines.append(_line(item.action, what))
    for file in (f for f in agent.files if f.example is None):
        lines.append(_line(file.action, f"{file.path}  {_file_facts(file)}"))
        if file.text_diff:
            lines += [_diff_line(row) for row in file.text_diff.splitlines()]
    examples = example_actions(agent.files)
    if examples:
        lines.append("    examples: " + "  ".join(_mark(a) + " " + _safe(n) for n, a in examples))
    if agent.orphan_files:
        names = ", ".join(
            o.path + (" (removed from the manifest)" if o.was_managed else "")
            for o in agent.orphan_files
        )
        lines.append(f"    [dim]? orphans: {_safe(names)}[/]")
    return lines


def _line(action: Action, text: str) -> str:
    suffix = "   [magenta](changed on the platform)[/]" if action is Action.DRIFT else ""
    return f"    {_mark(action)} {_safe(text)}{suffix}"


def _mark(action: Action) -> str:
    return f"[{STYLE[action]}]{action.symbol}[/]"


def _diff_line(row: str) -> str:
    style = {"+": "green", "-": "red", "@": "cyan"}.get(row[:1])
    if row.startswith(("+++", "---")):
        style = "bold"
    body = _safe(row)
    return f"        [{style}]{body}[/]" if style else f"        {body}"


# ---------------------------------------------------------------- markdown


def render_markdown(plan: Plan) -> str:
    """The plan as GitHub-flavoured Markdown, for a pull-request comment."""
    out = ["### evalkit plan", "", f"**{_md_text(headline(plan))}**"]
    if plan.environment:
        out += ["", f"Environment: {_code(plan.environment)}"]
    for agent in plan.agents:
        if agent.has_changes or agent.orphan_files:
            out += ["", *_agent_markdown(agent)]
    unchanged = [a.slug for a in plan.agents if not (a.has_changes or a.orphan_files)]
    if unchanged:
        out += ["", "Unchanged: " + ", ".join(_code(s) for s in unchanged)]
    if plan.orphan_agents:
        out += ["", "**Orphan agents** (on the platform, not in the manifest):", ""]
        out += [
            f"- {_code(o.slug)}" + (" (removed from the manifest)" if o.was_managed else "")
            for o in plan.orphan_agents
        ]
    if plan.orphan_count:
        out += ["", f"_{NO_DELETE}_"]
    if any(a.count(Action.DRIFT) for a in plan.agents):
        out += ["", "`!` = changed on the platform outside git; sync sets it back."]
    return "\n".join(out) + "\n"


def _agent_markdown(agent: AgentChange) -> list[str]:
    marks = " ".join(f"`{a.symbol}{agent.count(a)}`" for a in Action if agent.count(a))
    if agent.creates_agent:
        out = [f"#### `+` {_code(agent.slug)} (new agent)", ""]
    elif agent.has_changes:
        out = [f"#### `~` {_code(agent.slug)} {marks}", ""]
    else:
        out = [f"#### {_code(agent.slug)} (no changes)", ""]
    for field in agent.fields:
        if agent.creates_agent:
            change = _code(_value(field.after))
        else:
            change = _md_change(field.before, field.after)
        out.append(_md_item(field.action, f"{field.field}: {change}"))
    for item in agent.config:
        if item.kind == "add":
            value = _code(_value(item.after))
        elif item.kind == "remove":
            value = f"{_code(_value(item.before))} → (removed)"
        else:
            value = _md_change(item.before, item.after)
        out.append(_md_item(item.action, f"config {_code(item.pointer)}: {value}"))
    for file in (f for f in agent.files if f.example is None):
        facts = _md_text(_file_facts(file)).replace(" -> ", " → ")
        out.append(_md_item(file.action, f"{_code(file.path)} {facts}"))
        if file.text_diff:
            fence = _fence(file.text_diff)
            out += [
                "",
                "  <details><summary>diff</summary>",
                "",
                f"  {fence}diff",
                *("  " + row for row in file.text_diff.splitlines()),
                f"  {fence}",
                "",
                "  </details>",
                "",
            ]
    examples = example_actions(agent.files)
    if examples:
        out.append("- examples: " + ", ".join(f"`{a.symbol}` {_code(n)}" for n, a in examples))
    if agent.orphan_files:
        out.append(
            "- orphan files: "
            + ", ".join(
                _code(o.path) + (" (removed from the manifest)" if o.was_managed else "")
                for o in agent.orphan_files
            )
        )
    return out


def _md_change(before: Any, after: Any) -> str:
    return f"{_code(_value(before))} → {_code(_value(after))}"


def _md_item(action: Action, text: str) -> str:
    drift = " _(changed on the platform)_" if action is Action.DRIFT else ""
    return f"- `{action.symbol}` {text}{drift}"


def _code(text: str) -> str:
    """``text`` as an inline code span that its own backticks cannot close."""
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    run = _longest_run(text, "`")
    ticks = "`" * (run + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _fence(text: str) -> str:
    return "`" * max(3, _longest_run(text, "`") + 1)


def _longest_run(text: str, char: str) -> int:
    best = current = 0
    for c in text:
        current = current + 1 if c == char else 0
        best = max(best, current)
    return best


def _md_text(text: str) -> str:
    """Our own words (sizes, counts): nothing there needs escaping but ``*`` and ``_``."""
    return text.replace("*", "\\*").replace("_", "\\_")


# ---------------------------------------------------------------- shared


def _safe(text: str) -> str:
    """Untrusted ``text`` as markup that shows it literally, whatever follows it."""
    # rich doubles a trailing backslash so it cannot escape a following tag; the closing
    # tag here makes that doubling render as the single backslash it was.
    return f"[none]{_escape_markup(text)}[/none]"


def _file_facts(file: FileChange) -> str:
    after = f"{_size(file.after.size)}"
    if file.binary:
        after += f" sha256 {file.after.sha256[:12]}"
    if file.before is None:
        return after + ("  (deleted on the platform)" if file.action is Action.DRIFT else "")
    before = _size(file.before.size) if file.before.size is not None else ""
    if file.binary or file.before.size is None:
        before = (before + " " if before else "") + f"sha256 {file.before.sha256[:12]}"
    kind = "binary " if file.binary else ""
    return f"{kind}{before} -> {after}"


def _size(size: int | None) -> str:
    if size is None:
        return "?"
    if size < 1000:
        return f"{size} B"
    value, unit = float(size), "B"
    for unit in ("kB", "MB", "GB"):  # noqa: B007 - the last unit tried is the one shown
        value /= 1000
        if value < 1000:
            break
    return f"{value:.1f} {unit}"


def _value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= VALUE_LIMIT else text[: VALUE_LIMIT - 1] + "…"


def _change(before: Any, after: Any) -> str:
    return f"{_value(before)} -> {_value(after)}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
