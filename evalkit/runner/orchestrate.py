"""Running many examples at once, within the adaptive concurrency limit, losing none.

asyncio with the async client, rather than threads with the sync one: the work happens on
the platform, so the runner mostly waits; hundreds of waits cost one thread, the limiter is a
plain condition, and Ctrl-C can cancel every in-flight task at a known point (threads cannot
be cancelled at all).

Every selected example ends up recorded exactly once: finished ones as they finish; on Ctrl-C,
in-flight ones as ``cancelled`` (after their executions are cancelled on the platform) and
those not started yet as ``cancelled`` too; after an authentication failure or an unreachable
platform, those not started as errors, since every further call would fail the same way.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from evalkit.runner.attempt_plan import AttemptPlan
from evalkit.runner.costs import UsageTally
from evalkit.runner.execute import build_result, cancel_on_platform
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.repeats import combine
from evalkit.runner.results import (
    FATAL_ERRORS,
    INFRASTRUCTURE_ERRORS,
    Counts,
    ErrorKind,
    ExampleBrief,
    ExampleError,
    ExampleResult,
    Verdict,
    brief_of,
)
from evalkit.runner.retries import Tracked, run_with_retries
from evalkit.runner.state import ExampleState, RunContext

log = logging.getLogger(__name__)

OnResult = Callable[[ExampleResult], None]
OnStart = Callable[[ExampleJob], None]
#: an example cut short, with the attempts of it that ended (see ``run_examples``)
SoFar = Callable[[ExampleResult, ExampleJob], ExampleResult]


@dataclass
class RunTally:
    """What the orchestrator saw; enough for the summary without keeping whole results."""

    counts: Counts = field(default_factory=Counts)
    briefs: list[ExampleBrief] = field(default_factory=list)
    interrupted: bool = False
    #: why the run stopped starting examples (authentication refused, platform unreachable)
    fatal: ExampleError | None = None
    infrastructure_errors: int = 0
    #: attempts started; whether any example repeats, adaptively or not; and what every
    #: example at its most attempts would have started
    executions: int = 0
    repeated: bool = False
    adaptive: bool = False
    fixed_executions: int = 0
    #: examples --confirm left undecided when --max-executions ran out
    undecided: set[tuple[str, str, str]] = field(default_factory=set)
    #: each agent's platform times and reported costs
    usage: UsageTally = field(default_factory=UsageTally)

    def add(self, result: ExampleResult) -> None:
        self.counts.add(result.verdict)
        self.briefs.append(brief_of(result))
        self.usage.add(result)
        if result.error is not None and result.error.kind in INFRASTRUCTURE_ERRORS:
            self.infrastructure_errors += 1
            if result.error.kind in FATAL_ERRORS and self.fatal is None:
                self.fatal = result.error

    @property
    def mostly_infrastructure_errors(self) -> bool:
        """More than half of the examples hit platform or network errors."""
        return self.counts.total > 0 and self.infrastructure_errors * 2 > self.counts.total


async def run_examples(
    jobs: Sequence[ExampleJob],
    ctx: RunContext,
    record: OnResult,
    *,
    on_start: OnStart | None = None,
    stop: asyncio.Event | None = None,
    plan: AttemptPlan | None = None,
) -> RunTally:
    """Run ``jobs``; ``record`` is called once per job, in completion order, when its last
    attempt has ended (``plan``: how many attempts each gets; one by default).

    Setting ``stop`` (the CLI does on SIGINT) interrupts the run: see the module docstring.
    """
    plan = plan or AttemptPlan(policy_of={})
    tally = RunTally()
    in_flight: dict[asyncio.Task[ExampleResult], Tracked] = {}
    recorded: set[tuple[str, str, str]] = set()
    #: attempts started but not ended, and attempts ended, per example
    running: dict[tuple[str, str, str], int] = {}
    ended: dict[tuple[str, str, str], list[ExampleResult]] = {}
    to_start: deque[ExampleJob] = deque()
    started: set[tuple[str, str, str]] = set()

    def _so_far(result: ExampleResult, job: ExampleJob) -> ExampleResult:
        """An example cut short keeps the attempts that ended: judged by its rule when it was
        not cancelled, else listed beside the cancellation."""
        done = ended.get(job.key, [])
        if not done:
            return result
        policy = plan.policy(job)
        judged = combine(
            done,
            replace(policy, times=max(2, policy.times)),
            confidence=ctx.config.confidence_level,
        )
        if result.verdict is Verdict.CANCELLED:
            return result.model_copy(update={"repeats": judged.repeats})
        return judged

    def keep(result: ExampleResult) -> None:
        if result.key in recorded:  # cannot happen by design; guards the exactly-once promise
            log.error("example %s/%s recorded twice; second ignored", result.agent, result.example)
            return
        recorded.add(result.key)
        tally.add(result)
        record(result)

    def on_done(task: asyncio.Task[ExampleResult]) -> None:
        tracked = in_flight.pop(task, None)
        if tracked is None or task.cancelled():
            return
        job = tracked.state.job
        results = ended.setdefault(job.key, [])
        results.append(task.result())
        running[job.key] -= 1
        if running[job.key] > 0:
            return
        more = plan.more(job, results) if tally.fatal is None else 0
        if more:
            running[job.key] += more
            to_start.extend([job] * more)
            ctx.starts.to_start(True)
        else:
            keep(combine(results, plan.policy(job), confidence=ctx.config.confidence_level))

    warming: asyncio.Task[None] | None = None

    async def launch_all() -> None:
        nonlocal warming
        for job in jobs:
            count = plan.first(job)
            running[job.key] = count
            to_start.extend([job] * count)
        while to_start or in_flight:
            if tally.fatal is not None:
                break
            if warming is None and (not to_start or not ctx.limiter.free()):
                # the first starts are out: the run waits for the platform now
                warming = asyncio.create_task(_warm_up(ctx))
            if not to_start:
                # Each attempt's done callback runs before this wait returns (callbacks run
                # in the order they were added), so any attempt it adds is queued by then.
                await asyncio.wait(list(in_flight), return_when=asyncio.FIRST_COMPLETED)
                continue
            job = to_start.popleft()
            state = ExampleState(job)
            queued = time.perf_counter()
            state.slot = await ctx.limiter.acquire()
            ctx.starts.owe(state)
            ctx.starts.to_start(bool(to_start))
            state.queued_ms = round((time.perf_counter() - queued) * 1000)
            if on_start is not None and job.key not in started:
                started.add(job.key)
                on_start(job)
            tracked = Tracked(state)
            task = asyncio.create_task(
                run_with_retries(tracked, ctx, ctx.config.retries), name=job.label
            )
            in_flight[task] = tracked
            tally.executions += 1
            task.add_done_callback(on_done)
        while in_flight:
            await asyncio.wait(list(in_flight))

    if stop is not None and stop.is_set():  # before the first start (Ctrl-C during the sync)
        tally.interrupted = True
    else:
        launcher = asyncio.create_task(launch_all())
        stopper = asyncio.create_task(stop.wait()) if stop is not None else None
        try:
            waiting: set[asyncio.Future[object]] = {launcher}  # type: ignore[arg-type]
            if stopper is not None:
                waiting.add(stopper)  # type: ignore[arg-type]
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            if not launcher.done():
                tally.interrupted = True
                await _interrupt(launcher, in_flight, ctx, keep, _so_far)
            else:
                launcher.result()  # a bug in the launcher itself should not pass silently
        finally:
            if stopper is not None:
                stopper.cancel()
            if warming is not None:  # (a run shorter than the warm-up: its thread just ends)
                warming.cancel()
                await asyncio.gather(warming, return_exceptions=True)
    _record_unstarted(jobs, recorded, ctx, keep, tally, _so_far)
    policies = [plan.policy(job) for job in jobs]
    tally.repeated = any(policy.repeated for policy in policies)
    tally.adaptive = any(policy.adaptive_max is not None for policy in policies)
    tally.fixed_executions = sum(policy.most_attempts for policy in policies)
    tally.undecided = set(plan.undecided)
    return tally


async def _warm_up(ctx: RunContext) -> None:
    """``ctx.warm_up`` in a worker thread, once the starts owed are sent (it must not delay
    them); a failure is only logged (the comparison that needs it will say)."""
    if ctx.warm_up is None:
        return
    await ctx.starts.clear()
    try:
        await asyncio.to_thread(ctx.warm_up)
    except Exception:
        log.debug("warm-up failed", exc_info=True)


async def _interrupt(
    launcher: asyncio.Task[None],
    in_flight: dict[asyncio.Task[ExampleResult], Tracked],
    ctx: RunContext,
    keep: OnResult,
    so_far: SoFar,
) -> None:
    """Stop launching, cancel the tasks, then the executions they started, and record them."""
    launcher.cancel()
    tasks = list(in_flight.items())
    for task, _ in tasks:
        task.cancel()
    await asyncio.gather(launcher, *(task for task, _ in tasks), return_exceptions=True)
    # Read after the tasks ended: a retry may have replaced the attempt in flight.
    cancelled = [tracked.state for task, tracked in tasks if task.cancelled()]
    await asyncio.gather(*(cancel_on_platform(state, ctx) for state in cancelled))
    for state in cancelled:
        if state.slot is not None:
            await ctx.limiter.release(state.slot)
            state.slot = None
    by_example: dict[tuple[str, str, str], ExampleState] = {}
    for state in cancelled:  # one record per example, whatever its attempts in flight
        by_example.setdefault(state.job.key, state)
    for state in by_example.values():
        message = "interrupted (Ctrl-C)"
        if state.execution_id is not None:
            message += "; the execution was cancelled on the platform"
        error = ExampleError(kind=ErrorKind.CANCELLED, message=message)
        keep(so_far(build_result(state, ctx, Verdict.CANCELLED, error=error), state.job))


def _record_unstarted(
    jobs: Sequence[ExampleJob],
    recorded: set[tuple[str, str, str]],
    ctx: RunContext,
    keep: OnResult,
    tally: RunTally,
    so_far: SoFar,
) -> None:
    for job in jobs:
        if job.key in recorded:
            continue
        state = ExampleState(job)
        if tally.interrupted:
            error = ExampleError(kind=ErrorKind.CANCELLED, message="not started: interrupted")
            keep(so_far(build_result(state, ctx, Verdict.CANCELLED, error=error), job))
        else:
            fatal = tally.fatal or ExampleError(kind=ErrorKind.INTERNAL, message="not started")
            error = ExampleError(kind=fatal.kind, message=f"not started: {fatal.message}")
            keep(so_far(build_result(state, ctx, Verdict.ERROR, error=error), job))
