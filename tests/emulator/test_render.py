"""The wire shapes: an agent's answer carries its config and file list as they are, an
execution's its stored JSON."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
from fastapi.responses import JSONResponse

from evalkit.api import (
    AgentDataset,
    AgentExecutionFeedbackDetail,
    AgentExecutionSummary,
    AgentStats,
    AgentSummary,
)
from evalkit.emulator.render import (
    AnswerResponse,
    RawJson,
    agent_wire,
    execution_wire,
    feedback_detail_wire,
    feedback_model,
    is_answer_json,
)
from evalkit.emulator.routes.executions import run_result
from evalkit.emulator.store.agents import AgentRecord, AgentStatsRecord, store_text
from evalkit.emulator.store.db import SCHEMA
from evalkit.emulator.store.executions import ExecutionRecord

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


# An execution's stored JSON (input, metadata, output, cost, expected) goes into its answers
# the same way.

EXECUTION_INCLUDE_SETS = [
    frozenset(),
    frozenset({"files"}),
    frozenset({"feedback", "expected", "files"}),
]
OUTPUTS: list[Any] = [{"invoice": "INV-1", "lines": [{"n": 1.25}]}, None, [], 7, *AWKWARD]


def execution(value: Any, *, stored_by: Any = store_text) -> ExecutionRecord:
    """An execution whose JSON columns hold ``value`` (the input and metadata, objects,
    ``{"v": value}`` when it is not one), stored by ``stored_by``."""
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    conn.executescript(SCHEMA)
    text = None if value is None else stored_by(value)
    inputs = stored_by(value if isinstance(value, dict) else {"v": value})
    conn.execute(
        "INSERT INTO executions (id, agent_id, status, created_at, started_at, completed_at,"
        " input_json, metadata, output, cost, expected, fb_exists, fb_body, fb_status)"
        " VALUES ('exec_1', 'awf_1', 'completed', 'c', 's', 'e', ?, ?, ?, ?, ?, 1, 'b', 'open')",
        (inputs, inputs, text, text, text),
    )
    record = ExecutionRecord(conn.execute("SELECT * FROM executions").fetchone())
    conn.close()
    return record


def execution_through_the_model(record: ExecutionRecord, include: frozenset[str]) -> Any:
    """The answer with every JSON column parsed, built by the model (as before ``RawJson``)."""
    summary = AgentExecutionSummary(
        id=record.id,
        status=record.status_value,
        created_at=record.created_at,
        model=record.model,
        output=record.json_column("output"),
        schema_valid=None,
        error=record.error,
        example_id=record.example_name,
        batch_id=record.batch_id,
        started_at=record.started_at,
        completed_at=record.completed_at,
    )
    if "feedback" in include:
        summary.feedback = feedback_model(record)
    if "expected" in include:
        summary.expected = record.json_column("expected")
        summary.expected_files = []
    if "files" in include:
        summary.input_json = record.json_column("input_json")
        summary.metadata = record.json_column("metadata")
        summary.input_files = summary.result_files = []
        summary.issue_files = summary.trace_files = []
    wire = summary.to_wire()
    if summary.feedback is not None:
        wire["feedback"] = summary.feedback.model_dump(mode="json", by_alias=True)
    extra = {"agentId": record.agent_id, "exampleName": record.example_name}
    return {**wire, **extra, "cost": record.json_column("cost"), "durationMs": None}


def test_an_executions_stored_json_is_sent_as_it_is_not_parsed() -> None:
    record = execution(OUTPUTS[0])
    wire = execution_wire(record, {}, frozenset({"expected", "files"}))
    for key, column in (("output", "output"), ("inputJson", "input_json"), ("cost", "cost")):
        assert isinstance(wire[key], RawJson)
        assert wire[key].text is record.row[column]
    assert isinstance(run_result(record)["output"], RawJson)
    assert isinstance(feedback_detail_wire(record, [])["expected"], RawJson)


@pytest.mark.parametrize("value", OUTPUTS)
@pytest.mark.parametrize("stored_by", [store_text, json.dumps])
def test_an_executions_answers_are_as_if_its_json_was_parsed(value: Any, stored_by: Any) -> None:
    """Compact or as ``json.dumps``' defaults stored it (older rows): the same bytes."""
    record = execution(value, stored_by=stored_by)
    for include in EXECUTION_INCLUDE_SETS:
        answer = AnswerResponse({"execution": execution_wire(record, {}, include)}).body
        model = {"execution": execution_through_the_model(record, include)}
        assert answer == JSONResponse(model).body
    parsed = record.json_column("output")
    expected_run = {
        "executionId": "exec_1",
        "status": "completed",
        "output": parsed,
        "schemaValid": None,
        "error": None,
        "cost": record.json_column("cost") or {},
    }
    assert AnswerResponse(run_result(record)).body == JSONResponse(expected_run).body
    detail = AgentExecutionFeedbackDetail(
        feedback=feedback_model(record), expected=parsed, expected_files=[]
    ).model_dump(mode="json", by_alias=True)
    assert AnswerResponse(feedback_detail_wire(record, [])).body == JSONResponse(detail).body
