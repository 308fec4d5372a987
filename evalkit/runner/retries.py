"""``--retries N``: an example that does not pass runs again, up to N more times.

When a retry passes, the example's verdict is ``pass`` and it is marked ``flaky: true``: it
passes only sometimes, which a reviewer should know about even though no gate fails. Every
attempt is a new execution with its own feedback (the ledger is per execution), and the
result keeps a brief line per earlier attempt under ``earlier_attempts``.

Not retried: passes, examples cancelled by Ctrl-C, a failed custom scorer (the agent is not at
fault), errors that stop the whole run (a refused key, an unreachable platform) and missing
input files, which would fail the same way again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evalkit.runner.execute import run_example
from evalkit.runner.results import FATAL_ERRORS, ErrorKind, ExampleResult, Verdict
from evalkit.runner.state import ExampleState, RunContext

_NOT_RETRIED = FATAL_ERRORS | {ErrorKind.INPUT, ErrorKind.SCORER}


@dataclass
class Tracked:
    """The attempt in flight for one example; the orchestrator reads it on Ctrl-C to cancel
    the right execution."""

    state: ExampleState


async def run_with_retries(tracked: Tracked, ctx: RunContext, retries: int) -> ExampleResult:
    """Run the example in ``tracked.state``, then again while it does not pass and retries
    are left; the result of the last attempt, marked ``flaky`` when a retry passed."""
    result = await run_example(tracked.state, ctx)
    earlier: list[ExampleResult] = []
    while len(earlier) < retries and should_retry(result):
        earlier.append(result)
        tracked.state = ExampleState(tracked.state.job)
        result = await run_example(tracked.state, ctx)
    return with_attempts(result, earlier)


def should_retry(result: ExampleResult) -> bool:
    if result.verdict in (Verdict.PASS, Verdict.CANCELLED):
        return False
    return result.error is None or result.error.kind not in _NOT_RETRIED


def with_attempts(result: ExampleResult, earlier: list[ExampleResult]) -> ExampleResult:
    """``result`` with the extra keys ``earlier_attempts`` and, when it passed after failing,
    ``flaky: true``."""
    if not earlier:
        return result
    extra: dict[str, Any] = {"earlier_attempts": [_attempt_brief(e) for e in earlier]}
    if result.verdict is Verdict.PASS:
        extra["flaky"] = True
    return result.model_copy(update=extra)


def _attempt_brief(result: ExampleResult) -> dict[str, Any]:
    brief: dict[str, Any] = {"verdict": result.verdict.value, "score": result.score}
    if result.execution is not None:
        brief["execution_id"] = result.execution.id
    if result.error is not None:
        brief["error"] = f"{result.error.kind.value}: {result.error.message}"
    brief["feedback_written"] = result.feedback.written
    brief["total_ms"] = result.durations.total_ms
    return brief
