"""Stored records to wire shapes, through the ``evalkit.api`` models (camelCase on the wire)."""

from __future__ import annotations

from typing import Any

from evalkit.api import (
    AgentDataset,
    AgentExecutionFeedback,
    AgentExecutionFeedbackDetail,
    AgentExecutionSummary,
    AgentStats,
    AgentSummary,
    ExecutionFileInfo,
    ExpectedFileName,
)
from evalkit.emulator.store.agents import AgentRecord, AgentStatsRecord, dataset_examples
from evalkit.emulator.store.executions import ExecutionRecord, StoredFile
from evalkit.emulator.store.feedback import LOCAL_REVIEWER

AGENT_INCLUDES = frozenset({"files", "dataset"})
EXECUTION_INCLUDES = frozenset({"feedback", "expected", "files"})
#: ``include=files`` lists, by execution file kind (contract B3)
FILE_LISTS = {
    "input": "input_files",
    "output": "result_files",
    "issues": "issue_files",
    "trace": "trace_files",
}


def agent_wire(
    agent: AgentRecord,
    stats: AgentStatsRecord,
    paths: list[str],
    include: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    examples = dataset_examples(paths)
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
            example_count=len(examples),
            total_executions=stats.total_executions,
            last_execution_at=stats.last_execution_at,
            avg_duration_ms=stats.avg_duration_ms,
            avg_credits=None,
        ),
    )
    if agent.config is not None:
        # Contract: config is optional but never null (the SDK cannot read a null config).
        summary.config = agent.config
    if "files" in include:
        summary.files = paths
    if "dataset" in include:
        summary.dataset = AgentDataset(examples=examples, total=len(examples))
    return summary.to_wire()


def feedback_model(record: ExecutionRecord) -> AgentExecutionFeedback | None:
    if not record.fb_exists:
        return None
    resolved = record.fb_resolved_at is not None
    # Every key is set, so every key is sent: the SDK requires them all (nullable).
    return AgentExecutionFeedback(
        body=record.fb_body or "",
        rating=record.fb_rating,
        status=record.fb_status,
        created_at=record.fb_created_at,
        created_by=LOCAL_REVIEWER,
        created_by_email=None,
        updated_at=record.fb_updated_at,
        resolved_at=record.fb_resolved_at,
        resolved_by=LOCAL_REVIEWER if resolved else None,
        resolved_by_email=None,
        resolved_by_session_id=None,
        promoted_example_name=record.fb_promoted,
    )


def expected_names(files: list[StoredFile]) -> list[ExpectedFileName]:
    return [ExpectedFileName(name=item.name) for item in files]


def feedback_detail_wire(record: ExecutionRecord, expected: list[StoredFile]) -> dict[str, Any]:
    detail = AgentExecutionFeedbackDetail(
        feedback=feedback_model(record),
        expected=record.json_column("expected"),
        expected_files=expected_names(expected),
    )
    return detail.model_dump(mode="json", by_alias=True)


def execution_wire(
    record: ExecutionRecord,
    files: dict[str, list[StoredFile]],
    include: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """``files`` maps a kind to its files; only the kinds ``include`` asks for are read."""
    summary = AgentExecutionSummary(
        id=record.id,
        status=record.status_value,
        created_at=record.created_at,
        model=None,
        output=record.json_column("output"),
        schema_valid=None if record.schema_valid is None else bool(record.schema_valid),
        error=record.error,
        example_id=record.example_name,
        batch_id=record.batch_id,
        started_at=record.started_at,
        completed_at=record.completed_at,
    )
    extra: dict[str, Any] = {
        "agentId": record.agent_id,
        "exampleName": record.example_name,
        "cost": record.json_column("cost"),
        "durationMs": record.duration_ms,
    }
    if record.source_execution_id:
        extra["sourceExecutionId"] = record.source_execution_id
    if "feedback" in include:
        summary.feedback = feedback_model(record)
    if "expected" in include:
        summary.expected = record.json_column("expected")
        summary.expected_files = expected_names(files.get("expected", []))
    if "files" in include:
        summary.input_json = record.json_column("input_json")
        summary.metadata = record.json_column("metadata")
        for kind, attribute in FILE_LISTS.items():
            infos = [ExecutionFileInfo(name=f.name, size=f.size) for f in files.get(kind, [])]
            setattr(summary, attribute, infos)
    wire = summary.to_wire()
    if "feedback" in include and summary.feedback is not None:
        wire["feedback"] = summary.feedback.model_dump(mode="json", by_alias=True)
    return {**wire, **extra}
