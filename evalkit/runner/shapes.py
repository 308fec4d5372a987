"""What the reports read from a results line or a summary beyond its declared types, checked
once when the file is read (``evalkit.runner.results_file``) instead of in every renderer.

The results models keep the comparison as a plain dict (``evalkit.compare`` writes it), and
their numbers unbounded. The reports read both: each difference's ``pointer`` and ``kind``,
each file's ``name``, ``status``, ``diff`` and differences, scores as fractions, durations
as milliseconds, a gate's limit as a number, the ``--shard K/N`` a run recorded. A file that
holds anything else was not written by ``evalkit run``; it is refused at its line, with the
key that is wrong, rather than crash a renderer or the page's script.

Every model keeps unknown keys (a newer evalkit may add some) and checks only what is read.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from evalkit.runner.shards import MAX_SHARDS

#: a score: a fraction from 0 to 1
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
#: a duration: up to a year in milliseconds
Milliseconds = Annotated[int, Field(ge=0, le=366 * 24 * 3600 * 1000)]
#: a count or a limit: whatever a run can hold
Number = Annotated[float, Field(allow_inf_nan=False, ge=-(10**15), le=10**15)]
_SHARD = re.compile(r"^\s*(\d{1,4})\s*/\s*(\d{1,4})\s*$")


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow")


class DifferenceShape(_Shape):
    pointer: str = ""
    kind: str
    rule: str | None = None


class AppliedShape(_Shape):
    pointer: str = ""
    kind: str
    detail: str | None = None


class FileShape(_Shape):
    name: str
    status: str
    mode: str | None = None
    score: Fraction | None = None
    diff: str | None = None
    problem: str | None = None
    differences: list[DifferenceShape] = Field(default_factory=list)
    applied: list[AppliedShape] = Field(default_factory=list)


class ComparisonShape(_Shape):
    differences: list[DifferenceShape] = Field(default_factory=list)
    files: list[FileShape] = Field(default_factory=list)
    applied: list[AppliedShape] = Field(default_factory=list)


class DurationsShape(_Shape):
    total_ms: Milliseconds = 0
    queued_ms: Milliseconds = 0
    execution_ms: Milliseconds | None = None
    compare_ms: Milliseconds | None = None


class ResultShape(_Shape):
    """One line of results.jsonl, as far as the reports read it."""

    score: Fraction | None = None
    comparison: ComparisonShape | None = None
    durations: DurationsShape | None = None


class GateShape(_Shape):
    limit: Number
    actual: Number


class BriefShape(_Shape):
    score: Fraction | None = None


class MetadataShape(_Shape):
    selection: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("selection")
    @classmethod
    def _shard_is_k_of_n(cls, selection: dict[str, list[str]]) -> dict[str, list[str]]:
        for given in selection.get("shard", [])[:1]:
            found = _SHARD.match(given)
            if found is None or not 1 <= int(found[1]) <= int(found[2]) <= MAX_SHARDS:
                raise ValueError(f"the shard is K/N with 1 <= K <= N <= {MAX_SHARDS}")
        return selection


class SummaryShape(_Shape):
    """summary.json, as far as the reports read it."""

    pass_rate: Fraction
    metadata: MetadataShape
    gates: list[GateShape] = Field(default_factory=list)
    examples: list[BriefShape] = Field(default_factory=list)
    regressions: list[BriefShape] = Field(default_factory=list)
