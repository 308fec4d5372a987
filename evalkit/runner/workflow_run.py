"""Running one workflow example: start, poll until it ends, hand back its ``result``.

Workflow suites compare the workflow's ``result`` JSON; workflows have no output files and no
feedback endpoint in the v1 API, so nothing is written back.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from evalkit.client.errors import EigenpalError, EigenpalRateLimitError
from evalkit.client.wait import poll_delays
from evalkit.runner.agent_run import hold_for, read_failed, release_slot
from evalkit.runner.failures import error_from_api, error_from_status
from evalkit.runner.patience import is_transient
from evalkit.runner.results import ErrorKind, ExampleError
from evalkit.runner.state import TERMINAL, ExampleState, RunContext, patience_of

#: the platform holds a workflow run at most 60 s (contract A3)
MAX_WORKFLOW_HOLD_SECONDS = 60

Ran = tuple[Any, dict[str, Path]]


async def run_workflow(state: ExampleState, ctx: RunContext) -> ExampleError | Ran:
    job = state.job
    if job.expected_files:
        return ExampleError(
            kind=ErrorKind.INPUT,
            message="workflow examples cannot expect output files (workflows return JSON only)",
        )
    inputs: dict[str, Any] = {**job.input_json, **job.input_files}
    if state.slot is None:
        state.slot = await ctx.limiter.acquire()
        ctx.starts.owe(state)
    hold = min(hold_for(state, ctx), MAX_WORKFLOW_HOLD_SECONDS)
    while True:
        state.attempts += 1
        try:
            with ctx.starts.sending(state):
                started = await ctx.calls.start_workflow(
                    job.platform_name, inputs, version=job.version, hold_seconds=hold
                )
            break
        except EigenpalRateLimitError as err:
            ctx.health.answered()
            slot, state.slot = state.slot, None
            await ctx.limiter.rate_limited(slot, err.retry_after)
            state.slot = await ctx.limiter.acquire()
            ctx.starts.owe(state)
        except EigenpalError as err:
            # Not started again: a workflow run carries no labels to find it by, should the
            # platform have started it anyway.
            if is_transient(err):
                ctx.health.failed(err)
            return error_from_api(err, "starting the workflow run")
    ctx.health.answered()
    state.execution_id = started.execution_id
    state.status = started.status.value if started.status else None
    result, error = started.result, started.error
    patience = patience_of(state, ctx)
    delays = poll_delays()
    try:
        while state.status not in TERMINAL:
            await asyncio.sleep(next(delays))
            current = await patience.call(
                lambda: ctx.calls.get_workflow_execution(started.execution_id)
            )
            state.status = current.status.value
            result, error = current.result, current.error
    except EigenpalError as err:
        return read_failed(err, "waiting for the workflow execution", patience)
    await release_slot(state, ctx)
    ended_badly = error_from_status(state.status or "", error)
    if ended_badly is not None:
        return ended_badly
    return result, {}
