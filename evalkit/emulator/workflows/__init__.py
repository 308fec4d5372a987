"""Workflows on the local platform (contract A6, Part B11): YAML definitions with versions,
steps run in order. The platform provides an ``AgentInvoker`` so a step can run one of its
agents; ``evalkit.emulator.routes.workflows`` serves the API. The format is documented in
``docs/workflows.md``.
"""

from __future__ import annotations

from evalkit.emulator.workflows.contract import AgentInvoker, AgentStepResult
from evalkit.emulator.workflows.definitions import WorkflowDefinitionError
from evalkit.emulator.workflows.service import WorkflowService

__all__ = ["AgentInvoker", "AgentStepResult", "WorkflowDefinitionError", "WorkflowService"]
