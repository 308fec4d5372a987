"""Judge agents in a run: the values ``judge:`` rules govern are graded by agents of the
manifest, through the same client and limiter as the examples, before the comparison reads
their judgements.

For an example whose rules name a judge, ``compare_with_judges`` compares once with the
judgements known (none at first): the comparison records the values it lacked a judgement
for (``JudgeBook.wanted``: the compare layer's own pointer matching found them, order-free
lists included). Each is judged, from the cache (``judge_cache``) or by running the judge
agent with ``{"rubric", "expected", "actual", "pointer", "input"}``, and the example is
compared again. An order-free list may pair its elements differently once the verdicts are
known, and so want more; after ``MAX_ROUNDS`` comparisons whatever is still lacking is an
``error``.

A judge execution takes a slot of the limiter like an example (the judged example gave its
own back when its execution ended), carries the run's labels and ``evalkitJudgement`` (the
example it judges; no ``exampleName``, so it is never taken for an example, by a baseline
rebuilt from the batch for one), and gets no feedback. A judge that fails, runs past its
``timeout``, or answers anything but the documented object makes the judged example an
``error`` (kind ``scorer``) with the answer shown; an answer is never a crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

from evalkit.client.errors import EigenpalError
from evalkit.client.wait import poll_delays
from evalkit.compare.judges import (
    ANSWER_SHAPE,
    JudgeAnswer,
    JudgeBook,
    Judgement,
    JudgeRequest,
    clip,
    judge_agents,
    read_answer,
)
from evalkit.runner import labels as run_labels
from evalkit.runner.agent_run import release_slot
from evalkit.runner.comparing import Comparison
from evalkit.runner.judge_agents import JudgeAgent, PendingJudgement
from evalkit.runner.judge_cache import cache_key
from evalkit.runner.patience import Patience
from evalkit.runner.state import TERMINAL, ExampleState, RunContext

log = logging.getLogger(__name__)

#: comparisons of one example at most: the first finds the values to judge
MAX_ROUNDS = 4
#: how long cancelling a judge execution may take
_CANCEL_SECONDS = 15.0


async def compare_with_judges(
    state: ExampleState, ctx: RunContext, output: Any, files: dict[str, Path]
) -> Comparison:
    """The example's comparison, its judge rules' values judged first (see the module)."""
    job = state.job
    if not judge_agents(job.compare):
        return await asyncio.to_thread(ctx.compare, job, output, files, None)
    await release_slot(state, ctx)  # judges take slots of their own
    book = JudgeBook(input=job.input_json)
    for _ in range(MAX_ROUNDS):
        comparison = await asyncio.to_thread(ctx.compare, job, output, files, book)
        wanted = list(book.wanted.values())
        if not wanted:
            break
        made = await asyncio.gather(*(_judgement(request, state, ctx) for request in wanted))
        for judgement in made:
            book.add(judgement)
    return comparison


async def _judgement(request: JudgeRequest, state: ExampleState, ctx: RunContext) -> Judgement:
    """One value judged: from the cache, from the same judgement being made, or by a run."""
    judging = ctx.judging
    agent = judging.agents.get(request.agent)
    if agent is None:
        return Judgement(request, problem="is not a judge this run knows (not in the manifest)")
    key = cache_key(agent.digest, request, state.job.input_json)
    pending = judging.pending.get(key)
    if pending is not None:
        await pending.done.wait()
        if pending.made is None:  # its maker was stopped: judge it here
            return await _judgement(request, state, ctx)
        made = pending.made
        # Shared, not judged again; a failure is no cached answer: it counts as failed.
        answered = made.answer is not None
        judging.counts.add(from_cache=answered, failed=not answered)
        return Judgement(request, made.answer, made.problem, made.execution_id, cached=answered)
    if judging.cache is not None and judging.read_cache:
        cached = judging.cache.read(key)
        if cached is not None:
            judging.counts.add(from_cache=True)
            return Judgement(request, cached.answer, None, cached.execution_id, cached=True)
    pending = judging.pending[key] = PendingJudgement()
    try:
        judgement = pending.made = await _run_judge(agent, request, state, ctx)
    finally:
        del judging.pending[key]
        pending.done.set()
    judging.counts.add(from_cache=False, failed=judgement.answer is None)
    if judging.cache is not None and judgement.answer is not None:
        judging.cache.write(key, judgement.answer, judgement.execution_id)
    return judgement


async def _run_judge(
    agent: JudgeAgent, request: JudgeRequest, state: ExampleState, ctx: RunContext
) -> Judgement:
    """Run the judge agent on one value, within the rule's time limit, and read its answer."""
    labels = {
        **ctx.identity.labels,
        run_labels.BATCH: ctx.identity.run_id,
        run_labels.JUDGEMENT: state.job.label,
        run_labels.JUDGED_POINTER: request.pointer,
        **({run_labels.JUDGED_EXECUTION: state.execution_id} if state.execution_id else {}),
    }
    patience = Patience.for_seconds(ctx.health, request.timeout)
    execution_id: str | None = None

    async def run() -> Any:
        nonlocal execution_id
        started = await patience.call(
            lambda: ctx.calls.start_agent(
                agent.platform_slug,
                request.judge_input(state.job.input_json),
                hold_seconds=max(0, min(ctx.config.hold_seconds, int(request.timeout) - 1)),
                metadata=labels,
            )
        )
        execution_id = started.execution_id
        return await _finished(execution_id, ctx, patience)

    slot = await ctx.limiter.acquire()
    success = False
    try:
        execution = await asyncio.wait_for(run(), request.timeout)
        success = True
    except asyncio.TimeoutError:
        await _cancel(execution_id, ctx)
        problem = f"did not answer within {request.timeout:g} s (its 'timeout' on the rule)"
        return Judgement(request, problem=_on(problem, execution_id), execution_id=execution_id)
    except EigenpalError as err:
        what = "could not be run" if execution_id is None else "could not be read"
        return Judgement(request, problem=f"{what}: {err}", execution_id=execution_id)
    except asyncio.CancelledError:
        await _cancel(execution_id, ctx)  # the example ran out of time, or Ctrl-C
        raise
    finally:
        await ctx.limiter.release(slot, success=success)
    if execution.status.value != "completed":
        ended = f"could not judge: its execution ended {execution.status.value}"
        if execution.error:
            ended += f": {clip(str(execution.error), 500)}"
        return Judgement(request, problem=_on(ended, execution_id), execution_id=execution_id)
    answer = read_answer(execution.output)
    if isinstance(answer, JudgeAnswer):
        return Judgement(request, answer, execution_id=execution_id)
    problem = f"{answer}; a judge answers {ANSWER_SHAPE}"
    return Judgement(request, problem=_on(problem, execution_id), execution_id=execution_id)


def _on(problem: str, execution_id: str | None) -> str:
    return f"{problem} (judge execution {execution_id})" if execution_id else problem


async def _finished(execution_id: str, ctx: RunContext, patience: Patience) -> Any:
    delays = poll_delays()
    while True:
        execution = await patience.call(lambda: ctx.calls.get_agent_execution(execution_id))
        if execution.status.value in TERMINAL:
            return execution
        await asyncio.sleep(next(delays))


async def _cancel(execution_id: str | None, ctx: RunContext) -> None:
    if execution_id is None:
        return
    with contextlib.suppress(EigenpalError, asyncio.TimeoutError):
        await asyncio.wait_for(ctx.calls.cancel_agent(execution_id), _CANCEL_SECONDS)
