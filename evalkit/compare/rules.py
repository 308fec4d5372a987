"""The comparison rules as users write them in the manifest (``compare:`` blocks).

These models are the single definition of the rule syntax: the manifest embeds them (so the
JSON Schema and validation come from here), and the comparison engine consumes them.

Paths are JSON pointers (RFC 6901, ``~0``/``~1`` escapes) where a segment ``*`` matches any one
segment and ``**`` matches any number of segments (zero or more). ``""`` is the whole document.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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


class PathRule(_Spec):
    """How the value at one path (and everything below it) is compared."""

    ignore: bool = Field(False, description="Ignore this path: any value, or none, is fine.")
    tolerance: float | None = Field(
        None, ge=0, description="Numbers match when |actual - expected| <= tolerance (absolute)."
    )
    relative_tolerance: float | None = Field(
        None,
        ge=0,
        description="Numbers match when |actual - expected| <= relative_tolerance * |expected|.",
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

    @field_validator("text", mode="before")
    @classmethod
    def _text_as_list(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("regex")
    @classmethod
    def _regex_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as err:
                raise ValueError(f"invalid regex {value!r}: {err}") from err
        return value


class FileMode(str, Enum):
    BYTES = "bytes"  # exact bytes (sha256)
    TEXT = "text"  # newline-normalised text, unified diff
    JSON = "json"  # parsed and compared with the JSON rules
    CSV = "csv"  # rows as records
    EXISTS = "exists"  # only that the file is there


class FileRule(_Spec):
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

    @field_validator("text", mode="before")
    @classmethod
    def _text_as_list(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


Pointer = Annotated[str, Field(description="JSON pointer; '*' matches one segment, '**' any.")]


class CompareSpec(_Spec):
    """A ``compare:`` block. Blocks merge defaults -> agent -> example; the most specific wins."""

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


FileRule.model_rebuild()
