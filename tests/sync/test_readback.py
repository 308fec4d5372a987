"""Reading an agent's files back after a sync's uploads, and what that costs (in requests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.errors import PlanError
from evalkit.sync.apply import apply
from evalkit.sync.live import Pool
from evalkit.sync.planner import plan
from evalkit.sync.readback import overwritten_error, read_back

from .helpers import sha
from .local import Counted
from .project import load, write_project


def test_only_the_wanted_paths_the_agent_lists_are_read(counted: Counted) -> None:
    counted.client.agents.create(name="Bot", slug="bot")
    counted.client.agents.upload_files(
        "bot",
        [
            {"path": "AGENT.md", "content": "hello\n"},
            {"path": "skills/s.md", "content": "changed\n"},
            {"path": "orphan.md", "content": "not wanted\n"},
        ],
    )
    wanted = {"AGENT.md": sha(b"hello\n"), "skills/s.md": sha(b"s\n"), "new.md": sha(b"n\n")}
    counted.transport.reset()

    back = read_back(counted.client, "bot", wanted, Pool(2))
    seen = sorted(counted.transport.seen)

    assert back.disagreeing == ("new.md", "skills/s.md")
    assert back.agent.latest_commit == counted.client.agents.get("bot").agent.latest_commit
    assert seen == [
        ("GET", "/api/v1/agents/bot"),
        ("GET", "/api/v1/agents/bot/files"),
        ("GET", "/api/v1/agents/bot/files"),
    ]


def test_an_agent_gone_before_the_read_back_is_a_clear_error(counted: Counted) -> None:
    with pytest.raises(PlanError, match="agent 'ghost' vanished during the sync"):
        read_back(counted.client, "ghost", {}, Pool(1))


def test_the_error_names_a_few_paths_and_counts_the_rest() -> None:
    paths = [f"f{i}.md" for i in range(7)]
    message = str(overwritten_error("bot", paths))
    assert "f0.md, f1.md, f2.md, f3.md, f4.md and 2 more no longer match the manifest" in message
    assert "f5.md" not in message
    assert "changed on the platform during this sync" in message
    assert "'evalkit plan' of bot reads every file" in message
    assert "f.md no longer matches the manifest" in str(overwritten_error("bot", ["f.md"]))


def test_a_sync_reads_back_every_file_of_the_agents_it_uploads_to_and_no_other(
    tmp_path: Path, counted: Counted
) -> None:
    files = {f"skills/s{i:02d}.md": f"s{i}\n".encode() for i in range(29)}
    agents = {slug: {"files": {"AGENT.md": b"v1\n", **files}} for slug in ("changed", "unchanged")}
    write_project(tmp_path, agents)
    apply(plan(load(tmp_path), counted.client), counted.client)
    (tmp_path / "agents/changed/AGENT.md").write_bytes(b"v2\n")
    made = plan(load(tmp_path), counted.client)
    counted.transport.reset()

    assert apply(made, counted.client).state == "converged"

    seen = counted.transport.seen
    assert seen.count(("GET", "/api/v1/agents/unchanged")) == 1  # the freshness check only
    assert seen.count(("GET", "/api/v1/agents/changed")) == 2  # check, commit read
    assert seen.count(("GET", "/api/v1/agents/changed/files")) == 30  # every file read back
    assert counted.transport.writes == [
        ("PUT", "/api/v1/agents/changed/files"),
        ("PATCH", "/api/v1/agents/changed"),
    ]
    print(f"sync of 1 file in an agent of 30 files: {len(seen)} requests")
