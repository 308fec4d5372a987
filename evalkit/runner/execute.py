"""One example, start to finish: start, wait, read the output, compare, write back, record.

``run_example`` never raises for a problem of its example: every failure becomes an
``ExampleResult`` with an ``error``, so the run goes on. Only cancellation (Ctrl-C) passes
through; the orchestrator then records the example as cancelled.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from evalkit.client.errors import EigenpalError
from evalkit.runner.agent_run import find_orphan, run_agent
from evalkit.runner.feedback import render_body
from evalkit.runner.metadata import now_timestamp
from evalkit.runner.platform import execution_link
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
from evalkit.runner.state import ExampleState, RunContext
from evalkit.runner.workflow_run import run_workflow
from evalkit.runner.write_back import write_feedback

log = logging.getLogger(__name__)

#: how long cleanup calls (cancel, feedback after a timeout) may take
CLEANUP_SECONDS = 15.0


async def run_example(state: ExampleState, ctx: RunContext) -> ExampleResult:
    """Run one example within its time limit; the slot in ``state.slot`` is given back."""
    state.mark_started()
    success = False
    try:
        result = await asyncio.wait_for(_drive(state, ctx), ctx.settings.timeout_seconds)
        success = result.error is None or result.error.kind not in INFRASTRUCTURE_ERRORS
        return result
    except asyncio.TimeoutError:
        await cancel_on_platform(state, ctx)
        message = f"no result within {ctx.settings.timeout_seconds:g} s (--timeout)"
        if state.status == "cancelled":
            message += "; the execution was cancelled"
        error = ExampleError(kind=ErrorKind.TIMEOUT, message=message)
        feedback = await _bounded_feedback(state, ctx, Verdict.ERROR, None, None, error)
        return build_result(state, ctx, Verdict.ERROR, error=error, feedback=feedback)
    except Exception as err:  # a bug must not stop the run; it is kept as data
        log.exception("internal error on %s", state.job.label)
        error = ExampleError(kind=ErrorKind.INTERNAL, message=f"internal error: {err!r}")
        return build_result(state, ctx, Verdict.ERROR, error=error)
    finally:
        if state.slot is not None:
            slot, state.slot = state.slot, None
            await ctx.limiter.release(slot, success=success)


async def _drive(state: ExampleState, ctx: RunContext) -> ExampleResult:
    job = state.job
    runner = run_agent if job.kind == "agent" else run_workflow
    ran = await runner(state, ctx)
    if isinstance(ran, ExampleError):
        feedback = await write_feedback_for(state, ctx, Verdict.ERROR, None, None, ran)
        return build_result(state, ctx, Verdict.ERROR, error=ran, feedback=feedback)
    output, files = ran
    state.output = output
    began = time.perf_counter()
    comparison = await asyncio.to_thread(ctx.compare, job, output, files)
    state.compare_ms = _ms_since(began)
    feedback = await write_feedback_for(
        state, ctx, comparison.verdict, comparison.score, comparison.details, None
    )
    return build_result(
        state,
        ctx,
        comparison.verdict,
        score=comparison.score,
        comparison=comparison.details,
        feedback=feedback,
    )


async def write_feedback_for(
    state: ExampleState,
    ctx: RunContext,
    verdict: Verdict,
    score: float | None,
    details: dict[str, Any] | None,
    error: ExampleError | None,
) -> FeedbackRecord:
    """Write the verdict onto the execution (agents only, once per execution)."""
    if not ctx.settings.feedback or state.job.kind != "agent" or state.execution_id is None:
        return FeedbackRecord()
    if error is not None and error.kind in INFRASTRUCTURE_ERRORS:
        return FeedbackRecord()  # the platform is the problem: do not pile more calls on it
    body = render_body(
        verdict=verdict,
        score=score,
        example=state.job.name,
        run_id=ctx.settings.run_id,
        comparison=details,
        error=error,
    )
    return await write_feedback(
        ctx.platform, ctx.ledger, state.execution_id, state.job, verdict, body
    )


async def _bounded_feedback(
    state: ExampleState,
    ctx: RunContext,
    verdict: Verdict,
    score: float | None,
    details: dict[str, Any] | None,
    error: ExampleError,
) -> FeedbackRecord:
    try:
        return await asyncio.wait_for(
            write_feedback_for(state, ctx, verdict, score, details, error), CLEANUP_SECONDS
        )
    except asyncio.TimeoutError:
        return FeedbackRecord(error=f"feedback not written within {CLEANUP_SECONDS:g} s")


async def cancel_on_platform(state: ExampleState, ctx: RunContext) -> None:
    """Best effort: ask the platform to cancel the execution, if one was started. An agent
    run whose start answer never came (Ctrl-C or the time limit during the hold window) is
    found by its labels first."""
    if state.execution_id is None and state.job.kind == "agent":
        try:
            orphan = await asyncio.wait_for(find_orphan(state, ctx), CLEANUP_SECONDS)
        except asyncio.TimeoutError:
            orphan = None
        if orphan is not None:
            state.execution_id, state.status = orphan.id, orphan.status.value
    if state.execution_id is None or state.terminal:
        return
    cancel = (
        ctx.platform.cancel_agent if state.job.kind == "agent" else ctx.platform.cancel_workflow
    )
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
            link=execution_link(ctx.platform.base_url, job.kind, state.execution_id),
        )
    total_ms = _ms_since(state.started_clock) if state.started_clock is not None else 0
    return ExampleResult(
        run_id=ctx.settings.run_id,
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
        # Extra keys (see ExampleResult): the documents compared, for the reports.
        **_documents(job.expected_json if job.has_expected_json else None, state.output),
        **({"quarantined": True} if job.quarantined else {}),
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
