"""The workflow YAML format (see ``docs/workflows.md``): parsed, checked, with file:line:column.

name: invoice-summary             # optional; default: the file name
description: ...
steps:
  - id: extract
    agent: invoice-extractor      # an agent of this platform (id or slug)
    input: {invoice: "${input.invoice}", currency: "${input.currency}"}
  - id: summary
    builtin: fixed                # echo | fixed | fail | sleep
    output: {total: "${steps.extract.output.total}"}
output: "${steps.summary.output}" # optional; default: the last step's output
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from evalkit.api import WorkflowKind
from evalkit.emulator.workflows.templating import TemplateError, expressions, parse_path
from evalkit.errors import ConfigError

if TYPE_CHECKING:  # yaml (~8 ms) is imported as the first workflow file is parsed: a platform
    # without workflows (every run's) never loads it
    import yaml

NAME_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
STEP_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
DEFAULT_AGENT_TIMEOUT_SECONDS = 600.0
MAX_SLEEP_SECONDS = 3600.0
#: ``/workflows/executions/...`` is a route of its own, so no workflow may be called that.
RESERVED_NAMES = frozenset({"executions"})


class WorkflowDefinitionError(ConfigError):
    """A workflow file is wrong; the message says where (file:line:column) and what to do."""


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StepSpec(_Spec):
    id: str = Field(pattern=STEP_ID_PATTERN)
    description: str | None = None
    agent: str | None = Field(None, min_length=1)
    builtin: Literal["echo", "fixed", "fail", "sleep"] | None = None
    #: the step's input (a template); default: the workflow's whole input
    input: Any = None
    #: ``fixed`` only: the output (a template)
    output: Any = None
    #: ``fail`` only: the error (a template)
    error: str | None = None
    #: ``sleep`` only
    seconds: float | None = Field(None, ge=0, le=MAX_SLEEP_SECONDS)
    #: ``agent`` only: how long the agent may run
    timeout_seconds: float = Field(DEFAULT_AGENT_TIMEOUT_SECONDS, gt=0, alias="timeoutSeconds")

    @model_validator(mode="after")
    def _one_kind(self) -> StepSpec:
        if (self.agent is None) == (self.builtin is None):
            raise ValueError("a step needs exactly one of 'agent' or 'builtin'")
        fields = self.model_fields_set
        allowed = {"output": "fixed", "error": "fail", "seconds": "sleep"}
        for key, builtin in allowed.items():
            if key in fields and self.builtin != builtin:
                raise ValueError(f"'{key}' belongs to 'builtin: {builtin}' steps only")
        if "timeout_seconds" in fields and self.agent is None:
            raise ValueError("'timeoutSeconds' belongs to agent steps only")
        if self.builtin == "sleep" and self.seconds is None:
            raise ValueError("a 'builtin: sleep' step needs 'seconds'")
        return self

    @property
    def kind(self) -> Literal["agent", "builtin"]:
        return "agent" if self.agent is not None else "builtin"


class WorkflowSpec(_Spec):
    name: str | None = Field(None, pattern=NAME_PATTERN)
    version: str | None = Field(None, min_length=1, max_length=64)
    description: str | None = None
    kind: WorkflowKind = WorkflowKind.WORKFLOW
    steps: list[StepSpec] = Field(min_length=1)
    output: Any = None

    @model_validator(mode="after")
    def _steps_refer_backwards(self) -> WorkflowSpec:
        seen: list[str] = []
        for index, step in enumerate(self.steps):
            if step.id in seen:
                raise ValueError(f"steps[{index}]: step id {step.id!r} is used twice")
            for template in (step.input, step.output, step.error):
                _check_templates(template, seen, f"steps[{index}] ({step.id})")
            seen.append(step.id)
        _check_templates(self.output, seen, "output")
        return self


def _check_templates(template: Any, earlier_steps: list[str], where: str) -> None:
    for expression in expressions(template):
        try:
            segments = parse_path(expression)
        except TemplateError as err:
            raise ValueError(f"{where}: {err}") from None
        if segments[0] == "steps" and segments[1] not in earlier_steps:
            raise ValueError(
                f"{where}: ${{{expression}}} refers to step {segments[1]!r}, "
                "which does not run before it"
            )


def parse_workflow(text: str, source: str) -> WorkflowSpec:
    """Parse and check one workflow file; ``source`` names it in errors."""
    import yaml  # here, not at the platform's start: see the imports

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = getattr(err, "problem", None) or str(err)
        raise WorkflowDefinitionError(f"{where}: not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise WorkflowDefinitionError(f"{source}: a workflow file must be a mapping with 'steps'")
    try:
        json.dumps(data)
    except (TypeError, ValueError):
        raise WorkflowDefinitionError(
            f"{source}: holds a value JSON cannot carry (a date or a non-text key?); quote it"
        ) from None
    try:
        return WorkflowSpec.model_validate(data)
    except ValidationError as err:
        problems = [_describe(problem, root, source) for problem in err.errors()]
        raise WorkflowDefinitionError("\n".join(problems)) from None


def _describe(problem: Any, root: yaml.Node | None, source: str) -> str:
    location = tuple(problem["loc"])
    node = _node_at(root, location)
    where = source
    if node is not None:
        where = f"{source}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"
    path = ".".join(str(part) for part in location) or "<root>"
    message = re.sub(r"^Value error, ", "", problem["msg"])
    return f"{where}: {path}: {message}"


def _node_at(node: yaml.Node | None, location: tuple[Any, ...]) -> yaml.Node | None:
    """The deepest YAML node along ``location`` (so an error points at the closest line)."""
    import yaml  # (imported already: the file was parsed)

    for part in location:
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if part < len(node.value) else None
        else:
            child = None
        if child is None:
            return node
        node = child
    return node
