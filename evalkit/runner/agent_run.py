"""Running one agent example on the platform: start (with retries), wait, read the output.

Starting a run is not idempotent: when the answer to a start is lost (dropped connection,
timeout, 5xx other than 503) the platform may have started the execution anyway. Before
starting again, the runner looks for it by its labels (``batchId``, ``exampleName``) and
adopts it when its ``_metadata`` carries one of this example's attempt tokens. A server that
ignores the labels makes the lookup find nothing of ours, and the runner simply starts again.

Every read after the start (polls, the execution, output downloads, that lookup) is patient
(``runner.patience``): one failure too many must not turn an execution that completed into an
error. A refused connection is started again too (nothing was sent), but only once the
platform has answered this run; before that, it is unreachable and the run stops.
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
from evalkit.client.wait import poll_delays
from evalkit.runner import labels as run_labels
from evalkit.runner.costs import cost_figures
from evalkit.runner.failures import (
    error_from_api,
    error_from_status,
    is_ambiguous_start_failure,
    is_retryable_start_failure,
    never_sent,
)
from evalkit.runner.health import PlatformDown
from evalkit.runner.patience import Patience
from evalkit.runner.results import OUTPUT_FILES_FOLDER, ErrorKind, ExampleError
from evalkit.runner.state import ExampleState, RunContext, patience_of
from evalkit.safe_paths import UnsafePath, join_inside, shown

log = logging.getLogger(__name__)

#: pause before re-starting after a 5xx or a connection failure (the client already retried)
START_BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0, 8.0)
#: the most output files one execution may list: each is a download (a request, a file)
MAX_OUTPUT_FILES = 10_000

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
    if state.terminal:  # held until it ended: the answer carries the cost (contract A3)
        state.cost = cost_figures(started.cost)
    try:
        execution = await _wait(state, ctx, started.execution_id)
    except EigenpalError as err:
        return read_failed(err, "waiting for the execution", patience_of(state, ctx))
    files = await _finish(state, ctx, execution)
    if isinstance(files, ExampleError):
        return files
    return execution.output, files


def read_failed(err: EigenpalError, doing: str, patience: Patience) -> ExampleError:
    """A read that failed for good: its last failure, and how long it was tried."""
    return error_from_api(err, doing + patience.note())


async def _wait(state: ExampleState, ctx: RunContext, execution_id: str) -> AgentExecutionSummary:
    """Poll until the execution ends (0.25 s growing to 2 s between polls), each poll patient
    with failures that may pass; then the slot goes to the next example. A start held until
    the end gives the slot back before the read: the platform is done with the execution, and
    the read (for its files and times) must not keep the next example waiting."""
    patience = patience_of(state, ctx)
    if state.terminal:
        await release_slot(state, ctx)
    delays = poll_delays()
    while True:
        execution = await patience.call(lambda: ctx.calls.get_agent_execution(execution_id))
        state.status = execution.status.value
        if state.terminal:
            await release_slot(state, ctx)
            return execution
        await asyncio.sleep(next(delays))


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
    config, identity, health = ctx.config, ctx.identity, ctx.health
    patience = patience_of(state, ctx)
    # 429s count nowhere: the limiter paces them, the time limit bounds them. Refused
    # connections do not count as attempts either (nothing was sent): the circuit bounds them.
    failures = 0
    pauses = 0
    while True:
        if state.slot is None:
            state.slot = await ctx.limiter.acquire()
            ctx.starts.owe(state)
        try:
            health.check()
        except PlatformDown as down:
            return error_from_api(down, _starting(state))
        state.attempts += 1
        token = f"{identity.run_id}.{secrets.token_hex(6)}"
        state.attempt_tokens.append(token)
        metadata = {
            **identity.labels,
            run_labels.BATCH: identity.run_id,
            run_labels.EXAMPLE_NAME: state.job.name,
            run_labels.ATTEMPT: token,
        }
        try:
            with ctx.starts.sending(state):
                started = await ctx.calls.start_agent(
                    state.job.platform_name,
                    inputs,
                    hold_seconds=hold_for(state, ctx),
                    metadata=metadata,
                )
        except EigenpalRateLimitError as err:
            health.answered()
            slot, state.slot = state.slot, None
            await ctx.limiter.rate_limited(slot, err.retry_after)
            continue
        except EigenpalError as err:
            if not is_retryable_start_failure(err):
                health.answered()
                return error_from_api(err, _starting(state))
            health.failed(err)
            if never_sent(err):
                if not health.ever_answered:
                    return error_from_api(err, _starting(state))  # unreachable: the run stops
            else:
                failures += 1
                if failures >= config.max_start_attempts:
                    return error_from_api(err, _starting(state))
                if is_ambiguous_start_failure(err):
                    try:
                        orphan = await find_orphan(state, ctx, patience)
                    except EigenpalError as lookup:
                        return read_failed(lookup, "looking for a lost start's execution", patience)
                    if orphan is not None:
                        state.adopted = True
                        log.info("adopted %s of %s after a lost answer", orphan.id, state.job.label)
                        return RunAgentResponse(execution_id=orphan.id, status=orphan.status)
            log.info("retrying start of %s after: %s", state.job.label, err)
            health.repeated += 1
            pauses += 1
            await health.pause(START_BACKOFF_SECONDS[min(pauses, len(START_BACKOFF_SECONDS)) - 1])
        else:
            health.answered()
            return started


def _starting(state: ExampleState) -> str:
    doing = "starting the run"
    if state.attempts > 1:
        doing += f" ({state.attempts} attempts)"
    return doing


async def release_slot(state: ExampleState, ctx: RunContext) -> None:
    """The execution ended: its slot goes to the next example now, and this one's output is
    read, compared and written back once that example's start is sent and the executions
    ending with this one are answered (``start_order``), so the platform stays busy."""
    if state.slot is not None:
        slot, state.slot = state.slot, None
        ctx.starts.ended()
        await ctx.limiter.release(slot, success=True)
        await ctx.starts.after_release()


def hold_for(state: ExampleState, ctx: RunContext) -> int:
    """Seconds the platform may hold the start request: never so long that the time limit
    runs out before the execution id is known (a second is kept to cancel it)."""
    elapsed = time.perf_counter() - (state.started_clock or time.perf_counter())
    left = ctx.config.timeout_seconds - elapsed - 1.0
    return max(0, min(ctx.config.hold_seconds, math.floor(left)))


async def find_orphan(
    state: ExampleState, ctx: RunContext, patience: Patience
) -> AgentExecutionSummary | None:
    """The execution one of this example's start attempts created, found by its labels,
    when the answer carrying its id was lost (or never came: Ctrl-C during a hold). A lookup
    that fails raises: starting again without knowing could run the example twice."""
    if not state.attempt_tokens:
        return None
    found = await patience.call(
        lambda: ctx.calls.find_agent_executions(
            state.job.platform_name, batch_id=ctx.identity.run_id, example_name=state.job.name
        )
    )
    ours = [e for e in found if (e.metadata or {}).get(run_labels.ATTEMPT) in state.attempt_tokens]
    return ours[0] if ours else None


async def _finish(
    state: ExampleState, ctx: RunContext, execution: AgentExecutionSummary
) -> ExampleError | dict[str, Path]:
    """After the execution ended: its error, or its output files downloaded to the run dir."""
    state.status = execution.status.value
    state.execution_ms = _platform_ms(execution.started_at, execution.completed_at)
    state.model = execution.model or None
    if state.cost is None:  # not held to the end: a platform may say it on the execution
        state.cost = cost_figures((execution.model_extra or {}).get("cost"))
    ended_badly = error_from_status(execution.status.value, execution.error)
    if ended_badly is not None:
        return ended_badly
    folder = (OUTPUT_FILES_FOLDER, state.job.suite, state.job.name)
    names = [info.name for info in execution.result_files or []]
    destinations = output_destinations(ctx.identity.run_dir, folder, names)
    if isinstance(destinations, ExampleError):
        return destinations
    patience = patience_of(state, ctx)
    for name, destination in destinations.items():
        try:
            await patience.call(
                functools.partial(ctx.calls.download_output, execution.id, name, destination)
            )
        except EigenpalError as err:
            return read_failed(err, f"downloading output file {shown(name)}", patience)
        state.output_files.append(destination.relative_to(ctx.identity.run_dir).as_posix())
    return destinations


def output_destinations(
    root: Path, folder: tuple[str, ...], names: list[str]
) -> ExampleError | dict[str, Path]:
    """Where each listed output file goes below ``root``/``folder``, checked before any is
    downloaded (a hostile list costs nothing): at most ``MAX_OUTPUT_FILES``, each name safe,
    listed once, and none both a file and another's folder (``a`` and ``a/b``); else an
    ``output`` error naming the problem."""
    if len(names) > MAX_OUTPUT_FILES:
        return _refused(
            f"the execution lists {len(names)} output files; evalkit downloads at most "
            f"{MAX_OUTPUT_FILES} per example"
        )
    destinations: dict[str, Path] = {}
    for name in names:
        if name in destinations:
            return _refused(f"{shown(name)} is listed twice by the execution")
        try:
            destinations[name] = join_inside(root, *folder, name)
        except UnsafePath as err:
            return _refused(str(err))
    folders = {parent for destination in destinations.values() for parent in destination.parents}
    for name, destination in destinations.items():
        if destination in folders:
            return _refused(
                f"{shown(name)} is listed both as a file and as a folder of other output files"
            )
    return destinations


def _refused(problem: str) -> ExampleError:
    return ExampleError(kind=ErrorKind.OUTPUT, message=f"output file refused: {problem}")


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
