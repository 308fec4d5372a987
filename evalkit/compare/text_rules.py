"""The text scorers' rule keys (``similarity``, ``contains``, ``not_contains``,
``contains_any``, ``length``), declared once for path rules and for text files' rules
(``evalkit.compare.rules``); ``evalkit.compare.scorers`` applies them."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class RuleModel(BaseModel):
    """A rule as written: unknown keys refused, never changed once made."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SimilarityMethod(str, Enum):
    RATIO = "ratio"  # the whole texts, character by character (normalised Indel distance)
    TOKEN_SET = "token_set"  # the sets of words, in any order, shared words counted once
    PARTIAL = "partial"  # the shorter text against the best-matching part of the longer


class Similarity(RuleModel):
    """``similarity: {min: 0.85, method: token_set}``: fuzzy similarity of two texts."""

    min: float = Field(
        ge=0, le=1, description="The similarity (0 to 1) from which the texts match."
    )
    method: SimilarityMethod = Field(
        SimilarityMethod.RATIO,
        description=(
            "ratio (default): the whole texts; token_set: the words in any order; partial: "
            "the shorter text against the best part of the longer."
        ),
    )


class LengthUnit(str, Enum):
    CHARACTERS = "characters"  # user-perceived characters (grapheme clusters)
    WORDS = "words"  # runs of non-space characters holding a letter or a digit


class Length(RuleModel):
    """``length: {min: 20, max: 200, unit: words}``: how long the actual text may be."""

    min: int | None = Field(None, ge=0, description="The fewest units the text may have.")
    max: int | None = Field(None, ge=0, description="The most units the text may have.")
    unit: LengthUnit = Field(LengthUnit.CHARACTERS, description="characters (default) or words.")

    @model_validator(mode="after")
    def _bounds(self) -> Length:
        if self.min is None and self.max is None:
            raise ValueError("give 'min', 'max' or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"'min' ({self.min}) is above 'max' ({self.max})")
        return self


def no_empty_phrase(value: list[str] | None) -> list[str] | None:
    if value is not None and any(phrase == "" for phrase in value):
        raise ValueError("'' is part of every text: give words or phrases")
    return value


Phrases = Annotated[list[str], Field(min_length=1)]


def similarity_field() -> Any:
    return Field(
        None,
        description=(
            "The actual text must be at least 'min' similar to the expected text (0 to 1); "
            "below it, the similarity still counts as partial credit in the score."
        ),
    )


def contains_field() -> Any:
    return Field(
        None,
        description=(
            "The actual text must contain every one of these (after the 'text' "
            "normalisations); a list must hold each as an element."
        ),
    )


def not_contains_field() -> Any:
    return Field(None, description="The actual text (or list) must contain none of these.")


def contains_any_field() -> Any:
    return Field(None, description="The actual text (or list) must contain at least one of these.")


def length_field() -> Any:
    return Field(
        None, description="How long the actual text may be: {min, max, unit: characters|words}."
    )


def as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value
