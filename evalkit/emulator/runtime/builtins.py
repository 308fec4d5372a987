"""The cheap built-in runtimes (contract B10): no subprocess, deterministic, for load tests.

Chosen by ``config.runtime.builtin``:

- ``echo``: the output is the scalar input; every input file comes back as an output file.
- ``fixed``: the output is ``output``; ``files`` maps names to text or ``{"base64": ...}``.
- ``fail``: the run fails with ``error``.
- ``noisy``: like ``echo``, but wrong with a seeded probability ``wrongRate`` (``noisy.py``).

Each takes an optional ``delayMs``, slept on ``job.cancel`` so a cancel ends it at once, and
may declare what a run costs and which model it stands for: ``cost`` (an object of names to
numbers or short texts, e.g. ``{"credits": 0.002}``, added to the execution's ``cost`` beside
``durationMs``) and ``model`` (a name, the execution's ``model``), so reports of cost can be
tried without a paid platform.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import time
from collections.abc import Callable, Mapping
from typing import Any

from evalkit.emulator.runtime import noisy
from evalkit.emulator.runtime.job import AgentJob, AgentOutcome, NamedBlob
from evalkit.emulator.runtime.paths import UnsafePathError, check_relative_path

BUILTIN_NAMES = ("echo", "fail", "fixed", "noisy")
DEFAULT_FAIL_ERROR = "the 'fail' builtin runtime failed on purpose"


class BuiltinConfigError(ValueError):
    """``config.runtime`` for a builtin is malformed; the message says how."""


@dataclasses.dataclass(frozen=True)
class BuiltinRun:
    """A builtin's run, decided at its start: ``outcome`` is what it gives once
    ``delay_seconds`` have passed; ``end`` gives the outcome as it is when the delay ended or
    a cancel came. The platform waits on a worker thread (``run_builtin``) or, for a run
    without files, with a timer on its event loop (``evalkit.emulator.worker``)."""

    outcome: AgentOutcome
    delay_seconds: float
    #: ``time.monotonic()`` at the start: the run's ``cost.durationMs`` counts from it
    started: float
    #: a bad config: failed at once, with no delay, whatever comes later
    final: bool = False

    @property
    def has_files(self) -> bool:
        """Whether its outcome carries files (stored as blobs: work for a thread)."""
        outcome = self.outcome
        return bool(outcome.output_files or outcome.issues or outcome.trace)

    def end(self, *, cancelled: bool) -> AgentOutcome:
        if self.final:
            return self.outcome
        if cancelled:
            return AgentOutcome(status="cancelled", error="cancelled", cost=_cost(self.started))
        return _with_cost(self.outcome, self.started)


def run_builtin(job: AgentJob, runtime: Mapping[str, Any]) -> AgentOutcome:
    """Run the builtin named by ``runtime["builtin"]``; never raises for bad config. Its delay
    is slept on ``job.cancel``, so a cancel ends it at once."""
    run = plan_builtin(job, runtime)
    if run.delay_seconds and not run.final:
        job.cancel.wait(run.delay_seconds)
    return run.end(cancelled=job.cancel.is_set())


def plan_builtin(job: AgentJob, runtime: Mapping[str, Any]) -> BuiltinRun:
    """Start the builtin named by ``runtime["builtin"]``: its outcome and delay; never raises
    for bad config (the run fails at once, saying why)."""
    started = time.monotonic()
    name = runtime.get("builtin")
    handler = _HANDLERS.get(name) if isinstance(name, str) else None
    if handler is None:
        known = ", ".join(BUILTIN_NAMES)
        return _failed(
            f"unknown builtin runtime {name!r} in config.runtime.builtin; use one of: {known}",
            started,
        )
    try:
        delay_seconds = _delay_seconds(runtime)
        declared = _declared(runtime)
        outcome = dataclasses.replace(handler(job, runtime), **declared)
    except BuiltinConfigError as err:
        return _failed(f"config.runtime: {err}", started)
    except noisy.NoisyInputError as err:
        return _failed(str(err), started)
    return BuiltinRun(outcome, delay_seconds, started)


def _echo(job: AgentJob, runtime: Mapping[str, Any]) -> AgentOutcome:
    files = [NamedBlob(item.filename, item.content) for item in job.input_files]
    return AgentOutcome(status="completed", output=dict(job.input_json), output_files=files)


def _fixed(job: AgentJob, runtime: Mapping[str, Any]) -> AgentOutcome:
    files_spec = runtime.get("files", {})
    if not isinstance(files_spec, Mapping):
        raise BuiltinConfigError("'files' must be an object of name -> text or {base64: ...}")
    files = [
        NamedBlob(_file_name(name), _file_content(name, spec)) for name, spec in files_spec.items()
    ]
    return AgentOutcome(status="completed", output=runtime.get("output"), output_files=files)


def _fail(job: AgentJob, runtime: Mapping[str, Any]) -> AgentOutcome:
    error = runtime.get("error", DEFAULT_FAIL_ERROR)
    return AgentOutcome(status="failed", error=str(error))


def _noisy(job: AgentJob, runtime: Mapping[str, Any]) -> AgentOutcome:
    try:
        config = noisy.parse_config(runtime)
    except ValueError as err:
        raise BuiltinConfigError(str(err)) from None
    output = noisy.answer(job.agent_id, config, job.input_json)
    files = [NamedBlob(item.filename, item.content) for item in job.input_files]
    return AgentOutcome(status="completed", output=output, output_files=files)


_HANDLERS: dict[str, Callable[[AgentJob, Mapping[str, Any]], AgentOutcome]] = {
    "echo": _echo,
    "fail": _fail,
    "fixed": _fixed,
    "noisy": _noisy,
}


def _delay_seconds(runtime: Mapping[str, Any]) -> float:
    delay = runtime.get("delayMs", 0)
    # bool is an int subclass; "delayMs: true" is a mistake, not one millisecond.
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0:
        raise BuiltinConfigError(f"'delayMs' must be a number of milliseconds >= 0, got {delay!r}")
    return float(delay) / 1000.0


def _file_name(name: Any) -> str:
    try:
        return check_relative_path(str(name))
    except UnsafePathError as err:
        raise BuiltinConfigError(f"'files' has a bad name: {err}") from None


def _file_content(name: str, spec: Any) -> bytes:
    if isinstance(spec, str):
        return spec.encode("utf-8")
    if isinstance(spec, Mapping) and isinstance(spec.get("base64"), str):
        try:
            return base64.b64decode(spec["base64"], validate=True)
        except binascii.Error:
            raise BuiltinConfigError(f"'files.{name}.base64' is not valid base64") from None
    raise BuiltinConfigError(f'\'files.{name}\' must be a text string or {{"base64": "..."}}')


def _cost(started: float) -> dict[str, Any]:
    return {"durationMs": round((time.monotonic() - started) * 1000)}


def _failed(error: str, started: float) -> BuiltinRun:
    outcome = AgentOutcome(status="failed", error=error, cost=_cost(started))
    return BuiltinRun(outcome, 0.0, started, final=True)


def _with_cost(outcome: AgentOutcome, started: float) -> AgentOutcome:
    return dataclasses.replace(outcome, cost={**_cost(started), **outcome.cost})


def _declared(runtime: Mapping[str, Any]) -> dict[str, Any]:
    """The ``cost`` and ``model`` the runtime declares, checked."""
    declared: dict[str, Any] = {}
    cost = runtime.get("cost")
    if cost is not None:
        if not isinstance(cost, Mapping) or not all(
            isinstance(value, str)
            or (isinstance(value, (int, float)) and not isinstance(value, bool))
            for value in cost.values()
        ):
            raise BuiltinConfigError("'cost' must be an object of names to numbers or texts")
        declared["cost"] = dict(cost)
    model = runtime.get("model")
    if model is not None:
        if not isinstance(model, str) or not model:
            raise BuiltinConfigError(f"'model' must be a model's name, got {model!r}")
        declared["model"] = model
    return declared
