"""What the workflow engine needs from the rest of the platform."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class AgentStepResult:
    status: str  # a terminal ExecutionStatus value
    output: Any = None
    error: str | None = None
    execution_id: str | None = None


class AgentInvoker(Protocol):
    """Runs an agent of this platform to completion (used by agent steps)."""

    def run_agent_and_wait(
        self,
        agent: str,
        input_json: dict[str, Any],
        *,
        cancel: threading.Event,
        timeout_seconds: float,
    ) -> AgentStepResult: ...
