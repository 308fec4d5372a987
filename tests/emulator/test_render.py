"""The wire shapes: an agent's answer carries its config and file list as they are."""

from __future__ import annotations

from typing import Any

from evalkit.api import AgentDataset, AgentStats, AgentSummary
from evalkit.emulator.render import agent_wire
from evalkit.emulator.store.agents import AgentRecord, AgentStatsRecord

PATHS = ["AGENT.md", "examples/ex1/expected.json", "examples/ex1/input.json"]
CONFIG: dict[str, Any] = {
    "runtime": {"builtin": "echo"},
    "evalkit": {"lastApplied": {"files": dict.fromkeys(PATHS, "ab" * 32)}},
}
STATS = AgentStatsRecord(total_executions=2, last_execution_at=None, avg_duration_ms=None)


def record(config: dict[str, Any] | None) -> AgentRecord:
    return AgentRecord(
        id="agt_1",
        slug="a",
        name="A",
        description=None,
        config=config,
        created_at="2026-01-01T00:00:00.000Z",
        updated_at="2026-01-01T00:00:00.000Z",
        latest_commit="c1",
    )


def through_the_model(agent: AgentRecord, include: frozenset[str]) -> dict[str, Any]:
    """The answer built wholly by the model: what ``agent_wire`` must equal, key for key."""
    summary = AgentSummary(
        id=agent.id,
        slug=agent.slug,
        name=agent.name,
        created_at=agent.created_at,
        description=agent.description,
        updated_at=agent.updated_at,
        source_integrity="healthy",
        latest_version=None,
        latest_commit=agent.latest_commit,
        stats=AgentStats(
            example_count=1,
            total_executions=2,
            last_execution_at=None,
            avg_duration_ms=None,
            avg_credits=None,
        ),
    )
    if agent.config is not None:
        summary.config = agent.config
    if "files" in include:
        summary.files = PATHS
    if "dataset" in include:
        summary.dataset = AgentDataset(examples=["ex1"], total=1)
    return summary.to_wire()


def test_the_config_and_the_file_list_are_sent_as_they_are_not_copied() -> None:
    agent = record(CONFIG)
    wire = agent_wire(agent, STATS, PATHS, frozenset({"files"}))
    assert wire["config"] is agent.config
    assert wire["files"] is PATHS


def test_the_answer_is_the_models_key_for_key_in_its_order() -> None:
    for config in (CONFIG, None):
        for include in (frozenset(), frozenset({"files"}), frozenset({"files", "dataset"})):
            agent = record(config)
            wire = agent_wire(agent, STATS, PATHS, include)
            expected = through_the_model(agent, include)
            assert wire == expected
            assert list(wire) == list(expected)
