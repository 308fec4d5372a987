"""Running one agent example on the platform: start (with retries), wait, read the output.

Starting a run is not idempotent: when the answer to a start is lost (dropped connection,
timeout, 5xx other than 503) the platform may have started the execution anyway. Before
starting again, the runner looks for it by its labels (``batchId``, ``exampleName``) and
adopts it when its ``_metadata`` carries one of this example's attempt tokens. A server that
ignores the labels makes the lookup find nothing of ours, and the runner simply starts again.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import secrets
import time
from pathlib import Path
from typing import Any

from evalkit.api import AgentExecutionSummary, ExecutionStatus, RunAgentResponse, parse_timestamp
from evalkit.client.errors import EigenpalError, EigenpalRateLimitError
from evalkit.runner.outcomes import (
    error_from_api,
    error_from_status,
    is_ambiguous_start_failure,
    is_retryable_start_failure,
)
from evalkit.runner.patience import outlast_rate_limits
from evalkit.runner.results import ErrorKind, ExampleError
from evalkit.runner.safe_paths import UnsafePath, safe_join
from evalkit.runner.state import TERMINAL, ExampleState, RunContext

log = logging.getLogger(__name__)

#: pause before re-starting after a 5xx or a connection failure (the client already retried)
START_BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0, 8.0)
ATTEMPT_KEY = "evalkitAttempt"

Ran = tuple[Any, dict[str, Path]]


async def run_agent(state: ExampleState, ctx: RunContext) -> ExampleError | Ran:
    """The output JSON and downloaded output files, or why there are none."""
    inputs = _inputs(state)
    if isinstance(inputs, ExampleError):
        return inputs
    started = await _start(state, ctx, inputs)
    if isinstance(started, ExampleError):
        return started
    state.execution_id = started.execution_id
    state.status = _status_text(started.status)
    try:
        if state.status not in TERMINAL:
            await outlast_rate_limits(
                lambda: ctx.platform.wait_agent(
                    started.execution_id, timeout_seconds=ctx.settings.timeout_seconds
                )
            )
        await release_slot(state, ctx)
        execution = await outlast_rate_limits(
            lambda: ctx.platform.get_agent_execution(started.execution_id)
        )
    except EigenpalError as err:
        return error_from_api(err, "waiting for the execution")
    files = await _finish(state, ctx, execution)
    if isinstance(files, ExampleError):
        return files
    return execution.output, files


def _inputs(state: ExampleState) -> ExampleError | dict[str, Any]:
    job = state.job
    for input_field, path in job.input_files.items():
        if not path.is_file():
            return ExampleError(
                kind=ErrorKind.INPUT,
                message=f"input file for {input_field!r} not found: {path}",
            )
    return {**job.input_json, **job.input_files}


async def _start(
    state: ExampleState, ctx: RunContext, inputs: dict[str, Any]
) -> ExampleError | RunAgentResponse:
    settings = ctx.settings
    failures = 0  # 429s do not count: the limiter paces them, the time limit bounds them
    while True:
        if state.slot is None:
            state.slot = await ctx.limiter.acquire()
        state.attempts += 1
        token = f"{settings.run_id}.{secrets.token_hex(6)}"
        state.attempt_tokens.append(token)
        metadata = {
            **settings.labels,
            "batchId": settings.run_id,
            "exampleName": state.job.name,
            ATTEMPT_KEY: token,
        }
        try:
            return await ctx.platform.start_agent(
                state.job.target, inputs, hold_seconds=hold_for(state, ctx), metadata=metadata
            )
        except EigenpalRateLimitError as err:
            slot, state.slot = state.slot, None
            await ctx.limiter.rate_limited(slot, err.retry_after)
        except EigenpalError as err:
            failures += 1
            if not is_retryable_start_failure(err) or failures >= settings.max_start_attempts:
                doing = "starting the run"
                if state.attempts > 1:
                    doing += f" ({state.attempts} attempts)"
                return error_from_api(err, doing)
            if is_ambiguous_start_failure(err):
                orphan = await find_orphan(state, ctx)
                if orphan is not None:
                    state.adopted = True
                    log.info("adopted %s of %s after a lost answer", orphan.id, state.job.label)
                    return RunAgentResponse(execution_id=orphan.id, status=orphan.status)
            log.info("retrying start of %s after: %s", state.job.label, err)
            await asyncio.sleep(
                START_BACKOFF_SECONDS[min(failures, len(START_BACKOFF_SECONDS)) - 1]
            )


async def release_slot(state: ExampleState, ctx: RunContext) -> None:
    """The execution ended: its slot goes to the next example now, while this one's output
    is read, compared and written back (cheap calls), so the platform stays busy."""
    if state.slot is not None:
        slot, state.slot = state.slot, None
        await ctx.limiter.release(slot, success=True)


def hold_for(state: ExampleState, ctx: RunContext) -> int:
    """Seconds the platform may hold the start request: never so long that the time limit
    runs out before the execution id is known (a second is kept to cancel it)."""
    elapsed = time.perf_counter() - (state.started_clock or time.perf_counter())
    left = ctx.settings.timeout_seconds - elapsed - 1.0
    return max(0, min(ctx.settings.hold_seconds, math.floor(left)))


async def find_orphan(state: ExampleState, ctx: RunContext) -> AgentExecutionSummary | None:
    """The execution one of this example's start attempts created, found by its labels,
    when the answer carrying its id was lost (or never came: Ctrl-C during a hold)."""
    if not state.attempt_tokens:
        return None
    try:
        found = await ctx.platform.find_agent_executions(
            state.job.target, batch_id=ctx.settings.run_id, example_name=state.job.name
        )
    except EigenpalError as err:
        log.info("could not look for an orphan execution of %s: %s", state.job.label, err)
        return None
    ours = [e for e in found if (e.metadata or {}).get(ATTEMPT_KEY) in state.attempt_tokens]
    return ours[0] if ours else None


async def _finish(
    state: ExampleState, ctx: RunContext, execution: AgentExecutionSummary
) -> ExampleError | dict[str, Path]:
    """After the execution ended: its error, or its output files downloaded to the run dir."""
    state.status = execution.status.value
    state.execution_ms = _platform_ms(execution.started_at, execution.completed_at)
    ended_badly = error_from_status(execution.status.value, execution.error)
    if ended_badly is not None:
        return ended_badly
    folder = ("files", state.job.suite, state.job.name)
    files: dict[str, Path] = {}
    for info in execution.result_files or []:
        try:
            target = safe_join(ctx.settings.run_dir, *folder, info.name)
        except UnsafePath as err:
            return ExampleError(kind=ErrorKind.OUTPUT, message=f"output file refused: {err}")
        try:
            await outlast_rate_limits(
                functools.partial(ctx.platform.download_output, execution.id, info.name, target)
            )
        except EigenpalError as err:
            return error_from_api(err, f"downloading output file {info.name!r}")
        files[info.name] = target
        state.output_files.append(target.relative_to(ctx.settings.run_dir).as_posix())
    return files


def _status_text(status: ExecutionStatus | str | None) -> str | None:
    return status.value if isinstance(status, ExecutionStatus) else status


def _platform_ms(started: str | None, completed: str | None) -> int | None:
    if not started or not completed:
        return None
    try:
        delta = parse_timestamp(completed) - parse_timestamp(started)
    except ValueError:
        return None
    return round(delta.total_seconds() * 1000)
