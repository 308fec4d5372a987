from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from evalkit.sync.diff import diff_agent
from evalkit.sync.plan import EnvironmentCopy, OrphanAgent, Plan
from evalkit.sync.render import (
    COPIES_SHOWN,
    NO_DELETE,
    _age,
    _code,
    _safe,
    headline,
    render_markdown,
    render_text,
)

from .helpers import desired, live, record
from .plans import realistic_plan

SNAPSHOTS = Path(__file__).parent / "snapshots"


def check_snapshot(name: str, actual: str) -> None:
    """Compare with the accepted snapshot; EVALKIT_UPDATE_SNAPSHOTS=1 accepts a new one."""
    path = SNAPSHOTS / name
    if os.environ.get("EVALKIT_UPDATE_SNAPSHOTS") == "1":
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no snapshot {path}; review the output and accept it"
    assert actual == path.read_text(encoding="utf-8")


@pytest.fixture
def plan(tmp_path: Path) -> Plan:
    return realistic_plan(tmp_path)


def plain(markup: str) -> str:
    return Text.from_markup(markup).plain


def test_text_snapshot(plan: Plan) -> None:
    check_snapshot("plan.txt", plain(render_text(plan)) + "\n")


def test_markdown_snapshot(plan: Plan) -> None:
    check_snapshot("plan.md", render_markdown(plan))


def test_headline_counts(plan: Plan) -> None:
    assert headline(plan) == (
        "Plan: 1 agent to create, 1 agent to update (+5 to add, ~5 to change, !1 drifted)."
        " 3 orphans, plus 2 acknowledged. 2 environment copies."
    )


def test_markup_in_file_names_is_shown_not_obeyed(plan: Plan) -> None:
    text = plain(render_text(plan))
    assert "notes/[bold]old.md" in text


printable = st.text(st.characters(blacklist_categories=("Cc", "Cs")))


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(printable)
def test_escaped_untrusted_text_round_trips_through_markup(text: str) -> None:
    assert Text.from_markup(_safe(text)).plain == text
    assert Text.from_markup(f"[bold]{_safe(text)}[/] and [dim]{_safe(text)}[/]").plain == (
        f"{text} and {text}"
    )


def test_terminal_escapes_in_file_content_never_reach_the_terminal(tmp_path: Path) -> None:
    old = {"AGENT.md": b"hello\n"}
    new = {"AGENT.md": b"\x1b[2J\x1b]0;pwned\x07hello [red]x[/red]\n"}
    change = diff_agent(desired(tmp_path, "bot", new), live("bot", old))
    plan = Plan(created_at="t", base_dir=str(tmp_path), agents=(change,))
    console = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor")
    console.print(render_text(plan))
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "\x1b[2J" not in shown
    assert "\x07" not in shown
    assert "[red]x[/red]" in Text.from_markup(render_text(plan)).plain


@pytest.mark.parametrize("text", ["a`b", "``", "`start", "plain", "x\ny"])
def test_code_spans_cannot_be_closed_from_inside(text: str) -> None:
    span = _code(text)
    ticks = len(span) - len(span.lstrip("`"))
    assert "`" * ticks not in span[ticks:-ticks]
    assert "\n" not in span


@pytest.mark.parametrize(
    ("moment", "age"),
    [
        ("2026-01-01T00:00:00.000Z", "just now"),
        ("2025-12-31T23:59:01.000Z", "just now"),
        ("2025-12-31T23:59:00.000Z", "1 minute ago"),
        ("2025-12-31T23:00:00.000Z", "1 hour ago"),
        ("2025-12-30T00:00:01.000Z", "47 hours ago"),
        ("2025-12-30T00:00:00.000Z", "2 days ago"),
        ("2025-10-01T00:00:00+00:00", "92 days ago"),
        ("2026-01-02T00:00:00.000Z", "just now"),  # a clock ahead of ours
        ("not a time", None),
        (None, None),
    ],
)
def test_ages_are_counted_from_when_the_plan_was_made(moment: str | None, age: str | None) -> None:
    assert _age(moment, "2026-01-01T00:00:00.000Z") == age


def copies_plan(count: int) -> Plan:
    copies = tuple(
        EnvironmentCopy(
            slug=f"bot-pr-{n}",
            name="Bot",
            environment="pr",
            copy_of="bot",
            created_at="2025-12-01T00:00:00.000Z",
            recognised_by="record",
        )
        for n in range(count)
    )
    return Plan(
        created_at="2026-01-01T00:00:00.000Z", base_dir="/", agents=(), environment_copies=copies
    )


def test_many_copies_are_cut_short_in_text_unless_verbose() -> None:
    many = copies_plan(COPIES_SHOWN + 5)
    short = plain(render_text(many))
    assert "bot-pr-9  copy of bot, created 31 days ago" in short
    assert "bot-pr-10" not in short
    assert "... and 5 more (-v lists them all)" in short
    assert "bot-pr-14" in plain(render_text(many, verbose=True))
    assert "bot-pr-14" in render_markdown(many)  # a pull-request comment lists them all
    # one more than the limit is shown rather than summarised as "1 more"
    assert "more (-v" not in plain(render_text(copies_plan(COPIES_SHOWN + 1)))


def test_copies_alone_are_no_orphans_and_need_no_orphan_advice() -> None:
    text = plain(render_text(copies_plan(1)))
    assert "No changes" in text
    assert "1 environment copy." in text
    assert "Orphan" not in text
    assert NO_DELETE not in text
    assert "Delete the copies you no longer need" in text


def test_names_from_a_record_are_code_in_markdown_and_literal_in_text() -> None:
    hostile = OrphanAgent(
        slug="x", name="x", was_managed=True, environment="[red]qa`", copy_of="**bot**"
    )
    plan = Plan(created_at="t", base_dir="/", agents=(), orphan_agents=(hostile,))
    assert "`` [red]qa` `` copy of `**bot**`" in render_markdown(plan)
    assert "'[red]qa`' copy of '**bot**'" in plain(render_text(plan))


def test_many_examples_are_cut_short_in_text_unless_verbose(tmp_path: Path) -> None:
    """A first plan of 2,000 examples was one line of 2,000 names."""
    from evalkit.sync.render import EXAMPLES_SHOWN

    def examples_plan(count: int, changed: int = 0) -> Plan:
        new = {f"examples/ex{n:03d}/input.json": b'{"n": 1}' for n in range(count)}
        old = {f"examples/ex{n:03d}/input.json": b'{"n": 0}' for n in range(count - changed, count)}
        change = diff_agent(desired(tmp_path, "bot", new), live("bot", old))
        return Plan(created_at="t", base_dir=str(tmp_path), agents=(change,))

    many = examples_plan(EXAMPLES_SHOWN + 10, changed=2)
    short = plain(render_text(many))
    assert f"+ ex{EXAMPLES_SHOWN - 1:03d}" in short
    assert f"ex{EXAMPLES_SHOWN:03d}" not in short
    assert "... and 10 more: +8 ~2 (-v lists them all)" in short
    assert f"~ ex{EXAMPLES_SHOWN + 9:03d}" in plain(render_text(many, verbose=True))
    # one more than the limit is shown rather than summarised as "1 more"
    assert "more:" not in plain(render_text(examples_plan(EXAMPLES_SHOWN + 1)))


def test_config_keys_added_in_git_and_removed_on_the_platform_say_so(tmp_path: Path) -> None:
    files = {"AGENT.md": b"hi\n"}
    want = {"model": "large", "temperature": 0.1}
    was = record(files, config={"temperature": 0.1, "model": "large"})
    removed = diff_agent(
        desired(tmp_path, "bot", files, config=want),
        live("bot", files, config={"temperature": 0.1}, last=was),
    )
    added = diff_agent(
        desired(tmp_path, "bot", files, config={**want, "seed": 7}),
        live("bot", files, config=want, last=record(files, config=want)),
    )
    plan = Plan(created_at="t", base_dir="/", agents=(removed,))
    assert '! config /model: (removed) -> "large"' in plain(render_text(plan))
    assert 'config `/model`: (removed) → `"large"`' in render_markdown(plan)
    plan = Plan(created_at="t", base_dir="/", agents=(added,))
    assert "+ config /seed: 7" in plain(render_text(plan))
    assert headline(plan) == "Plan: 1 agent to update (+1 to add)."
