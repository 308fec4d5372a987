"""The boundary between the execution queue and the agent runtime."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from evalkit.emulator.runtime.isolation import PROCESS_GROUP, Isolation, IsolationChoice
from evalkit.emulator.runtime.workspace import Workspace, as_workspace


@dataclass(frozen=True)
class InputFile:
    """A file input: the form field (input key) it came in, its basename, its bytes."""

    field: str
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


@dataclass(frozen=True)
class NamedBlob:
    """An output, issues or trace file produced by a run."""

    name: str
    content: bytes


@dataclass(frozen=True)
class AgentJob:
    """Everything one run needs, detached from storage.

    ``workspace`` is the agent's files as of the commit the run sees; a mapping of path to
    bytes is accepted too. ``examples/`` is never part of it, whatever was passed (see
    ``workspace.py``), so that rule cannot be bypassed. Read it through ``agent_files``.
    """

    execution_id: str
    workspace: Workspace | Mapping[str, bytes]
    #: the agent's config: for the platform's own runtimes, only what they read (``runtime``
    #: and ``triggers``, store/agents.py); a custom runner gets it whole
    config: dict[str, Any]
    input_json: dict[str, Any]
    input_files: list[InputFile]
    scratch_root: Path
    cancel: threading.Event = field(default_factory=threading.Event)
    #: how the program is kept from the platform (the platform's choice, maybe still being
    #: made: read ``chosen_isolation``; see isolation.py)
    isolation: Isolation | IsolationChoice = PROCESS_GROUP
    #: the agent that runs (the ``noisy`` builtin counts executions per agent and input)
    agent_id: str = ""
    #: the platform's pass-through variables (``PlatformConfig.pass_env``); never in a repr
    passed_env: Mapping[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "workspace", as_workspace(self.workspace))

    @property
    def agent_files(self) -> Workspace:
        """The workspace the program runs on (``examples/`` left out)."""
        return as_workspace(self.workspace)

    def chosen_isolation(self) -> Isolation:
        """The isolation the program runs with, once the platform has chosen it (a builtin
        never asks); ``IsolationUnavailable`` if it could not be chosen."""
        chosen = self.isolation
        return chosen.get() if isinstance(chosen, IsolationChoice) else chosen


OutcomeStatus = Literal["completed", "failed", "cancelled"]


@dataclass(frozen=True)
class AgentOutcome:
    status: OutcomeStatus
    output: Any = None
    output_files: list[NamedBlob] = field(default_factory=list)
    issues: list[NamedBlob] = field(default_factory=list)
    trace: list[NamedBlob] = field(default_factory=list)
    error: str | None = None
    #: None when the workspace has no output-schema.json
    schema_valid: bool | None = None
    #: free-form cost figures (e.g. ``{"durationMs": 12}``) returned as ``cost``
    cost: dict[str, Any] = field(default_factory=dict)
    #: the model the agent says it used, returned as the execution's ``model``
    model: str | None = None
