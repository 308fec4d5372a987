"""Running one workflow example: start, poll until it ends, hand back its ``result``.

Workflow suites compare the workflow's ``result`` JSON; workflows have no output files and no
feedback endpoint in the v1 API, so nothing is written back.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from evalkit.client.errors import EigenpalError, EigenpalRateLimitError
from evalkit.runner.agent_run import hold_for, release_slot
from evalkit.runner.outcomes import error_from_api, error_from_status
from evalkit.runner.patience import outlast_rate_limits
from evalkit.runner.results import ErrorKind, ExampleError
from evalkit.runner.state import TERMINAL, ExampleState, RunContext

#: the platform holds a workflow run at most 60 s (contract A3)
MAX_WORKFLOW_HOLD_SECONDS = 60
FIRST_POLL_SECONDS = 0.25
POLL_GROWTH = 1.5
MAX_POLL_SECONDS = 2.0

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
    hold = min(hold_for(state, ctx), MAX_WORKFLOW_HOLD_SECONDS)
    while True:
        state.attempts += 1
        try:
            started = await ctx.platform.start_workflow(
                job.target, inputs, version=job.version, hold_seconds=hold
            )
            break
        except EigenpalRateLimitError as err:
            slot, state.slot = state.slot, None
            await ctx.limiter.rate_limited(slot, err.retry_after)
            state.slot = await ctx.limiter.acquire()
        except EigenpalError as err:
            return error_from_api(err, "starting the workflow run")
    state.execution_id = started.execution_id
    state.status = started.status.value if started.status else None
    result, error = started.result, started.error
    delay = FIRST_POLL_SECONDS
    try:
        while state.status not in TERMINAL:
            await asyncio.sleep(delay)
            delay = min(delay * POLL_GROWTH, MAX_POLL_SECONDS)
            current = await outlast_rate_limits(
                lambda: ctx.platform.get_workflow_execution(started.execution_id)
            )
            state.status = current.status.value
            result, error = current.result, current.error
    except EigenpalError as err:
        return error_from_api(err, "waiting for the workflow execution")
    await release_slot(state, ctx)
    ended_badly = error_from_status(state.status or "", error)
    if ended_badly is not None:
        return ended_badly
    return result, {}
