"""One example, start to finish: start, wait, read the output, compare, write back, record.

``run_example`` never raises for a problem of its example: every failure becomes an
``ExampleResult`` with an ``error``, so the run goes on. Only cancellation (Ctrl-C) passes
through; the orchestrator then records the example as cancelled.

The time limit (``--timeout``) bounds getting the verdict: start, wait, read, compare. The
feedback write comes after it, so that a verdict obtained is never lost to the clock: it
gets what is left of the time limit, and at least ``FEEDBACK_MIN_SECONDS`` (or the whole
time limit, when that is shorter).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from evalkit.client.errors import EigenpalError
from evalkit.runner.agent_run import find_orphan, run_agent
from evalkit.runner.calls import execution_link
from evalkit.runner.feedback_body import render_body
from evalkit.runner.feedback_write import write_feedback
from evalkit.runner.judging import compare_with_judges
from evalkit.runner.metadata import now_timestamp
from evalkit.runner.patience import Patience
from evalkit.runner.results import (
    INFRASTRUCTURE_ERRORS,
    Durations,
    ErrorKind,
    ExampleError,
    ExampleResult,
    ExecutionRef,
    FeedbackRecord,
    Verdict,
)
from evalkit.runner.state import ExampleState, RunContext, patience_of
from evalkit.runner.workflow_run import run_workflow

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Python 3.11+: a time limit on work done in the task itself (None before)
_TIMEOUT = getattr(asyncio, "timeout", None)

#: how long cleanup calls (cancel, feedback after a timeout) may take
CLEANUP_SECONDS = 15.0
#: the feedback write of a verdict obtained near the time limit still gets this long
FEEDBACK_MIN_SECONDS = 30.0


@dataclass(frozen=True)
class Judged:
    """What the example came to, before the write-back."""

    verdict: Verdict
    score: float | None = None
    details: dict[str, Any] | None = None
    error: ExampleError | None = None


async def run_example(state: ExampleState, ctx: RunContext) -> ExampleResult:
    """Run one example within its time limit; the slot in ``state.slot`` is given back."""
    patience = patience_of(state, ctx)
    success = False
    try:
        try:
            judged = await within(ctx.config.timeout_seconds, _judge(state, ctx))
            least = min(FEEDBACK_MIN_SECONDS, ctx.config.timeout_seconds)
            feedback_seconds = max(patience.until - ctx.health.now(), least)
        except asyncio.TimeoutError:
            judged = Judged(Verdict.ERROR, error=await _timed_out(state, ctx, patience))
            feedback_seconds = CLEANUP_SECONDS
        success = judged.error is None or judged.error.kind not in INFRASTRUCTURE_ERRORS
        await ctx.starts.clear()
        feedback = await write_feedback_for(state, ctx, judged, feedback_seconds)
        return build_result(
            state,
            ctx,
            judged.verdict,
            score=judged.score,
            comparison=judged.details,
            error=judged.error,
            feedback=feedback,
        )
    except Exception as err:  # a bug must not stop the run; it is kept as data
        log.exception("internal error on %s", state.job.label)
        error = ExampleError(kind=ErrorKind.INTERNAL, message=f"internal error: {err!r}")
        return build_result(state, ctx, Verdict.ERROR, error=error)
    finally:
        ctx.starts.paid(state)  # one that never got as far as its start owes none
        if state.slot is not None:
            slot, state.slot = state.slot, None
            await ctx.limiter.release(slot, success=success)


async def within(seconds: float, work: Coroutine[Any, Any, T]) -> T:
    """``work``, done within ``seconds`` or stopped with ``TimeoutError``.

    Done in the calling task where Python can (3.11+): ``asyncio.wait_for`` runs it in a task
    of its own, whose first step waits behind every task ready to run. For an example just
    given a slot, that was one more wait, as long as a wave of finished examples, before its
    start went out; and one task more per example to make and run."""
    if _TIMEOUT is None:
        return await asyncio.wait_for(work, seconds)
    async with _TIMEOUT(seconds):
        return await work


async def _timed_out(state: ExampleState, ctx: RunContext, patience: Patience) -> ExampleError:
    await cancel_on_platform(state, ctx)
    message = f"no result within {ctx.config.timeout_seconds:g} s (--timeout)"
    if state.status == "cancelled":
        message += "; the execution was cancelled"
    if patience.streak and patience.last_failure is not None:
        message += f"; the platform kept failing{patience.note()}: {patience.last_failure}"
    return ExampleError(kind=ErrorKind.TIMEOUT, message=message)


async def _judge(state: ExampleState, ctx: RunContext) -> Judged:
    job = state.job
    runner = run_agent if job.kind == "agent" else run_workflow
    ran = await runner(state, ctx)
    if isinstance(ran, ExampleError):
        return Judged(Verdict.ERROR, error=ran)
    output, files = ran
    state.output = output
    await ctx.starts.clear()
    began = time.perf_counter()
    comparison = await compare_with_judges(state, ctx, output, files)
    state.compare_ms = _ms_since(began)
    return Judged(comparison.verdict, comparison.score, comparison.details, comparison.error)


async def write_feedback_for(
    state: ExampleState, ctx: RunContext, judged: Judged, seconds: float
) -> FeedbackRecord:
    """Write the verdict onto the execution (agents only, once per execution), patiently for
    at most ``seconds``."""
    if not ctx.config.feedback or state.job.kind != "agent" or state.execution_id is None:
        return FeedbackRecord()
    error = judged.error
    if error is not None and error.kind in INFRASTRUCTURE_ERRORS:
        return FeedbackRecord()  # the platform is the problem: do not pile more calls on it
    body = render_body(
        verdict=judged.verdict,
        score=judged.score,
        example=state.job.name,
        run_id=ctx.identity.run_id,
        comparison=judged.details,
        error=error,
    )
    record = FeedbackRecord()
    patience = Patience.for_seconds(ctx.health, seconds)
    write = write_feedback(
        ctx.calls,
        ctx.ledger,
        state.execution_id,
        state.job,
        judged.verdict,
        body,
        patience,
        record,
    )
    try:
        # The patience gives up before this; it bounds one call that hangs.
        return await within(seconds + CLEANUP_SECONDS, write)
    except asyncio.TimeoutError:
        record.error = f"feedback not written within {seconds:g} s"
        return record


async def cancel_on_platform(state: ExampleState, ctx: RunContext) -> None:
    """Best effort: ask the platform to cancel the execution, if one was started. An agent
    run whose start answer never came (Ctrl-C or the time limit during the hold window) is
    found by its labels first."""
    if state.execution_id is None and state.job.kind == "agent":
        try:
            lookup = find_orphan(state, ctx, Patience.for_seconds(ctx.health, CLEANUP_SECONDS))
            orphan = await asyncio.wait_for(lookup, CLEANUP_SECONDS)
        except (EigenpalError, asyncio.TimeoutError) as err:
            log.info("could not look for the execution of %s: %s", state.job.label, err)
            orphan = None
        if orphan is not None:
            state.execution_id, state.status = orphan.id, orphan.status.value
    if state.execution_id is None or state.terminal:
        return
    cancel = ctx.calls.cancel_agent if state.job.kind == "agent" else ctx.calls.cancel_workflow
    try:
        await asyncio.wait_for(cancel(state.execution_id), CLEANUP_SECONDS)
        state.status = "cancelled"
    except (EigenpalError, asyncio.TimeoutError) as err:
        log.warning("could not cancel %s: %s", state.execution_id, err)


def build_result(
    state: ExampleState,
    ctx: RunContext,
    verdict: Verdict,
    *,
    score: float | None = None,
    comparison: dict[str, Any] | None = None,
    error: ExampleError | None = None,
    feedback: FeedbackRecord | None = None,
) -> ExampleResult:
    job = state.job
    execution = None
    if state.execution_id is not None:
        execution = ExecutionRef(
            id=state.execution_id,
            status=state.status or "unknown",
            link=execution_link(ctx.calls.base_url, job.kind, state.execution_id),
        )
    total_ms = _ms_since(state.started_clock) if state.started_clock is not None else 0
    return ExampleResult(
        run_id=ctx.identity.run_id,
        kind=job.kind,
        agent=job.suite,
        example=job.name,
        tags=list(job.tags),
        mark=job.mark,
        verdict=verdict,
        score=score,
        comparison=comparison,
        error=error,
        execution=execution,
        attempts=state.attempts,
        adopted=state.adopted,
        output_files=list(state.output_files),
        feedback=feedback or FeedbackRecord(),
        durations=Durations(
            total_ms=total_ms,
            queued_ms=state.queued_ms,
            execution_ms=state.execution_ms,
            compare_ms=state.compare_ms,
        ),
        started_at=state.started_at,
        finished_at=now_timestamp(),
        output_json_checked=job.has_expected_json,
        cost=state.cost,
        model=state.model,
        # Extra keys (see ExampleResult): the documents compared, for the reports.
        **_documents(job.expected_json if job.has_expected_json else None, state.output),
        **({"quarantined": True} if job.quarantined else {}),
        # only when there are some: results without the key read as before
        **({"notes": job.notes} if job.notes else {}),
    )


def _documents(expected: Any, actual: Any) -> dict[str, Any]:
    documents: dict[str, Any] = {}
    if expected is not None:
        documents["expected_json"] = expected
    if actual is not None:
        documents["actual_json"] = actual
    return documents


def _ms_since(began: float) -> int:
    return round((time.perf_counter() - began) * 1000)
