"""A plan for people: terminal text (rich markup) and Markdown (a pull-request comment).

Everything that comes from the manifest or the platform (slugs, paths, values, file content) is
untrusted: in text it is markup-escaped, in Markdown it only ever appears inside code spans,
fenced blocks, or HTML-escaped ``<summary>`` text, so a file cannot restyle or forge the plan.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.markup import escape as _escape_markup

from evalkit.api import parse_timestamp
from evalkit.sync.plan import (
    Action,
    AgentChange,
    EnvironmentCopy,
    FileChange,
    OrphanAgent,
    Plan,
    example_actions,
)

STYLE = {Action.CREATE: "green", Action.UPDATE: "yellow", Action.DRIFT: "magenta"}
VALUE_LIMIT = 200
NO_DELETE = (
    "The v1 API cannot delete agents or workspace files: remove orphans in the EigenPal "
    "dashboard, bring them under git (evalkit pull SLUG), or acknowledge them in the manifest "
    "(ignore_orphans)."
)
COPIES_TITLE = "Environment copies"
COPIES_NOTE = "the manifest's agents under an environment's slugs; not orphans"
COPIES_CLEANUP = "Delete the copies you no longer need in the EigenPal dashboard."
#: environment copies listed in the text plan without -v
COPIES_SHOWN = 10
#: example names an agent's line shows before "... and N more" (``-v`` shows them all): a
#: first plan of 2,000 examples was one line of 2,000 names
EXAMPLES_SHOWN = 20


@dataclass(frozen=True)
class AgentTally:
    """What the headline and the Markdown need of one agent's change besides its own section:
    a run's record keeps this of each agent it synced, not the agent's planned files."""

    slug: str
    has_changes: bool
    creates_agent: bool
    #: changes by action, in ``Action`` order
    counts: tuple[int, ...]
    #: orphan files not acknowledged, and acknowledged (``ignore_orphans``)
    orphans: int = 0
    acknowledged: int = 0

    @classmethod
    def of(cls, agent: AgentChange) -> AgentTally:
        counted = sum(1 for o in agent.orphan_files if o.acknowledged_by is None)
        return cls(
            slug=agent.slug,
            has_changes=agent.has_changes,
            creates_agent=agent.creates_agent,
            counts=tuple(agent.count(action) for action in Action),
            orphans=counted,
            acknowledged=len(agent.orphan_files) - counted,
        )

    def count(self, action: Action) -> int:
        return self.counts[list(Action).index(action)]

    @property
    def listed(self) -> bool:
        """Whether the Markdown gives this agent a section of its own."""
        return self.has_changes or bool(self.orphans or self.acknowledged)


def headline(plan: Plan) -> str:
    """One line: which agents change, the changes by kind, orphans."""
    return headline_of(plan, [AgentTally.of(agent) for agent in plan.agents])


def headline_of(plan: Plan, agents: Sequence[AgentTally]) -> str:
    """``headline`` of ``plan`` whose agents are ``agents`` (the plan's own are not read)."""
    changing = [a for a in agents if a.has_changes]
    if not changing:
        text = f"No changes: the platform matches the manifest ({_count(len(agents), 'agent')})."
    else:
        creates = sum(1 for a in changing if a.creates_agent)
        words = [f"{_count(creates, 'agent')} to create"] if creates else []
        updates = len(changing) - creates
        words += [f"{_count(updates, 'agent')} to update"] if updates else []
        totals = {action: sum(a.count(action) for a in agents) for action in Action}
        counts = [
            f"{action.symbol}{totals[action]} {_WORDS[action]}"
            for action in Action
            if totals[action]
        ]
        text = f"Plan: {', '.join(words)} ({', '.join(counts)})."
    orphans, acknowledged = orphans_of(plan, agents)
    if orphans:
        more = f", plus {acknowledged} acknowledged" if acknowledged else ""
        text += f" {_count(orphans, 'orphan')}{more}."
    elif acknowledged:
        text += f" {_count(acknowledged, 'acknowledged orphan')}."
    if plan.environment_copies:
        copies = _count(len(plan.environment_copies), "environment copy", "environment copies")
        text += f" {copies}."
    return text


def orphans_of(plan: Plan, agents: Sequence[AgentTally]) -> tuple[int, int]:
    """Orphans not acknowledged and acknowledged: ``plan``'s orphan agents and ``agents``'
    orphan files (``Plan.orphan_count`` and ``acknowledged_count``)."""
    counted = sum(1 for o in plan.orphan_agents if o.acknowledged_by is None)
    acknowledged = len(plan.orphan_agents) - counted
    return counted + sum(a.orphans for a in agents), acknowledged + sum(
        a.acknowledged for a in agents
    )


_WORDS = {Action.CREATE: "to add", Action.UPDATE: "to change", Action.DRIFT: "drifted"}


# ---------------------------------------------------------------- text


def render_text(plan: Plan, *, verbose: bool = False) -> str:
    """The plan as rich markup (print it with markup on; plain text via ``Text.from_markup``)."""
    lines = [f"[bold]{_safe(headline(plan))}[/]"]
    unchanged = []
    for agent in plan.agents:
        if agent.has_changes or agent.orphan_files:
            lines += ["", *_agent_text(agent, verbose=verbose)]
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
    if plan.environment_copies:
        lines += ["", *_copies_text(plan, verbose=verbose)]
    counted = [o for o in plan.orphan_agents if o.acknowledged_by is None]
    if counted:
        lines += ["", "[bold]Orphan agents[/] (on the platform, not in the manifest):"]
        lines += [f"    ? {_safe(o.slug)}{_safe(_orphan_note(o, repr))}" for o in counted]
    acknowledged = [o.slug for o in plan.orphan_agents if o.acknowledged_by is not None]
    if acknowledged:
        names = _safe(", ".join(acknowledged))
        lines += ["", f"[dim]acknowledged orphan agents (ignore_orphans): {names}[/]"]
    if plan.orphan_count:
        lines += ["", f"[dim]{_safe(NO_DELETE)}[/]"]
    if plan.has_changes and any(a.count(Action.DRIFT) for a in plan.agents):
        lines += ["", "[magenta]![/] = changed on the platform outside git; sync sets it back."]
    return "\n".join(lines)


def _copies_text(plan: Plan, *, verbose: bool) -> list[str]:
    copies = plan.environment_copies
    shown = copies if verbose or len(copies) <= COPIES_SHOWN + 1 else copies[:COPIES_SHOWN]
    lines = [f"[bold]{COPIES_TITLE}[/] ({COPIES_NOTE}):"]
    lines += [
        f"    {_safe(c.environment)}  [bold]{_safe(c.slug)}[/]  copy of {_safe(c.copy_of)}, "
        + _copy_ages(c, plan)
        for c in shown
    ]
    if len(shown) < len(copies):
        lines.append(f"    [dim]... and {len(copies) - len(shown)} more (-v lists them all)[/]")
    return [*lines, f"[dim]{COPIES_CLEANUP}[/]"]


def _agent_text(agent: AgentChange, *, verbose: bool) -> list[str]:
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
        if item.kind == "add" and item.action is Action.DRIFT:  # removed on the platform
            what += f"(removed) -> {_value(item.after)}"
        elif item.kind == "add":
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
        # "and 1 more" would take the line the one example needs
        bounded = not verbose and len(examples) > EXAMPLES_SHOWN + 1
        shown = examples[:EXAMPLES_SHOWN] if bounded else examples
        line = "    examples: " + "  ".join(_mark(a) + " " + _safe(n) for n, a in shown)
        if bounded:
            hidden = Counter(action for _, action in examples[len(shown) :])
            tally = " ".join(f"{a.symbol}{hidden[a]}" for a in Action if hidden[a])
            more = len(examples) - len(shown)
            line += f"  [dim]... and {more} more: {_safe(tally)} (-v lists them all)[/]"
        lines.append(line)
    counted = [o for o in agent.orphan_files if o.acknowledged_by is None]
    if counted:
        names = ", ".join(
            o.path + (" (removed from the manifest)" if o.was_managed else "") for o in counted
        )
        lines.append(f"    [dim]? orphans: {_safe(names)}[/]")
    acknowledged = [o.path for o in agent.orphan_files if o.acknowledged_by is not None]
    if acknowledged:
        names = ", ".join(acknowledged)
        lines.append(f"    [dim]acknowledged orphans (ignore_orphans): {_safe(names)}[/]")
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


def render_markdown(plan: Plan, *, examples_shown: int | None = None) -> str:
    """The plan as GitHub-flavoured Markdown, for a pull-request comment. ``examples_shown``:
    list at most that many changed examples of an agent, then "and N more" (a run's record of
    its sync, which would otherwise name every example a first sync created)."""
    sections = [agent_markdown(agent, examples_shown) for agent in plan.agents]
    return markdown_of(plan, [AgentTally.of(agent) for agent in plan.agents], sections)


def agent_markdown(agent: AgentChange, examples_shown: int | None = None) -> tuple[str, ...]:
    """One agent's section of ``render_markdown`` (none when it is not listed)."""
    if not AgentTally.of(agent).listed:
        return ()
    return tuple(_agent_markdown(agent, examples_shown))


def markdown_of(plan: Plan, agents: Sequence[AgentTally], sections: Sequence[Sequence[str]]) -> str:
    """``render_markdown`` of ``plan`` whose agents are ``agents``, each with its section
    (``agent_markdown``); the plan's own agents are not read."""
    out = ["### evalkit plan", "", f"**{_md_text(headline_of(plan, agents))}**"]
    if plan.environment:
        out += ["", f"Environment: {_code(plan.environment)}"]
    for agent, section in zip(agents, sections, strict=True):
        if agent.listed:
            out += ["", *section]
    unchanged = [a.slug for a in agents if not a.listed]
    if unchanged:
        out += ["", "Unchanged: " + ", ".join(_code(s) for s in unchanged)]
    if plan.environment_copies:
        out += ["", f"**{COPIES_TITLE}** ({_md_text(COPIES_NOTE)}):", ""]
        out += [
            f"- {_code(c.environment)} {_code(c.slug)}: copy of {_code(c.copy_of)}, "
            + _copy_ages(c, plan)
            for c in plan.environment_copies
        ]
        out += ["", f"_{COPIES_CLEANUP}_"]
    counted = [o for o in plan.orphan_agents if o.acknowledged_by is None]
    if counted:
        out += ["", "**Orphan agents** (on the platform, not in the manifest):", ""]
        out += [f"- {_code(o.slug)}{_orphan_note(o, _code)}" for o in counted]
    acknowledged = [o for o in plan.orphan_agents if o.acknowledged_by is not None]
    if acknowledged:
        names = ", ".join(_code(o.slug) for o in acknowledged)
        out += ["", f"Acknowledged orphan agents (`ignore_orphans`): {names}"]
    if orphans_of(plan, agents)[0]:
        out += ["", f"_{_md_text(NO_DELETE)}_"]
    if any(a.count(Action.DRIFT) for a in agents):
        out += ["", "`!` = changed on the platform outside git; sync sets it back."]
    return "\n".join(out) + "\n"


def _agent_markdown(agent: AgentChange, examples_shown: int | None) -> list[str]:
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
        if item.kind == "add" and item.action is Action.DRIFT:  # removed on the platform
            value = f"(removed) → {_code(_value(item.after))}"
        elif item.kind == "add":
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
        # "and 1 more" would take the line the one example needs
        bounded = examples_shown is not None and len(examples) > examples_shown + 1
        shown = examples[:examples_shown] if bounded else examples
        line = "- examples: " + ", ".join(f"`{a.symbol}` {_code(n)}" for n, a in shown)
        out.append(line + (f", and {len(examples) - len(shown)} more" if bounded else ""))
    counted = [o for o in agent.orphan_files if o.acknowledged_by is None]
    if counted:
        out.append(
            "- orphan files: "
            + ", ".join(
                _code(o.path) + (" (removed from the manifest)" if o.was_managed else "")
                for o in counted
            )
        )
    acknowledged = [o for o in agent.orphan_files if o.acknowledged_by is not None]
    if acknowledged:
        names = ", ".join(_code(o.path) for o in acknowledged)
        out.append(f"- acknowledged orphan files (`ignore_orphans`): {names}")
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


def _orphan_note(orphan: OrphanAgent, quote: Callable[[str], str]) -> str:
    """Why an orphan agent is one, when that is not plain; ``quote`` shows untrusted names."""
    if orphan.environment is not None and orphan.copy_of is not None:
        copy = f"{quote(orphan.environment)} copy of {quote(orphan.copy_of)}"
        if orphan.was_managed:
            return f" (a {copy}: the manifest no longer declares that agent or environment)"
        return f" (named like a {copy}, but evalkit did not make it: no last-applied record)"
    return " (removed from the manifest)" if orphan.was_managed else ""


def _copy_ages(copy: EnvironmentCopy, plan: Plan) -> str:
    """``created 3 days ago, updated 2 hours ago``, at the time the plan was made."""
    created = _age(copy.created_at, plan.created_at)
    updated = _age(copy.updated_at, plan.created_at)
    facts = [f"created {created}" if created else "age unknown"]
    if updated and updated != created:
        facts.append(f"updated {updated}")
    if copy.recognised_by == "name":
        facts.append("recognised by its name")
    return ", ".join(facts)


_MINUTE, _HOUR, _DAY = 60, 3600, 86400


def _age(moment: str | None, now: str) -> str | None:
    """How long before ``now`` the wire timestamp ``moment`` was, e.g. ``3 days ago``."""
    if not moment:
        return None
    try:
        seconds = (parse_timestamp(now) - parse_timestamp(moment)).total_seconds()
    except ValueError:
        return None
    if seconds >= 2 * _DAY:
        return f"{_count(int(seconds // _DAY), 'day')} ago"
    if seconds >= _HOUR:
        return f"{_count(int(seconds // _HOUR), 'hour')} ago"
    if seconds >= _MINUTE:
        return f"{_count(int(seconds // _MINUTE), 'minute')} ago"
    return "just now"


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


def _count(n: int, noun: str, plural: str | None = None) -> str:
    if n == 1:
        return f"{n} {noun}"
    return f"{n} {plural}" if plural else f"{n} {noun}s"
