"""The shared pieces of a run: settings, context, and what is known about each example."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit.runner.calls import PlatformCalls
from evalkit.runner.comparing import Comparison
from evalkit.runner.feedback_write import FeedbackLedger
from evalkit.runner.health import DEFAULT_DOWN_AFTER_SECONDS, PlatformHealth
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.limiter import AdaptiveLimiter
from evalkit.runner.metadata import now_timestamp
from evalkit.runner.patience import Patience

#: (job, actual output JSON, actual output files by name) -> comparison
Comparer = Callable[[ExampleJob, Any, dict[str, Path]], Comparison]

TERMINAL = frozenset({"completed", "failed", "cancelled", "rejected"})


@dataclass(frozen=True)
class RunSettings:
    run_id: str
    run_dir: Path
    timeout_seconds: float = 600.0
    #: seconds the platform may hold a run request open before the runner polls
    hold_seconds: int = 30
    feedback: bool = True
    max_start_attempts: int = 5
    #: ``--retries``: more attempts for an example that does not pass (see runner.retries)
    retries: int = 0
    #: extra ``_metadata`` on every agent run (manifest digest, git commit)
    labels: dict[str, str] = field(default_factory=dict)
    #: nothing answered for this long while calls fail: the platform is down (runner.health)
    down_after_seconds: float = DEFAULT_DOWN_AFTER_SECONDS


@dataclass
class RunContext:
    platform: PlatformCalls
    limiter: AdaptiveLimiter
    compare: Comparer
    settings: RunSettings
    health: PlatformHealth
    ledger: FeedbackLedger = field(default_factory=FeedbackLedger)


@dataclass
class ExampleState:
    """What is known about one example so far; the orchestrator reads it on Ctrl-C."""

    job: ExampleJob
    slot: float | None = None
    execution_id: str | None = None
    status: str | None = None
    attempts: int = 0
    attempt_tokens: list[str] = field(default_factory=list)
    adopted: bool = False
    started_at: str | None = None
    started_clock: float | None = None
    queued_ms: int = 0
    execution_ms: int | None = None
    compare_ms: int | None = None
    output_files: list[str] = field(default_factory=list)
    #: the output JSON, once read
    output: Any = None
    #: patient calls until the example's time limit (set when it starts)
    patience: Patience | None = None

    def mark_started(self, health: PlatformHealth, timeout_seconds: float) -> Patience:
        if self.started_clock is None:
            self.started_clock = time.perf_counter()
            self.started_at = now_timestamp()
        if self.patience is None:
            self.patience = Patience.for_seconds(health, timeout_seconds)
        return self.patience

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL


def patience_of(state: ExampleState, ctx: RunContext) -> Patience:
    """The example's patient calls: until its time limit, which runs from its start."""
    return state.mark_started(ctx.health, ctx.settings.timeout_seconds)
