"""``sync_stepwise`` against the local platform: what ``plan`` + ``apply`` make, one agent's
planned files held at a time, and every read and check before the first write."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evalkit.client import EigenpalClient
from evalkit.emulator.faults import FaultConfig
from evalkit.errors import EvalkitError, PlanError
from evalkit.manifest.spec import Manifest
from evalkit.sync import stepwise
from evalkit.sync.apply import AgentApply, AgentOutcome, apply
from evalkit.sync.desired import DesiredAgent
from evalkit.sync.plan import FileChange
from evalkit.sync.plan_file import plan_record
from evalkit.sync.planner import desired_agent, orphan_rules, plan
from evalkit.sync.stepwise import AgentToSync, StepwiseSync, sync_stepwise

from .local import API_KEY, Counted, LocalPlatform
from .project import load, write_project
from .races import Interleaved


def _example(name: str, total: int) -> dict[str, bytes]:
    return {
        f"examples/{name}/input.json": b'{"invoice": "%s"}' % name.encode(),
        f"examples/{name}/expected.json": b'{"total": %d}' % total,
    }


THREE: dict[str, dict[str, Any]] = {
    "bot-a": {"files": {"AGENT.md": b"a\n", **_example("x", 1), **_example("y", 2)}},
    "bot-b": {
        "name": "Bot B",
        "config": {"model": "small"},
        "files": {"AGENT.md": b"b\n", "skills/s.md": b"s\n"},
    },
    "bot-c": {"files": {"AGENT.md": b"c\n", **_example("z", 3)}},
}


def _agents(manifest: Manifest, on_build: Callable[[str], None] | None = None) -> list[AgentToSync]:
    """The manifest's agents to sync; ``on_build(slug)`` runs each time one is built."""

    def build(agent: Any) -> DesiredAgent:
        if on_build is not None:
            on_build(agent.slug)
        return desired_agent(agent, manifest.environment)

    return [(agent.slug, functools.partial(build, agent)) for agent in manifest.agents]


def _sync(
    manifest: Manifest, client: EigenpalClient, on_build: Callable[[str], None] | None = None
) -> StepwiseSync:
    return sync_stepwise(
        _agents(manifest, on_build),
        client,
        base_dir=manifest.path.parent,
        environment=manifest.environment,
        rules=orphan_rules(manifest),
    )


def _outcomes(outcomes: tuple[AgentOutcome, ...]) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(o.slug, o.status, o.done) for o in outcomes]


def test_it_makes_and_records_what_plan_and_apply_make(
    tmp_path: Path, platform: LocalPlatform, counted: Counted
) -> None:
    write_project(tmp_path, THREE)
    manifest = load(tmp_path)
    whole = plan(manifest, counted.client, only=list(THREE))
    applied = apply(whole, counted.client)
    platform.reset()

    synced = _sync(manifest, counted.client)

    assert synced.result is not None
    assert _outcomes(synced.result.outcomes) == _outcomes(applied.outcomes)
    assert synced.record == plan_record(whole)
    again = plan(manifest, counted.client)
    assert not again.has_changes
    assert [a.compared_by for a in again.agents] == ["record"] * 3  # the records were saved
    counted.transport.reset()
    assert _sync(manifest, counted.client) == StepwiseSync(None, None)
    assert counted.transport.writes == []


def test_it_holds_one_agent_s_planned_files_at_a_time(
    tmp_path: Path, counted: Counted, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first sync of 20,000 inline examples planned 40,000 files at once."""
    held: dict[str, tuple[int, int]] = {}

    class Counting(AgentApply):
        def run(self) -> AgentOutcome:
            gc.collect()
            alive = sum(1 for o in gc.get_objects() if isinstance(o, FileChange))
            held[self.change.slug] = (alive, len(self.change.files))
            return super().run()

    monkeypatch.setattr(stepwise, "AgentApply", Counting)
    write_project(tmp_path, THREE)
    synced = _sync(load(tmp_path), counted.client)

    assert synced.result is not None
    assert synced.result.state == "converged"
    assert held == {"bot-a": (5, 5), "bot-b": (2, 2), "bot-c": (3, 3)}


def test_a_failed_read_stops_it_before_any_write(tmp_path: Path, platform: LocalPlatform) -> None:
    """bot-b exists without a record, so its files are downloaded to compare them: that
    download fails after bot-a (to create) was planned; bot-a must not be created."""
    write_project(tmp_path, THREE)
    platform.client().client.agents.create(name="bot-b", slug="bot-b", config={})
    platform.client().client.agents.put_file("bot-b", "AGENT.md", content_base64="Ygo=")
    platform.start(faults=FaultConfig(error_rate=1.0, path_pattern=r"/agents/bot-b/files$"))
    faulty = platform.client()

    with pytest.raises(EvalkitError):
        _sync(load(tmp_path), faulty.client)

    assert faulty.transport.writes == []


def test_a_platform_moved_after_the_reads_stops_it_before_any_write(
    tmp_path: Path, platform: LocalPlatform
) -> None:
    write_project(tmp_path, THREE)
    manifest = load(tmp_path)
    other = platform.client().client

    def first_read_of_c(seen: Any) -> bool:  # the other writer comes right after it
        return bool(seen[-1].is_agent_read("bot-c"))

    def create_c() -> None:
        other.agents.create(name="c", slug="bot-c", config={})

    transport = Interleaved(first_read_of_c, create_c)
    with (
        EigenpalClient(api_key=API_KEY, base_url=platform.base_url, transport=transport) as sync,
        pytest.raises(PlanError, match="bot-c: was created by someone else"),
    ):
        _sync(manifest, sync)
    assert [s.method for s in transport.seen if s.method != "GET"] == []


def test_a_local_file_edited_after_the_plan_stops_it_before_any_write(
    tmp_path: Path, counted: Counted
) -> None:
    write_project(tmp_path, THREE)
    builds: list[str] = []

    def edit_after_planning(slug: str) -> None:
        builds.append(slug)
        if builds == ["bot-a", "bot-b", "bot-c"]:  # every agent planned once
            (tmp_path / "agents" / "bot-b" / "skills" / "s.md").write_bytes(b"edited\n")

    with pytest.raises(PlanError, match=r"local files changed .*agents/bot-b/skills/s\.md"):
        _sync(load(tmp_path), counted.client, on_build=edit_after_planning)
    assert counted.transport.writes == []


def test_an_agent_whose_files_moved_before_its_turn_fails_alone(
    tmp_path: Path, counted: Counted
) -> None:
    """As ``apply`` does when a file changes between its check and its upload."""
    write_project(tmp_path, THREE)
    builds: list[str] = []

    def edit_during_the_writes(slug: str) -> None:
        builds.append(slug)
        if len(builds) == 4:  # bot-a's turn to be applied: every check is done
            (tmp_path / "agents" / "bot-c" / "AGENT.md").write_bytes(b"edited\n")

    synced = _sync(load(tmp_path), counted.client, on_build=edit_during_the_writes)

    assert synced.result is not None
    assert [(o.slug, o.status) for o in synced.result.outcomes] == [
        ("bot-a", "applied"),
        ("bot-b", "applied"),
        ("bot-c", "failed"),
    ]
    assert "local files changed after the plan was made" in str(synced.result.outcomes[2].error)
    assert not any(path.endswith("/bot-c") for _, path in counted.transport.writes)
