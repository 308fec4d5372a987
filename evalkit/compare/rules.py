"""The comparison rules as users write them in the manifest (``compare:`` blocks).

These models are the single definition of the rule syntax: the manifest embeds them (so the
JSON Schema and validation come from here), and the comparison engine consumes them.

Paths are JSON pointers (RFC 6901, ``~0``/``~1`` escapes) where a segment ``*`` matches any one
segment and ``**`` matches any number of segments (zero or more). ``""`` is the whole document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import Enum
from typing import Annotated

from pydantic import (
    BaseModel,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from evalkit.compare.conflicts import block_conflicts
from evalkit.compare.file_modes import FileMode
from evalkit.compare.judge_rule import JudgeRule, judge_field
from evalkit.compare.python_rule import PythonScorer, scorer_list
from evalkit.compare.schema_path import schema_path_problem
from evalkit.compare.text_rules import (
    Length,
    LengthUnit,
    Phrases,
    RuleModel,
    Similarity,
    SimilarityMethod,
    as_list,
    contains_any_field,
    contains_field,
    length_field,
    no_empty_phrase,
    not_contains_field,
    similarity_field,
)

__all__ = [
    "MERGED",
    "CompareSpec",
    "FileMode",
    "FileRule",
    "JudgeRule",
    "Length",
    "LengthUnit",
    "ListOrder",
    "PathRule",
    "PythonScorer",
    "Similarity",
    "SimilarityMethod",
    "TextNormalisation",
    "parse_pointer",
]

#: Validation context for a rule set merged from several blocks (``merge_specs``): a later
#: block may set a key that an earlier block's rule for the same path contradicts (a regex over
#: a default tolerance), so the check of contradictory keys, made for blocks as written, is
#: skipped there.
MERGED = {"merged": True}


def parse_pointer(pointer: str) -> tuple[str, ...]:
    """Split a JSON pointer into unescaped segments; raise ``ValueError`` when malformed."""
    if pointer == "":
        return ()
    if not pointer.startswith("/"):
        raise ValueError(f"JSON pointer {pointer!r} must start with '/' (or be '' for the root)")
    segments = pointer[1:].split("/")
    for segment in segments:
        if re.search(r"~(?![01])", segment):
            raise ValueError(f"JSON pointer {pointer!r}: '~' must be followed by 0 or 1")
    return tuple(s.replace("~1", "/").replace("~0", "~") for s in segments)


class TextNormalisation(str, Enum):
    CASEFOLD = "casefold"  # compare case-insensitively
    WHITESPACE = "whitespace"  # collapse runs of white space to one space
    STRIP = "strip"  # trim leading and trailing white space


class ListOrder(str, Enum):
    STRICT = "strict"
    IGNORE = "ignore"


class PathRule(RuleModel):
    """How the value at one path (and everything below it) is compared."""

    ignore: bool = Field(False, description="Ignore this path: any value, or none, is fine.")
    tolerance: float | None = Field(
        None,
        ge=0,
        description=(
            "Numbers match when |actual - expected| <= tolerance, in decimal as written "
            "(1.10 and 1.11 are within 0.01). Two strings written as numbers compare as numbers."
        ),
    )
    relative_tolerance: float | None = Field(
        None,
        ge=0,
        description=(
            "Numbers match when |actual - expected| <= relative_tolerance * |expected|, in "
            "decimal as written."
        ),
    )
    strings_as_numbers: bool | None = Field(
        None,
        description=(
            "true: a string written as a decimal number counts as that number on either side, "
            "so '5.00' matches 5 (without it, a string against a number is a type change)."
        ),
    )
    text: list[TextNormalisation] | None = Field(
        None,
        description="Text normalisations applied to both sides: casefold, whitespace, strip.",
    )
    order: ListOrder | None = Field(
        None, description="'ignore' compares lists at this path without regard to order."
    )
    regex: str | None = Field(
        None, description="The actual value must be a string fully matching this regex."
    )
    present: bool | None = Field(
        None, description="true: the key must exist, with any value (the value is not compared)."
    )
    weight: float | None = Field(
        None, gt=0, description="Weight of each leaf under this path in the score (default 1)."
    )
    similarity: Similarity | None = similarity_field()
    contains: Phrases | None = contains_field()
    not_contains: Phrases | None = not_contains_field()
    contains_any: Phrases | None = contains_any_field()
    length: Length | None = length_field()
    json_schema: str | None = Field(
        None,
        description=(
            "A JSON Schema file (relative to the manifest's folder, inside the project) the "
            "actual value must validate against; on '' the whole output."
        ),
    )

    python: str | PythonScorer | list[str | PythonScorer] | None = Field(
        None,
        description=(
            "Custom scorers: FILE.py:FUNCTION (relative to the manifest's folder, inside the "
            "project), {scorer, min, timeout}, or a list of them; each must pass."
        ),
    )
    judge: JudgeRule | None = judge_field()

    @field_validator("text", mode="before")
    @classmethod
    def _text_as_list(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("contains", "not_contains", "contains_any", mode="before")
    @classmethod
    def _phrases_as_list(cls, value: object) -> object:
        return as_list(value)

    @field_validator("contains", "not_contains", "contains_any")
    @classmethod
    def _no_empty_phrase(cls, value: list[str] | None) -> list[str] | None:
        return no_empty_phrase(value)

    @field_validator("python", mode="before")
    @classmethod
    def _scorers_as_list(cls, value: object, info: ValidationInfo) -> object:
        return scorer_list(value, info)

    @property
    def python_scorers(self) -> list[PythonScorer]:
        """The ``python`` scorers, whichever form they were written in."""
        found = self.python
        if found is None:
            return []
        return [
            s
            for s in (found if isinstance(found, list) else [found])
            if isinstance(s, PythonScorer)
        ]

    @field_validator("json_schema")
    @classmethod
    def _schema_path(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or (info.context and info.context.get("merged")):
            return value  # merged rules hold paths already resolved (schema_files)
        problem = schema_path_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("regex")
    @classmethod
    def _regex_compiles(cls, value: str | None) -> str | None:
        if value is None:
            return None
        # Imported here: the regex engine (``regex``, ``user_regex``) loads with the first
        # rule that has a regex, not with the rule syntax every manifest reads.
        from evalkit.compare.user_regex import regex_problem

        problem = regex_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class FileRule(RuleModel):
    """How an expected file is compared with the output file of the same name (or whether
    files of that name are looked at at all)."""

    ignore: bool = Field(
        False,
        description=(
            "Skip files of this name or glob: an expected one is not compared, an output one "
            "is never 'unexpected' (e.g. '*.log': {ignore: true})."
        ),
    )
    mode: FileMode = Field(FileMode.BYTES, description="bytes, text, json, csv or exists.")
    order: ListOrder | None = Field(
        None, description="csv: 'ignore' compares rows as a multiset (any order)."
    )
    text: list[TextNormalisation] | None = Field(
        None, description="text and csv: normalisations applied to both sides."
    )
    compare: CompareSpec | None = Field(
        None, description="json: path rules applied inside this file."
    )
    similarity: Similarity | None = similarity_field()
    contains: Phrases | None = contains_field()
    not_contains: Phrases | None = not_contains_field()
    contains_any: Phrases | None = contains_any_field()
    length: Length | None = length_field()

    @field_validator("text", mode="before")
    @classmethod
    def _text_as_list(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("contains", "not_contains", "contains_any", mode="before")
    @classmethod
    def _phrases_as_list(cls, value: object) -> object:
        return as_list(value)

    @field_validator("contains", "not_contains", "contains_any")
    @classmethod
    def _no_empty_phrase(cls, value: list[str] | None) -> list[str] | None:
        return no_empty_phrase(value)


Pointer = Annotated[str, Field(description="JSON pointer; '*' matches one segment, '**' any.")]


class CompareSpec(RuleModel):
    """A ``compare:`` block. Blocks merge defaults -> agent -> example; the most specific wins."""

    #: made by ``merge_specs`` (see ``_no_contradictions``)
    _merged: bool = PrivateAttr(False)

    ignore: list[Pointer] = Field(
        default_factory=list, description="Paths to ignore (shorthand for {ignore: true})."
    )
    rules: dict[Pointer, PathRule] = Field(
        default_factory=dict, description="Rules per path (JSON pointer with * and **)."
    )
    files: dict[str, FileRule] = Field(
        default_factory=dict,
        description="Per expected file (a name or a glob such as '*.csv'): how to compare it.",
    )
    partial_threshold: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Score from which a non-passing example is rated 'partial' (default 0.5).",
    )

    @model_validator(mode="after")
    def _pointers_parse(self) -> CompareSpec:
        for pointer in [*self.ignore, *self.rules]:
            parse_pointer(pointer)
        return self

    @model_validator(mode="after")
    def _no_contradictions(self, info: ValidationInfo) -> CompareSpec:
        # A merged rule set may hold what one block may not (a default tolerance under an
        # example's regex). It is marked, because pydantic validates it again when another
        # model (a manifest's ExampleSpec) takes it as a field, without the context.
        if (info.context and info.context.get("merged")) or self._merged:
            self._merged = True
            return self
        found = block_conflicts(
            self.ignore,
            {pointer: _written(rule) for pointer, rule in self.rules.items()},
            {glob: _written(rule) for glob, rule in self.files.items()},
        )
        if found:
            errors = [
                InitErrorDetails(
                    type=PydanticCustomError("value_error", "{error}", {"error": message}),
                    loc=loc,
                    input=self.rules[loc[1]] if loc[0] == "rules" else self.files[loc[1]],
                )
                for loc, message in found
            ]
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self


def every_rule(spec: CompareSpec) -> Iterator[PathRule]:
    """Every path rule of a rule set, those of its files' ``compare:`` blocks included."""
    yield from spec.rules.values()
    for file_rule in spec.files.values():
        if file_rule.compare is not None:
            yield from every_rule(file_rule.compare)


def _written(rule: BaseModel) -> dict[str, object]:
    return {name: getattr(rule, name) for name in rule.model_fields_set}


FileRule.model_rebuild()
