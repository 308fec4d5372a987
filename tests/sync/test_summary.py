from __future__ import annotations

from pathlib import Path

from rich.text import Text

from evalkit.sync.apply import AgentOutcome, ApplyResult
from evalkit.sync.pull import PulledAgent, PullResult
from evalkit.sync.summary import apply_to_data, render_apply, render_pull


def plain(markup: str) -> str:
    return Text.from_markup(markup).plain


def test_a_partly_applied_sync_says_what_failed_what_was_done_and_what_to_do() -> None:
    result = ApplyResult(
        (
            AgentOutcome(
                "a", "applied", ("uploaded 2 files", "saved the last-applied record"), None, 2
            ),
            AgentOutcome("b", "partial", ("created the agent",), "HTTP 502 [POST /files]", 1),
            AgentOutcome("c", "unchanged"),
        )
    )
    assert result.state == "partly-applied"
    assert plain(render_apply(result)).splitlines() == [
        "✓ a: uploaded 2 files, saved the last-applied record",
        "✗ b: HTTP 502 [POST /files]",
        "    done before the failure: created the agent",
        "Partly applied: 1 agent fully applied, 1 agent failed.",
        "Run 'evalkit sync' again to finish: the next plan compares the files in full and "
        "applies only what is still missing.",
    ]
    data = apply_to_data(result)
    assert data["state"] == "partly-applied"
    assert [a["status"] for a in data["agents"]] == ["applied", "partial", "unchanged"]


def test_states() -> None:
    assert ApplyResult().state == "converged"
    assert (
        plain(render_apply(ApplyResult((AgentOutcome("c", "unchanged"),)))) == "Nothing to apply."
    )
    failed = ApplyResult((AgentOutcome("a", "failed", (), "boom"),))
    assert failed.state == "nothing-applied"
    assert plain(render_apply(failed)).splitlines()[1].startswith("Nothing applied: 0 agents")


def test_pull_summary(tmp_path: Path) -> None:
    result = PullResult(
        tmp_path / "evalkit.yaml",
        True,
        (
            PulledAgent(
                "bot",
                tmp_path / "agents/bot",
                ("AGENT.md",),
                2,
                (("../x", "unsafe"),),
            ),
        ),
    )
    text = plain(render_pull(result))
    assert "pulled bot into" in text
    assert "1 file written, 2 unchanged" in text
    assert "skipped ../x (unsafe)" in text
    assert text.endswith("review it, then 'evalkit plan'.")
