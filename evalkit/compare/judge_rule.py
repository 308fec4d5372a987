"""The ``judge:`` rule key as written: which agent of the manifest grades the value, by which
rubric, and from which score it passes.

``judge: {agent: tone-judge, rubric: "Polite, and offers a refund", min: 0.7}`` on a path (or
on ``""``, the whole output). The agent is declared in the same manifest, versioned and synced
like any other; the runner runs it on each value with the documented input and reads its
documented answer (``evalkit.compare.judges``). The comparison itself never calls the
platform: it reads the judgements the runner made before it.

The value passes when the judge says ``passed: true`` **and** its score is at least ``min``
(default 0: the judge's own ``passed`` decides). Below ``min``, or when not passed, the score
is the value's partial credit.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: how long one judge execution may take when the rule does not say (the runtime's default)
DEFAULT_JUDGE_TIMEOUT_SECONDS = 300.0
MAX_JUDGE_TIMEOUT_SECONDS = 86_400.0


class JudgeRule(BaseModel):
    """``{agent, rubric, min, timeout}``: an agent of the manifest grades the value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agent: str = Field(
        min_length=1,
        description="The judge: the slug of an agent declared in the same manifest.",
    )
    rubric: str = Field(
        min_length=1,
        description="What the judge checks, in words; sent to the judge with the values.",
    )
    min: float = Field(
        0.0,
        ge=0,
        le=1,
        description=(
            "The score (0 to 1) from which a value the judge passed passes (default 0: the "
            "judge's 'passed' decides); below it the score is partial credit."
        ),
    )
    timeout: float = Field(
        DEFAULT_JUDGE_TIMEOUT_SECONDS,
        gt=0,
        le=MAX_JUDGE_TIMEOUT_SECONDS,
        description=(
            "Seconds one judge execution may take before it is cancelled and the value is an "
            "error (default 300; the example's --timeout still bounds it)."
        ),
    )

    @field_validator("rubric")
    @classmethod
    def _rubric_says_something(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the rubric is empty: say what the judge should check")
        return value


def judge_field() -> Any:
    """The ``judge`` key of a path rule."""
    return Field(
        None,
        description=(
            "A judge agent grades the value: {agent, rubric, min, timeout}; the agent is "
            "declared in the same manifest. Passes when the judge passes it with a score of "
            "at least min (default 0)."
        ),
    )
