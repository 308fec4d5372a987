"""``plan`` against the local platform over loopback, through the manifest."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import httpx
import pytest
from eigenpal import EigenpalClient as OfficialClient

from evalkit.errors import PlanError
from evalkit.sync.apply import apply
from evalkit.sync.plan import Action
from evalkit.sync.planner import plan, refuse_duplicate_slugs

from .local import API_KEY, Counted, LocalPlatform
from .project import load, write_project

BOT_FILES = {
    "AGENT.md": b"# Bot\nBe brief.\n",
    "skills/math.md": b"add numbers\n",
    "logo.bin": bytes(range(256)),
    "examples/one/input.json": b'{"q": 1}\n',
    "examples/one/expected.json": b'{"a": 1}\n',
}
BOT: dict[str, Any] = {
    "name": "Bot",
    "description": "Answers",
    "config": {"model": "m1", "triggers": {"api": {"enabled": True}}},
    "files": BOT_FILES,
}


def synced(root: Path, counted: Counted) -> None:
    result = apply(plan(load(root), counted.client), counted.client)
    assert result.state == "converged", result


def test_create_from_scratch(tmp_path: Path, counted: Counted) -> None:
    write_project(tmp_path, {"bot": BOT})
    first = plan(load(tmp_path), counted.client)
    (agent,) = first.agents
    assert agent.creates_agent
    assert [f.path for f in agent.files] == sorted(BOT_FILES)

    result = apply(first, counted.client)
    assert result.state == "converged"
    assert result.outcomes[0].done == (
        "created the agent",
        "uploaded 5 files",
        "saved the last-applied record",
    )
    live = counted.client.agents.get("bot", include="files").agent
    assert (live.name, live.description) == ("Bot", "Answers")
    assert live.files == sorted(BOT_FILES)
    assert live.config is not None
    assert live.config["model"] == "m1"
    assert live.config["evalkit"]["lastApplied"]["latestCommit"] == live.latest_commit
    content = counted.client.agents.list_files("bot", path="logo.bin")
    assert base64.b64decode(content.content_base64) == bytes(range(256))  # type: ignore[union-attr]


def test_second_sync_makes_zero_writes_and_reads_no_file(tmp_path: Path, counted: Counted) -> None:
    write_project(tmp_path, {"bot": BOT})
    synced(tmp_path, counted)
    counted.transport.reset()

    again = plan(load(tmp_path), counted.client)
    # one GET for the agent, one page of the agent list for orphans: no file read
    assert counted.transport.seen == [
        ("GET", "/api/v1/agents/bot"),
        ("GET", "/api/v1/agents"),
    ]
    assert not again.has_changes
    assert not any(a.needs_write for a in again.agents)
    assert again.agents[0].compared_by == "record"
    result = apply(again, counted.client)
    assert result.writes == 0
    assert [o.status for o in result.outcomes] == ["unchanged"]
    assert counted.transport.writes == []


def test_every_kind_of_change(tmp_path: Path, counted: Counted) -> None:
    write_project(tmp_path, {"bot": BOT})
    synced(tmp_path, counted)
    changed = {
        "name": "Bot v2",
        "description": "Answers briefly",
        "config": {"model": "m2", "triggers": {"api": {"enabled": True}}, "temperature": 0},
        "files": {
            **{k: v for k, v in BOT_FILES.items() if k != "skills/math.md"},
            "AGENT.md": b"# Bot\nBe very brief.\n",
            "skills/new.md": b"new skill\n",
            "examples/one/expected.json": b'{"a": 2}\n',
            "examples/two/input.json": b'{"q": 2}\n',
            "examples/two/expected.json": b'{"a": 3}\n',
        },
    }
    (tmp_path / "agents/bot/skills/math.md").unlink()
    write_project(tmp_path, {"bot": changed})

    (agent,) = plan(load(tmp_path), counted.client).agents
    assert [(f.field, f.action, f.after) for f in agent.fields] == [
        ("name", Action.UPDATE, "Bot v2"),
        ("description", Action.UPDATE, "Answers briefly"),
    ]
    assert [(c.pointer, c.kind) for c in agent.config] == [
        ("/model", "change"),
        ("/temperature", "add"),
    ]
    assert [(f.path, f.action) for f in agent.files] == [
        ("AGENT.md", Action.UPDATE),
        ("examples/one/expected.json", Action.UPDATE),
        ("examples/two/expected.json", Action.CREATE),
        ("examples/two/input.json", Action.CREATE),
        ("skills/new.md", Action.CREATE),
    ]
    agent_md = agent.files[0]
    assert agent_md.text_diff is not None
    assert "-Be brief.\n+Be very brief.\n" in agent_md.text_diff
    assert [(o.path, o.was_managed) for o in agent.orphan_files] == [("skills/math.md", True)]

    synced(tmp_path, counted)
    after = plan(load(tmp_path), counted.client)
    assert not after.has_changes
    assert [o.path for o in after.agents[0].orphan_files] == ["skills/math.md"]


def test_drift_made_with_the_official_sdk_is_found_and_set_back(
    tmp_path: Path, platform: LocalPlatform, counted: Counted
) -> None:
    write_project(tmp_path, {"bot": BOT})
    synced(tmp_path, counted)
    edited = base64.b64encode(b"edited in the dashboard\n").decode()
    live_config = counted.client.agents.get("bot").agent.config or {}
    with OfficialClient(api_key=API_KEY, base_url=platform.base_url) as official:
        official.agents.put_file("bot", "AGENT.md", content_base64=edited)
        official.agents.update(
            "bot", name="Renamed", config={**live_config, "model": "m-dashboard", "extra": 1}
        )

    (agent,) = plan(load(tmp_path), counted.client).agents
    assert agent.compared_by == "full"  # the workspace moved: files were read
    assert [(f.path, f.action) for f in agent.files] == [("AGENT.md", Action.DRIFT)]
    assert [(f.field, f.action) for f in agent.fields] == [("name", Action.DRIFT)]
    # a key nobody in git ever set is not evalkit's to judge
    assert [(c.pointer, c.action, c.before) for c in agent.config] == [
        ("/model", Action.DRIFT, "m-dashboard")
    ]

    synced(tmp_path, counted)
    assert not plan(load(tmp_path), counted.client).has_changes
    live = counted.client.agents.get("bot").agent
    assert live.config is not None
    assert (live.name, live.config["model"], live.config["extra"]) == ("Bot", "m1", 1)


def test_same_bytes_rewritten_outside_git_is_no_change_but_refreshes_the_record(
    tmp_path: Path, counted: Counted
) -> None:
    write_project(tmp_path, {"bot": BOT})
    synced(tmp_path, counted)
    counted.client.agents.put_file("bot", "AGENT.md", content=BOT_FILES["AGENT.md"])

    (agent,) = plan(load(tmp_path), counted.client).agents
    assert not agent.has_changes
    assert agent.compared_by == "full"
    assert agent.refresh_record
    synced(tmp_path, counted)
    assert plan(load(tmp_path), counted.client).agents[0].compared_by == "record"


def test_refresh_reads_every_file(tmp_path: Path, counted: Counted) -> None:
    write_project(tmp_path, {"bot": BOT})
    synced(tmp_path, counted)
    counted.transport.reset()
    forced = plan(load(tmp_path), counted.client, refresh=True)
    assert not forced.has_changes
    assert forced.agents[0].compared_by == "full"
    assert len(counted.transport.reads) == 2 + len(BOT_FILES)


def test_orphan_agents_and_files_are_reported(tmp_path: Path, counted: Counted) -> None:
    write_project(tmp_path, {"bot": BOT})
    synced(tmp_path, counted)
    counted.client.agents.create(name="Legacy", slug="legacy")
    counted.client.agents.put_file("bot", "manual.md", content="made by hand")

    found = plan(load(tmp_path), counted.client)
    assert not found.has_changes
    assert [(o.slug, o.was_managed) for o in found.orphan_agents] == [("legacy", False)]
    assert [(o.path, o.was_managed) for o in found.agents[0].orphan_files] == [("manual.md", False)]
    assert found.orphan_count == 2


def test_environments_use_their_own_slugs_and_never_orphan_each_other(
    tmp_path: Path, counted: Counted
) -> None:
    write_project(tmp_path, {"bot": BOT}, environments={"pr": {"slug": "{slug}-pr-7"}})
    synced(tmp_path, counted)
    in_pr = plan(load(tmp_path).with_environment("pr"), counted.client)
    assert [a.slug for a in in_pr.agents] == ["bot-pr-7"]
    assert in_pr.agents[0].creates_agent
    assert in_pr.orphan_agents == ()
    assert apply(in_pr, counted.client).state == "converged"
    assert plan(load(tmp_path), counted.client).orphan_agents == ()


def test_only_plans_some_agents_and_skips_orphans(tmp_path: Path, counted: Counted) -> None:
    write_project(tmp_path, {"bot": BOT, "other": {"files": {"AGENT.md": b"x"}}})
    some = plan(load(tmp_path), counted.client, only=["other"])
    assert [a.slug for a in some.agents] == ["other"]
    assert not some.orphans_checked
    with pytest.raises(PlanError, match="--only nope: no such agent"):
        plan(load(tmp_path), counted.client, only=["nope"])


def test_drift_made_with_raw_http_is_found(
    tmp_path: Path, platform: LocalPlatform, counted: Counted
) -> None:
    write_project(tmp_path, {"bot": BOT})
    synced(tmp_path, counted)
    headers = {"Authorization": f"Bearer {API_KEY}"}
    with httpx.Client(base_url=platform.base_url, headers=headers) as raw:
        answer = raw.put(
            "/api/v1/agents/bot/files",
            params={"path": "skills/math.md"},
            json={"content": "subtract numbers\n"},
        )
        assert answer.status_code == 200, answer.text
    (agent,) = plan(load(tmp_path), counted.client).agents
    (drifted,) = agent.files
    assert (drifted.path, drifted.action) == ("skills/math.md", Action.DRIFT)
    assert drifted.text_diff is not None
    assert "-subtract numbers\n+add numbers\n" in drifted.text_diff


def test_agent_slugs_declared_twice_are_named_and_refused() -> None:
    refuse_duplicate_slugs(["a", "b"])
    with pytest.raises(PlanError, match=r"agent slug\(s\) a, c twice"):
        refuse_duplicate_slugs(["c", "a", "b", "a", "c"])
