"""What the workflow engine needs from the rest of the platform."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from evalkit.emulator.runtime.job import InputFile


@dataclass(frozen=True)
class AgentStepResult:
    status: str  # a terminal ExecutionStatus value
    output: Any = None
    error: str | None = None
    execution_id: str | None = None


class AgentInvoker(Protocol):
    """Runs an agent of this platform to completion (used by agent steps).

    ``agent`` is an id or a slug. ``input_files`` are the step's file inputs, one per input
    key (``InputFile.field``), exactly like the form fields of a multipart agent run. The call
    returns once the execution is terminal, ``cancel`` is set (then the execution should be
    cancelled and its result returned), or ``timeout_seconds`` pass. It may raise
    ``ApiProblem`` (e.g. unknown agent, API trigger disabled); the step then fails with its
    message.
    """

    def run_agent_and_wait(
        self,
        agent: str,
        input_json: dict[str, Any],
        *,
        cancel: threading.Event,
        timeout_seconds: float,
        input_files: Sequence[InputFile] = (),
    ) -> AgentStepResult: ...
