"""The wire shapes: an agent's answer carries its config and file list as they are."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.responses import JSONResponse

from evalkit.api import AgentDataset, AgentStats, AgentSummary
from evalkit.emulator.render import AnswerResponse, RawJson, agent_wire, is_answer_json
from evalkit.emulator.store.agents import AgentRecord, AgentStatsRecord, store_text

PATHS = ["AGENT.md", "examples/ex1/expected.json", "examples/ex1/input.json"]
CONFIG: dict[str, Any] = {
    "runtime": {"builtin": "echo"},
    "evalkit": {"lastApplied": {"files": dict.fromkeys(PATHS, "ab" * 32)}},
}
STATS = AgentStatsRecord(total_executions=2, last_execution_at=None, avg_duration_ms=None)


def record(config: dict[str, Any] | None, text: str | None = None) -> AgentRecord:
    """An agent whose config is stored as ``text`` (else as the store writes it)."""
    return AgentRecord(
        id="agt_1",
        slug="a",
        name="A",
        description=None,
        config_text=store_text(config) if text is None else text,
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


def test_the_config_and_the_file_list_are_sent_as_they_are_not_parsed_or_copied() -> None:
    agent = record(CONFIG)
    wire = agent_wire(agent, STATS, PATHS, frozenset({"files"}))
    assert isinstance(wire["config"], RawJson)
    assert wire["config"].text is agent.config_text
    assert wire["files"] is PATHS


def answer_bytes(agent: AgentRecord, include: frozenset[str]) -> bytes:
    return bytes(AnswerResponse({"agent": agent_wire(agent, STATS, PATHS, include)}).body)


def test_the_answer_is_the_models_byte_for_byte() -> None:
    for config in (CONFIG, {}, None):
        for include in (frozenset(), frozenset({"files"}), frozenset({"files", "dataset"})):
            agent = record(config)
            expected = JSONResponse({"agent": through_the_model(agent, include)}).body
            assert answer_bytes(agent, include) == expected


#: configs whose compact text is not what an answer writes, or may not be: each is parsed
AWKWARD = [
    {"t": "a, b", "u": 'say ": " here'},
    {"é": "ü — ☃", "ctl": "\x01\n", "nul": "\x00", "mark": "\\u0000"},
    {"n": [1.5, -0.0, 1e300, 10**30, True, None], "s": "Infinity NaN"},
    {"nested": {"a": [{"b": {}}, []]}},
]


@pytest.mark.parametrize("config", AWKWARD)
def test_any_config_is_answered_as_if_parsed(config: dict[str, Any]) -> None:
    agent = record(config)
    expected = JSONResponse({"agent": through_the_model(agent, frozenset())}).body
    assert answer_bytes(agent, frozenset()) == expected
    assert json.loads(bytes(expected))["agent"]["config"] == config


@pytest.mark.parametrize("config", [CONFIG, *AWKWARD])
def test_a_config_stored_by_json_dumps_defaults_is_answered_as_if_parsed(
    config: dict[str, Any],
) -> None:
    """Texts stored before the compact form (``", "``, ``": "``, ``\\uXXXX``) are parsed."""
    old = json.dumps(config)
    assert not is_answer_json(old)
    agent = record(config, text=old)
    expected = JSONResponse({"agent": through_the_model(agent, frozenset())}).body
    assert answer_bytes(agent, frozenset()) == expected


def test_a_text_that_renders_as_the_mark_is_not_replaced() -> None:
    """The mark a ``RawJson`` is written as first cannot be forged by a string of the
    answer: a NUL is escaped in it, and the rest is a secret of the process."""
    sneaky = {"a": "\x000:", "b": "\\u00000:"}
    body = AnswerResponse([RawJson("[1]"), sneaky, RawJson('{"c":2}')]).body
    assert json.loads(bytes(body)) == [[1], sneaky, {"c": 2}]
