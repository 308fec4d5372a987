"""The shared pieces of a run: its context, and what is known about each example."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit.api import TERMINAL_STATUSES
from evalkit.compare.judges import JudgeBook
from evalkit.runner.calls import PlatformCalls
from evalkit.runner.comparing import Comparison
from evalkit.runner.config import RunConfig, RunIdentity
from evalkit.runner.feedback_write import FeedbackLedger
from evalkit.runner.health import PlatformHealth
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.judge_agents import Judging
from evalkit.runner.limiter import AdaptiveLimiter
from evalkit.runner.metadata import now_timestamp
from evalkit.runner.patience import Patience
from evalkit.runner.start_order import StartOrder

#: (job, actual output JSON, actual output files by name, the judge agents' judgements) ->
#: comparison (``comparing.compare_job``)
Comparer = Callable[[ExampleJob, Any, dict[str, Path], JudgeBook | None], Comparison]

#: the execution statuses that do not change any more (the API's, as strings)
TERMINAL = frozenset(status.value for status in TERMINAL_STATUSES)


@dataclass
class RunContext:
    calls: PlatformCalls
    limiter: AdaptiveLimiter
    compare: Comparer
    config: RunConfig
    identity: RunIdentity
    health: PlatformHealth
    ledger: FeedbackLedger = field(default_factory=FeedbackLedger)
    #: the judge agents ``judge:`` rules name, and their cache
    judging: Judging = field(default_factory=Judging)
    #: the starts owed: work after an execution ended waits for them (``runner.start_order``)
    starts: StartOrder = field(default_factory=StartOrder)
    #: what to do in a worker thread while the first executions are away: the imports the
    #: first comparison needs (``compare.walk.warm_up``)
    warm_up: Callable[[], object] | None = None


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
    #: what the platform reported the execution cost, and the model it says it used
    cost: dict[str, float | str] | None = None
    model: str | None = None
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
    return state.mark_started(ctx.health, ctx.config.timeout_seconds)
