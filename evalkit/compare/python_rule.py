"""The ``python:`` rule key as written: which function scores the value, from when it passes,
and how long it may take.

``python: scorers/invoices.py:score_total`` is the short form of
``python: {scorer: scorers/invoices.py:score_total}``; a list gives several scorers, each of
which must pass. The file is relative to the folder of the manifest file that declares the
rule and must stay inside the project: where that folder is known, ``python_scorers``
anchors it (makes it absolute) and checks that the function can be imported.
"""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

#: the time a scorer call may take when its rule does not say
DEFAULT_TIMEOUT_SECONDS = 10.0
#: the longest time limit a rule may set
MAX_TIMEOUT_SECONDS = 600.0
_EXAMPLE = "scorers/invoices.py:score_total"


class PythonScorer(BaseModel):
    """``{scorer: FILE.py:FUNCTION, min: 1, timeout: 10}``: a custom scorer in Python."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scorer: str = Field(
        description=(
            "FILE.py:FUNCTION, the file relative to the manifest's folder, inside the project "
            f"(e.g. {_EXAMPLE})."
        )
    )
    min: float = Field(
        1.0,
        ge=0,
        le=1,
        description=(
            "The score (0 to 1) from which the value passes when the scorer returns a number "
            "or a score without 'passed' (default 1); below it the score is partial credit."
        ),
    )
    timeout: float = Field(
        DEFAULT_TIMEOUT_SECONDS,
        gt=0,
        le=MAX_TIMEOUT_SECONDS,
        description="Seconds one call may take before it is stopped (default 10).",
    )

    @field_validator("scorer")
    @classmethod
    def _scorer_text(cls, value: str, info: ValidationInfo) -> str:
        merged = bool(info.context and info.context.get("merged"))
        problem = scorer_text_problem(value, anchored=merged)
        if problem:
            raise ValueError(problem)
        return value

    @property
    def file(self) -> str:
        return self.scorer.rsplit(":", 1)[0]

    @property
    def function(self) -> str:
        return self.scorer.rsplit(":", 1)[1]

    @property
    def label(self) -> str:
        """How differences name the scorer: its function."""
        return self.function


def scorer_text_problem(text: str, *, anchored: bool = False) -> str | None:
    """Why ``text`` cannot name a scorer (``FILE.py:FUNCTION``, the file relative to the
    manifest's folder; absolute once ``anchored``), or None."""
    file, colon, function = text.rpartition(":")
    if not colon or not file.strip():
        return f"python: {text!r} must name a file and a function, e.g. {_EXAMPLE}"
    if not function.isidentifier():
        return (
            f"python: {function!r} is not a Python function name; write FILE.py:FUNCTION, "
            f"e.g. {_EXAMPLE}"
        )
    if not file.endswith(".py"):
        return f"python: {file!r} is not a Python file (.py); e.g. {_EXAMPLE}"
    if anchored:
        return None
    if "\\" in file:
        return f"python: {file!r} contains '\\': write paths with '/'"
    if PurePosixPath(file).is_absolute() or PureWindowsPath(file).is_absolute() or ":" in file:
        return (
            f"python: {file!r} is absolute: give a path relative to the manifest's folder, "
            f"inside the project (e.g. {_EXAMPLE})"
        )
    return None


def scorer_list(value: object, info: ValidationInfo) -> list[PythonScorer] | None:
    """The ``python:`` key's forms (a string, an object, a list of either) as one list."""
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    scorers = [
        PythonScorer.model_validate(
            {"scorer": item} if isinstance(item, str) else item, context=info.context
        )
        if not isinstance(item, PythonScorer)
        else item
        for item in items
    ]
    if not scorers:
        raise ValueError("python: give at least one scorer, e.g. " + _EXAMPLE)
    return scorers
