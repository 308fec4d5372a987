"""The platform's records in the contract's wire shapes, through the ``evalkit.api`` models
(camelCase on the wire): agents, their executions and feedback, workflows, their versions and
executions, and list pages. Every route renders through here; no route builds a shape itself.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from typing import Any

from fastapi.responses import JSONResponse

from evalkit.api import (
    AgentDataset,
    AgentExecutionFeedback,
    AgentExecutionFeedbackDetail,
    AgentExecutionSummary,
    AgentStats,
    AgentSummary,
    ExecutionFileInfo,
    ExpectedFileName,
    RunWorkflowResponse,
    WorkflowDetail,
    WorkflowExecutionStatusResponse,
    WorkflowExecutionSummary,
    WorkflowRef,
    WorkflowSummary,
    WorkflowVersion,
)
from evalkit.emulator.paging import Page
from evalkit.emulator.store.agents import AgentRecord, AgentStatsRecord, dataset_examples
from evalkit.emulator.store.executions import ExecutionRecord, StoredFile
from evalkit.emulator.store.feedback import LOCAL_REVIEWER
from evalkit.emulator.workflows.catalog import VersionDef, WorkflowDef
from evalkit.emulator.workflows.store import ExecutionRow

AGENT_INCLUDES = frozenset({"files", "dataset"})
EXECUTION_INCLUDES = frozenset({"feedback", "expected", "files"})
#: ``include=files`` lists, by execution file kind (contract B3)
FILE_LISTS = {
    "input": "input_files",
    "output": "result_files",
    "issues": "issue_files",
    "trace": "trace_files",
}


class RawJson:
    """JSON text that goes into an answer as it is (``AnswerResponse``)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


#: what a ``RawJson`` is written as before its text replaces it: a NUL (which JSON escapes,
#: so no text of the answer renders the same) and a secret of this process
_MARK = "\0" + secrets.token_hex(16) + ":"
_MARK_WRITTEN = json.dumps(_MARK)[:-1]


class AnswerResponse(JSONResponse):
    """A ``JSONResponse`` whose content may hold ``RawJson`` values: the same bytes as if each
    had been parsed into the content, without the parse (or the copies it makes)."""

    def render(self, content: Any) -> bytes:
        raws: list[str] = []

        def mark(value: object) -> str:
            if not isinstance(value, RawJson):
                raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
            raws.append(value.text)
            return f"{_MARK}{len(raws) - 1}"

        text = json.dumps(
            content,
            ensure_ascii=False,
            allow_nan=False,
            indent=None,
            separators=(",", ":"),
            default=mark,
        )
        for index, raw in enumerate(raws):
            text = text.replace(f'{_MARK_WRITTEN}{index}"', raw, 1)
        return text.encode("utf-8")


def is_answer_json(text: str) -> bool:
    """Whether ``text`` is what ``JSONResponse`` would write for the object it parses to, so
    that it may go into an answer as it is. True of the compact JSON the store writes
    (``store_text``) unless a string holds ``", "``, ``": "``, an escape ``\\u`` or a
    non-finite number's name; never of a non-empty object stored by ``json.dumps``' defaults
    (as configs were stored before: ``": "`` after each key). A false "no" costs a parse only.
    """
    return not any(part in text for part in (", ", '": ', "\\u", "Infinity", "NaN"))


def answer_json(text: str | None) -> Any:
    """A stored JSON column as it goes into an answer: its text as it is when the answer would
    write it so (``is_answer_json``), else parsed (older rows, stored by ``json.dumps``'
    defaults). None when the column is NULL."""
    if text is None:
        return None
    return RawJson(text) if is_answer_json(text) else json.loads(text)


def page_wire(data: list[dict[str, Any]], total: int, page: Page) -> dict[str, Any]:
    """One page of a list (A1): ``{data, total, limit, offset}``."""
    return {"data": data, "total": total, "limit": page.limit, "offset": page.offset}


# Agents and their executions (A4, A5; B1-B3)


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
    # The config and the file list both grow with the workspace (a synced config holds a hash
    # per file): they go into the answer as they are, in their places, not copied through the
    # model; the config as its stored text, unparsed (rendered by ``AnswerResponse``).
    text = agent.config_text
    if text is not None:
        # Contract: config is optional but never null (the SDK cannot read a null config).
        summary.config = {}
    if "files" in include:
        summary.files = []
    if "dataset" in include:
        summary.dataset = AgentDataset(examples=examples, total=len(examples))
    wire = summary.to_wire()
    if text is not None:
        wire["config"] = RawJson(text) if is_answer_json(text) else agent.config
    if "files" in include:
        wire["files"] = paths
    return wire


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
    """Rendered by ``AnswerResponse``: the expected JSON is its stored text."""
    detail = AgentExecutionFeedbackDetail(
        feedback=feedback_model(record),
        expected=None,
        expected_files=expected_names(expected),
    )
    wire = detail.model_dump(mode="json", by_alias=True)
    wire["expected"] = answer_json(record.expected)
    return wire


def execution_wire(
    record: ExecutionRecord,
    files: dict[str, list[StoredFile]],
    include: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """``files`` maps a kind to its files; only the kinds ``include`` asks for are read.
    Rendered by ``AnswerResponse``: the stored JSON columns go in as their text, in the places
    the model gives them (set to None in it, so that they are sent)."""
    summary = AgentExecutionSummary(
        id=record.id,
        status=record.status_value,
        created_at=record.created_at,
        model=record.model,
        output=None,
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
        "cost": answer_json(record.cost),
        "durationMs": record.duration_ms,
    }
    if record.source_execution_id:
        extra["sourceExecutionId"] = record.source_execution_id
    if "feedback" in include:
        summary.feedback = feedback_model(record)
    if "expected" in include:
        summary.expected = None
        summary.expected_files = expected_names(files.get("expected", []))
    if "files" in include:
        summary.input_json = summary.metadata = None
        for kind, attribute in FILE_LISTS.items():
            infos = [ExecutionFileInfo(name=f.name, size=f.size) for f in files.get(kind, [])]
            setattr(summary, attribute, infos)
    wire = summary.to_wire()
    wire["output"] = answer_json(record.output)
    if "expected" in include:
        wire["expected"] = answer_json(record.expected)
    if "files" in include:
        wire["inputJson"] = answer_json(record.input_json)
        wire["metadata"] = answer_json(record.metadata)
    if "feedback" in include and summary.feedback is not None:
        wire["feedback"] = summary.feedback.model_dump(mode="json", by_alias=True)
    return {**wire, **extra}


# Workflows, their versions and executions (A6; B5, B11)


def workflow_summary_wire(workflow: WorkflowDef, seen: Mapping[str, str]) -> dict[str, Any]:
    return WorkflowSummary(**_workflow_fields(workflow, seen)).to_wire()


def workflow_detail_wire(workflow: WorkflowDef, seen: Mapping[str, str]) -> dict[str, Any]:
    fields = _workflow_fields(workflow, seen)
    return WorkflowDetail(**fields, yaml_content=workflow.current.yaml_text).to_wire()


def workflow_version_wire(version: VersionDef, seen: Mapping[str, str]) -> dict[str, Any]:
    return WorkflowVersion(
        id=version.id,
        workflow_id=version.workflow_id,
        version=version.label,
        yaml_content=version.yaml_text,
        is_current=version.is_current,
        created_at=seen[version.id],
    ).to_wire()


def workflow_run_wire(row: ExecutionRow) -> dict[str, Any]:
    answer = RunWorkflowResponse(execution_id=row.id, status=row.status)
    if row.status == "completed":
        answer.result = row.result
    if row.error is not None:
        answer.error = row.error
    return answer.to_wire()


def workflow_execution_status_wire(row: ExecutionRow, *, include_steps: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "execution_id": row.id,
        "status": row.status,
        "created_at": row.created_at,
    }
    if row.completed_at is not None:
        fields["completed_at"] = row.completed_at
    if row.status == "completed":
        fields["result"] = row.result
    if row.error is not None:
        fields["error"] = row.error
    wire = WorkflowExecutionStatusResponse(**fields).to_wire()
    if include_steps:
        wire.update(
            workflowId=row.workflow_id,
            workflowName=row.workflow_name,
            versionId=row.version_id,
            version=row.version_label,
            startedAt=row.started_at,
            durationMs=row.duration_ms,
            steps=row.steps,
        )
    return wire


def workflow_execution_wire(row: ExecutionRow) -> dict[str, Any]:
    return WorkflowExecutionSummary(
        id=row.id,
        workflow_id=row.workflow_id,
        status=row.status,
        created_at=row.created_at,
        trigger_type=row.trigger_type,
        trigger_input=row.trigger_input,
        result=row.result if row.status == "completed" else None,
        error=row.error,
        started_at=row.started_at,
        completed_at=row.completed_at,
        duration_ms=row.duration_ms,
        workflow=WorkflowRef(id=row.workflow_id, name=row.workflow_name),
    ).to_wire()


def _workflow_fields(workflow: WorkflowDef, seen: Mapping[str, str]) -> dict[str, Any]:
    created = seen[workflow.id]
    return {
        "id": workflow.id,
        "created_at": created,
        "name": workflow.name,
        "version": workflow.current.label,
        # The current version appeared when it was first seen (never before the workflow).
        "updated_at": max(created, seen[workflow.current.id]),
    }
