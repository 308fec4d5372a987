"""Run one workflow step: an agent of this platform, or a builtin (echo, fixed, fail, sleep)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from evalkit.emulator.problems import ApiProblem
from evalkit.emulator.runtime.job import InputFile
from evalkit.emulator.workflows.contract import AgentInvoker
from evalkit.emulator.workflows.definitions import StepSpec
from evalkit.emulator.workflows.templating import TemplateError, describe_file, render

DEFAULT_FAIL_ERROR = "the 'fail' builtin step failed on purpose"


@dataclass(frozen=True)
class StepRun:
    output: Any
    #: the agent execution behind an agent step
    execution_id: str | None = None


class StepFailed(Exception):
    def __init__(self, message: str, execution_id: str | None = None) -> None:
        super().__init__(message)
        self.execution_id = execution_id


class StepCancelled(Exception):
    def __init__(self, execution_id: str | None = None) -> None:
        super().__init__("cancelled")
        self.execution_id = execution_id


def run_step(
    step: StepSpec,
    context: Mapping[str, Any],
    *,
    invoker: AgentInvoker,
    cancel: threading.Event,
) -> StepRun:
    """Run ``step``; raises ``StepFailed`` or ``StepCancelled`` when it does not complete."""
    try:
        step_input = render(step.input, context) if step.input is not None else context["input"]
        if step.agent is not None:
            return _agent(step, step.agent, step_input, invoker, cancel)
        if step.builtin == "fixed":
            return StepRun(as_json(render(step.output, context)))
        if step.builtin == "fail":
            error = render(step.error, context) if step.error is not None else DEFAULT_FAIL_ERROR
            raise StepFailed(str(error))
        if step.builtin == "sleep":
            if cancel.wait(step.seconds or 0):
                raise StepCancelled()
            return StepRun(as_json(step_input) if step.input is not None else None)
        return StepRun(as_json(step_input))  # echo
    except TemplateError as err:
        raise StepFailed(str(err)) from None


def as_json(value: Any) -> Any:
    """``value`` with file inputs replaced by their description, so it can be stored."""
    if isinstance(value, InputFile):
        return describe_file(value)
    if isinstance(value, Mapping):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    return value


def _agent(
    step: StepSpec, agent: str, step_input: Any, invoker: AgentInvoker, cancel: threading.Event
) -> StepRun:
    if not isinstance(step_input, Mapping):
        raise StepFailed(
            f"an agent step's input must be an object, got {type(step_input).__name__}"
        )
    scalars: dict[str, Any] = {}
    files: list[InputFile] = []
    for key, value in step_input.items():
        if isinstance(value, InputFile):
            # The agent receives the file under the step's input key, as a multipart run would.
            files.append(InputFile(key, value.filename, value.content, value.content_type))
        elif _holds_file(value):
            raise StepFailed(
                f"input.{key}: a file input can only be a top-level value of the input"
            )
        else:
            scalars[key] = value
    try:
        result = invoker.run_agent_and_wait(
            agent,
            scalars,
            cancel=cancel,
            timeout_seconds=step.timeout_seconds,
            input_files=files,
        )
    except ApiProblem as err:
        raise StepFailed(f"agent {agent!r}: {err.message}") from None
    if result.status == "completed":
        return StepRun(result.output, result.execution_id)
    if result.status == "cancelled" and cancel.is_set():
        raise StepCancelled(result.execution_id)
    error = result.error or f"the agent execution ended {result.status}"
    raise StepFailed(f"agent {agent!r}: {error}", result.execution_id)


def _holds_file(value: Any) -> bool:
    if isinstance(value, InputFile):
        return True
    if isinstance(value, Mapping):
        return any(_holds_file(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_file(item) for item in value)
    return False
