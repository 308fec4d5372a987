"""Environment copies, orphans and acknowledged orphans, planned against the loopback platform."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evalkit.api import AgentSummary
from evalkit.conventions import RESERVED_CONFIG_KEY
from evalkit.errors import ManifestError
from evalkit.sync.apply import apply
from evalkit.sync.copies import CopyFinder
from evalkit.sync.orphans import OrphanRules, sort_out
from evalkit.sync.plan import EnvironmentCopy
from evalkit.sync.planner import plan
from evalkit.sync.record import RECORD_KEY

from .local import Counted
from .project import load, write_project

BOT: dict[str, Any] = {"name": "Bot", "config": {"model": "m1"}, "files": {"AGENT.md": b"# Bot\n"}}
PR = {"pr": {"slug": "{slug}-pr-${PR_NUMBER:-local}"}}


def sync_pr(root: Path, counted: Counted, number: str | None) -> None:
    """What ``PR_NUMBER=<number> evalkit sync --env pr`` does."""
    env = {"PR_NUMBER": number} if number is not None else {}
    made = plan(load(root, env).with_environment("pr"), counted.client)
    assert apply(made, counted.client).state == "converged"


def recorded(counted: Counted, slug: str) -> dict[str, Any]:
    config = counted.client.agents.get(slug).agent.config or {}
    found: dict[str, Any] = config[RESERVED_CONFIG_KEY][RECORD_KEY]
    return found


def test_a_sync_records_which_manifest_agent_and_environment_made_the_agent(
    tmp_path: Path, counted: Counted
) -> None:
    write_project(tmp_path, {"bot": BOT}, environments=PR)
    assert apply(plan(load(tmp_path), counted.client), counted.client).state == "converged"
    sync_pr(tmp_path, counted, "41")
    production, copy = recorded(counted, "bot"), recorded(counted, "bot-pr-41")
    assert (production["manifestSlug"], production["environment"]) == ("bot", None)
    assert (copy["manifestSlug"], copy["environment"]) == ("bot", "pr")


def test_copies_made_for_other_values_of_the_variable_are_not_orphans(
    tmp_path: Path, counted: Counted
) -> None:
    write_project(tmp_path, {"bot": BOT}, environments=PR)
    assert apply(plan(load(tmp_path), counted.client), counted.client).state == "converged"
    sync_pr(tmp_path, counted, "41")
    sync_pr(tmp_path, counted, None)  # bot-pr-local: someone ran it on their machine

    on_main = plan(load(tmp_path), counted.client)
    assert on_main.orphan_agents == ()
    assert on_main.orphan_count == 0
    assert [
        (c.slug, c.environment, c.copy_of, c.recognised_by) for c in on_main.environment_copies
    ] == [
        ("bot-pr-41", "pr", "bot", "record"),
        ("bot-pr-local", "pr", "bot", "record"),
    ]
    assert all(c.created_at and c.updated_at for c in on_main.environment_copies)

    pr_42 = plan(load(tmp_path, {"PR_NUMBER": "42"}).with_environment("pr"), counted.client)
    assert [a.slug for a in pr_42.agents] == ["bot-pr-42"]
    assert [c.slug for c in pr_42.environment_copies] == ["bot-pr-41", "bot-pr-local"]
    assert pr_42.orphan_agents == ()  # 'bot' itself is the manifest's, in any environment


def test_copies_from_before_the_record_said_so_are_recognised_by_name(
    tmp_path: Path, counted: Counted
) -> None:
    write_project(tmp_path, {"bot": BOT}, environments=PR)
    assert apply(plan(load(tmp_path), counted.client), counted.client).state == "converged"
    sync_pr(tmp_path, counted, "41")
    # an earlier evalkit wrote records without manifestSlug/environment
    config = counted.client.agents.get("bot-pr-41").agent.config or {}
    record = config[RESERVED_CONFIG_KEY][RECORD_KEY]
    del record["manifestSlug"], record["environment"]
    counted.client.agents.update("bot-pr-41", config=config)

    on_main = plan(load(tmp_path), counted.client)
    assert [(c.slug, c.recognised_by) for c in on_main.environment_copies] == [
        ("bot-pr-41", "name")
    ]
    assert on_main.orphan_count == 0
    # the next sync of that copy brings its record up to date (no visible change)
    again = plan(load(tmp_path, {"PR_NUMBER": "41"}).with_environment("pr"), counted.client)
    assert not again.has_changes
    assert again.agents[0].refresh_record
    assert apply(again, counted.client).writes == 1
    assert recorded(counted, "bot-pr-41")["environment"] == "pr"


def test_real_orphans_stay_orphans_and_the_manifest_can_acknowledge_them(
    tmp_path: Path, counted: Counted
) -> None:
    write_project(tmp_path, {"bot": BOT}, environments=PR)
    assert apply(plan(load(tmp_path), counted.client), counted.client).state == "converged"
    agents = counted.client.agents
    agents.create(name="Prototype", slug="bot-prototype")  # made by hand, like a copy's name
    agents.create(name="Half", slug="bot-pr-9")  # named like a copy, no evalkit record
    agents.create(name="Legacy", slug="legacy-one")
    agents.put_file("bot", "notes/manual.md", content="by hand")
    agents.put_file("bot", "scratch.md", content="by hand")

    found = plan(load(tmp_path), counted.client)
    orphans = {o.slug: o for o in found.orphan_agents}
    assert sorted(orphans) == ["bot-pr-9", "bot-prototype", "legacy-one"]
    assert (orphans["bot-pr-9"].environment, orphans["bot-pr-9"].copy_of) == ("pr", "bot")
    assert orphans["bot-prototype"].environment is None
    assert found.environment_copies == ()
    assert found.orphan_count == 5

    write_project(
        tmp_path, {"bot": BOT}, environments=PR, ignore_orphans=["legacy-*", "bot/notes/"]
    )
    acknowledged = plan(load(tmp_path), counted.client)
    by_slug = {o.slug: o.acknowledged_by for o in acknowledged.orphan_agents}
    assert by_slug == {"bot-pr-9": None, "bot-prototype": None, "legacy-one": "legacy-*"}
    files = {o.path: o.acknowledged_by for o in acknowledged.agents[0].orphan_files}
    assert files == {"notes/manual.md": "bot/notes/", "scratch.md": None}
    assert (acknowledged.orphan_count, acknowledged.acknowledged_count) == (3, 2)


def test_file_patterns_use_the_manifest_slug_in_every_environment(
    tmp_path: Path, counted: Counted
) -> None:
    write_project(tmp_path, {"bot": BOT}, environments=PR, ignore_orphans=["bot/*.bak"])
    sync_pr(tmp_path, counted, "41")
    counted.client.agents.put_file("bot-pr-41", "old.bak", content="x")
    in_pr = plan(load(tmp_path, {"PR_NUMBER": "41"}).with_environment("pr"), counted.client)
    assert [(o.path, o.acknowledged_by) for o in in_pr.agents[0].orphan_files] == [
        ("old.bak", "bot/*.bak")
    ]
    assert in_pr.orphan_count == 0


def summary(slug: str, created: str, updated: str | None = None) -> AgentSummary:
    config = {
        RESERVED_CONFIG_KEY: {
            RECORD_KEY: {
                "formatVersion": 1,
                "files": {},
                "config": {},
                "name": slug,
                "manifestSlug": "bot",
                "environment": "pr",
            }
        }
    }
    return AgentSummary.model_validate(
        {
            "id": slug,
            "slug": slug,
            "name": slug,
            "createdAt": created,
            "updatedAt": updated,
            "config": config,
        }
    )


def test_copies_are_listed_by_environment_stalest_first() -> None:
    rules = OrphanRules(copies=CopyFinder.build({"pr": "{slug}-pr-${N}"}, ["bot"]))
    copies, orphans = sort_out(
        [
            summary("bot-pr-3", "2026-01-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z"),
            summary("bot-pr-1", "2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z"),
            summary("bot-pr-2", "2026-01-05T00:00:00.000Z"),
            summary("bot", "2026-01-01T00:00:00.000Z"),
        ],
        managed=["bot"],
        rules=rules,
    )
    assert orphans == ()
    assert [c.slug for c in copies] == ["bot-pr-2", "bot-pr-1", "bot-pr-3"]
    assert isinstance(copies[0], EnvironmentCopy)


def test_ignore_orphans_belongs_to_the_root_manifest(tmp_path: Path) -> None:
    write_project(tmp_path, {"bot": BOT})
    (tmp_path / "more.yaml").write_text("version: 1\nignore_orphans: ['legacy-*']\n")
    root = tmp_path / "evalkit.yaml"
    root.write_text(root.read_text() + "include: [more.yaml]\n")
    with pytest.raises(ManifestError, match="'ignore_orphans' may only be set in the root"):
        load(tmp_path)
