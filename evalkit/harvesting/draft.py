"""What an example made from one execution holds, decided before anything is written.

``draft_example`` reads an execution as the platform returns it with
``include=feedback,expected,files`` and says which file goes where in the example folder
(contract A7's layout): ``input.json`` from the execution's input JSON, ``input/<field><ext>``
from its input files, and as expected output the reviewer's expected JSON and expected files
from the feedback where present, else the agent's own output and output files. Every name from
the platform is checked here (``evalkit.safe_paths``) before it becomes a path, and an
execution that cannot make an example is refused with the reason (``NotPromotable``).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from evalkit.api import AgentExecutionSummary, ExecutionStatus, FeedbackRating
from evalkit.errors import EvalkitError
from evalkit.manifest.examples import README, SOURCE
from evalkit.manifest.models import ExampleSource, ExpectedOrigin
from evalkit.manifest.workspace import DEFAULT_EXCLUDES, glob_regex
from evalkit.runner import labels as run_labels
from evalkit.runner.feedback_body import BODY_HEAD
from evalkit.safe_paths import UnsafePath, check_relative, shown

#: the workspace file whose ``"x-eigenpal-type": "file"`` properties are file inputs (A7)
INPUT_SCHEMA = "input-schema.json"
FILE_TYPE_KEY = "x-eigenpal-type"

#: what ``draft_example`` asks the platform to include in an execution
EXECUTION_INCLUDE = "feedback,expected,files"

#: the execution file kinds a draft downloads from (``expected``: the reviewer's files)
FileKind = Literal["input", "output", "expected"]

#: names the examples reader leaves out of an example folder (editor and OS junk, ``.env``):
#: a file of the execution by such a name would be silently missing from the example
_LEFT_OUT = [glob_regex(pattern) for pattern in DEFAULT_EXCLUDES]


class HarvestError(EvalkitError):
    """Promote or harvest cannot do what was asked (exit 2): the message says why."""


class NotPromotable(HarvestError):
    """An execution that cannot become an example; the message says why and what to do."""

    def __init__(self, execution_id: str, reason: str) -> None:
        super().__init__(f"execution {shown(execution_id)} cannot become an example: {reason}")
        self.execution_id = execution_id
        self.reason = reason


@dataclass(frozen=True)
class FileToFetch:
    """One file of the execution, and where it lands in the example folder."""

    kind: FileKind
    #: its name on the platform
    name: str
    #: its path in the example folder, e.g. ``input/invoice.pdf``, ``expected/pages/1.txt``
    target: tuple[str, ...]

    @property
    def target_text(self) -> str:
        return "/".join(self.target)


@dataclass(frozen=True)
class ExampleDraft:
    """An example to write: its JSON files by name, the files to download, its source."""

    execution_id: str
    #: ``input.json``, ``expected.json`` and ``source.json`` (``source``), by file name
    json_files: Mapping[str, Any]
    files: tuple[FileToFetch, ...]
    source: ExampleSource
    #: the reviewer's note (the feedback's body), written as the example's README.md
    notes: str | None = None

    @property
    def paths(self) -> list[str]:
        """Every file the example gets, as paths in its folder, sorted."""
        readme = [README] if self.notes else []
        return sorted([*self.json_files, *readme, *(item.target_text for item in self.files)])


def draft_example(
    execution: AgentExecutionSummary,
    *,
    agent_slug: str,
    file_fields: Collection[str] | None,
) -> ExampleDraft:
    """The example ``execution`` makes; ``NotPromotable`` when it makes none.

    ``file_fields``: the agent's file inputs from its input schema (``None`` when unknown: a
    file's input field is then its name without the extension, as evalkit's runs send them).
    """
    if not execution.status.is_terminal:
        raise NotPromotable(
            execution.id, f"it is still {execution.status.value}; wait until it ends"
        )
    inputs = execution.input_json or {}
    input_files = _input_files(execution, inputs, file_fields)
    json_files: dict[str, Any] = {}
    if inputs or not input_files:
        json_files["input.json"] = inputs
    origin: dict[Literal["json", "files"], ExpectedOrigin] = {}
    completed = execution.status == ExecutionStatus.COMPLETED
    if execution.expected is not None:
        json_files["expected.json"] = execution.expected
        origin["json"] = "feedback"
    elif completed and execution.output is not None:
        json_files["expected.json"] = execution.output
        origin["json"] = "output"
    expected_files = _expected_files(execution, completed)
    if expected_files:
        origin["files"] = "output" if expected_files[0].kind == "output" else "feedback"
    if not origin:
        raise NotPromotable(execution.id, _nothing_expected(execution))
    source = ExampleSource(
        execution=execution.id,
        agent=agent_slug,
        created_at=execution.created_at,
        expected_from=origin,
    )
    json_files[SOURCE] = source.model_dump(mode="json", exclude_none=True)
    files = (*input_files, *expected_files)
    return ExampleDraft(execution.id, json_files, files, source, _notes(execution))


def _notes(execution: AgentExecutionSummary) -> str | None:
    """The reviewer's note: the feedback's body, unless evalkit wrote it (its own verdict on
    an execution ``evalkit run`` started)."""
    body = execution.feedback.body.strip() if execution.feedback else ""
    if not body or started_by_evalkit(execution):
        return None
    return body + "\n"


def started_by_evalkit(execution: AgentExecutionSummary) -> bool:
    """Whether ``evalkit run`` started ``execution``, for an example or as a judge agent:
    labels only evalkit gives say so (``runner.labels``; ``_metadata``, which a server may not
    keep), or its feedback is evalkit's verdict (``runner.feedback_body``)."""
    if not run_labels.EVALKIT_ONLY.isdisjoint(execution.metadata or {}):
        return True
    return execution.feedback is not None and bool(BODY_HEAD.match(execution.feedback.body))


def rated_without_correction(execution: AgentExecutionSummary, draft: ExampleDraft) -> str | None:
    """``fail`` or ``partial`` when a reviewer rated the execution so yet wrote no expected
    JSON or files: the draft's expected output is then the answer known to be wrong."""
    rating = execution.feedback.rating if execution.feedback else None
    if rating not in (FeedbackRating.FAIL, FeedbackRating.PARTIAL) or started_by_evalkit(execution):
        return None
    if "feedback" in draft.source.expected_from.values():
        return None
    return str(rating.value)


def judged_example(execution: AgentExecutionSummary) -> str | None:
    """The example (``agent/example``) a judge execution of ``evalkit run`` judged, if it is
    one."""
    judged = (execution.metadata or {}).get(run_labels.JUDGEMENT)
    return judged if isinstance(judged, str) and judged else None


def _nothing_expected(execution: AgentExecutionSummary) -> str:
    if execution.status == ExecutionStatus.COMPLETED:
        return "it has no output and no reviewer's expected output"
    return (
        f"it {execution.status.value} and has no reviewer's expected output; write the "
        "expected JSON (or files) in its feedback first"
    )


def _input_files(
    execution: AgentExecutionSummary,
    inputs: Mapping[str, Any],
    file_fields: Collection[str] | None,
) -> list[FileToFetch]:
    names = [item.name for item in execution.input_files or []]
    for name in names:
        _plain_file_name(execution.id, name, "input")
    fields = _fields_of(execution.id, names, file_fields)
    files = []
    for name in names:
        field = fields[name]
        if field in inputs:
            raise NotPromotable(
                execution.id,
                f"input field {field!r} is both in its input JSON and a file ({shown(name)})",
            )
        files.append(FileToFetch("input", name, ("input", field + PurePosixPath(name).suffix)))
    return files


def _fields_of(
    execution_id: str, names: list[str], file_fields: Collection[str] | None
) -> dict[str, str]:
    """Each input file's input field. The platform lists input files by file name only: a
    name whose stem is a file field (or any stem, when the schema is unknown) is that field;
    one file left over with one file field left over are each other's."""
    stems = {name: PurePosixPath(name).stem for name in names}
    fields = {
        name: stem
        for name, stem in stems.items()
        if file_fields is None or not file_fields or stem in file_fields
    }
    left = [name for name in names if name not in fields]
    free = sorted(set(file_fields or ()) - set(fields.values()))
    if len(left) == 1 and len(free) == 1:
        fields[left[0]] = free[0]
    elif left:
        known = ", ".join(sorted(file_fields or ())) or "none"
        raise NotPromotable(
            execution_id,
            f"the platform does not say which input field file {shown(left[0])} is for, and "
            f"its name matches none of the file inputs of {INPUT_SCHEMA} ({known}); promote "
            "it by hand (input/<field><ext>)",
        )
    taken: dict[str, str] = {}
    for name, field in fields.items():
        if field in taken:
            raise NotPromotable(
                execution_id,
                f"files {shown(taken[field])} and {shown(name)} are both for input field "
                f"{field!r}; promote it by hand",
            )
        taken[field] = name
    return fields


def _expected_files(execution: AgentExecutionSummary, completed: bool) -> list[FileToFetch]:
    """The reviewer's expected files when there are any, else (completed) the output files."""
    reviewed = [item.name for item in execution.expected_files or []]
    if reviewed:
        return [_expected_file(execution.id, "expected", name) for name in reviewed]
    if not completed:
        return []
    outputs = execution.result_files or []
    return [_expected_file(execution.id, "output", item.name) for item in outputs]


def _expected_file(execution_id: str, kind: FileKind, name: str) -> FileToFetch:
    try:
        parts = check_relative(name)
    except UnsafePath as err:
        raise NotPromotable(execution_id, f"its {kind} file {err}") from None
    _not_left_out(execution_id, kind, name)
    return FileToFetch(kind, name, ("expected", *parts))


def _not_left_out(execution_id: str, kind: str, name: str) -> None:
    if any(pattern.match(name) for pattern in _LEFT_OUT):
        raise NotPromotable(
            execution_id,
            f"its {kind} file {shown(name)} has a name evalkit leaves out of example folders "
            "(editor and OS files, .env); promote it by hand under another name",
        )


def _plain_file_name(execution_id: str, name: str, kind: str) -> None:
    """An input file lands directly in ``input/``: a safe name of one segment."""
    try:
        parts = check_relative(name)
    except UnsafePath as err:
        raise NotPromotable(execution_id, f"its {kind} file {err}") from None
    if len(parts) != 1 or not PurePosixPath(name).stem:
        raise NotPromotable(execution_id, f"its {kind} file {shown(name)} is not a plain file name")
    _not_left_out(execution_id, kind, name)


def file_fields_of(workspace_files: Mapping[str, Path]) -> frozenset[str] | None:
    """The file inputs an agent's ``input-schema.json`` declares (``None``: no schema, or
    one that cannot be read: the files' own names then say their fields)."""
    path = workspace_files.get(INPUT_SCHEMA)
    if path is None:
        return None
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        return None
    return frozenset(
        name
        for name, spec in properties.items()
        if isinstance(spec, dict) and spec.get(FILE_TYPE_KEY) == "file"
    )
