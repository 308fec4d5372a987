"""Workflows and their executions in the contract's wire shapes (A6)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from evalkit.api import (
    RunWorkflowResponse,
    WorkflowDetail,
    WorkflowExecutionStatusResponse,
    WorkflowExecutionSummary,
    WorkflowRef,
    WorkflowSummary,
    WorkflowVersion,
)
from evalkit.emulator.workflows.catalog import VersionDef, WorkflowDef
from evalkit.emulator.workflows.store import ExecutionRow


def workflow_summary(workflow: WorkflowDef, seen: Mapping[str, str]) -> dict[str, Any]:
    return WorkflowSummary(**_summary_fields(workflow, seen)).to_wire()


def workflow_detail(workflow: WorkflowDef, seen: Mapping[str, str]) -> dict[str, Any]:
    fields = _summary_fields(workflow, seen)
    return WorkflowDetail(**fields, yaml_content=workflow.current.yaml_text).to_wire()


def workflow_version(version: VersionDef, seen: Mapping[str, str]) -> dict[str, Any]:
    return WorkflowVersion(
        id=version.id,
        workflow_id=version.workflow_id,
        version=version.label,
        yaml_content=version.yaml_text,
        is_current=version.is_current,
        created_at=seen[version.id],
    ).to_wire()


def run_answer(row: ExecutionRow) -> dict[str, Any]:
    answer = RunWorkflowResponse(execution_id=row.id, status=row.status)
    if row.status == "completed":
        answer.result = row.result
    if row.error is not None:
        answer.error = row.error
    return answer.to_wire()


def execution_status(row: ExecutionRow, *, include_steps: bool) -> dict[str, Any]:
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


def execution_summary(row: ExecutionRow) -> dict[str, Any]:
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


def _summary_fields(workflow: WorkflowDef, seen: Mapping[str, str]) -> dict[str, Any]:
    created = seen[workflow.id]
    return {
        "id": workflow.id,
        "created_at": created,
        "name": workflow.name,
        "version": workflow.current.label,
        # The current version appeared when it was first seen (never before the workflow).
        "updated_at": max(created, seen[workflow.current.id]),
    }
