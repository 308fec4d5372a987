"""Custom scorers in Python: the function a ``python:`` rule names, and what it may return.

A rule ``python: scorers/invoices.py:score_total`` on a path calls ``score_total`` from the
file ``scorers/invoices.py`` (relative to the manifest file's folder) for the value at that
path (``""``: the whole output), in a separate process (``scorer_pool``). The function takes
keyword arguments, any of ``ScorerArguments`` (only the ones it names, or all with
``**kwargs``)::

    from evalkit.compare.custom import ScorerResult

    def score_total(expected, actual, input):
        if actual == expected:
            return True
        gap = abs(actual - expected)
        return ScorerResult(score=max(0.0, 1 - gap / 100), reason=f"off by {gap}")

It returns (``ScorerReturn``):

- ``True`` / ``False``: passed (score 1) or not (score 0);
- a number from 0 to 1: the score; it passes from the rule's ``min`` (default 1);
- a ``ScorerResult`` (or any object with ``score``, ``passed``, ``reason`` attributes), or a
  dict with those keys: ``passed`` decides when given, else ``score >= min``; ``score``
  defaults to 1 or 0 by ``passed``; ``reason`` is shown beside the path.

Below ``min`` (or not passed), the score is the value's partial credit. This module is imported
by scorer files as well as by evalkit: it holds types only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict

__all__ = ["ARGUMENT_NAMES", "Scorer", "ScorerArguments", "ScorerResult", "ScorerReturn"]


class ScorerArguments(TypedDict):
    """The keyword arguments a scorer may take (name only those it needs)."""

    #: the expected value at the rule's path (``None`` when the expected JSON has none there)
    expected: Any
    #: the actual value at the path (``None`` when the output has none there)
    actual: Any
    #: the JSON pointer of the value, e.g. ``/lineItems/2/amount`` (``""``: the whole output)
    pointer: str
    #: the example's input JSON (``input.json`` or ``input:``)
    input: Any
    #: the whole expected JSON of the example (or of the expected file, in a file's rules)
    expected_document: Any
    #: the whole output JSON (or the output file's)
    actual_document: Any


#: the argument names, in the order documented
ARGUMENT_NAMES: tuple[str, ...] = tuple(ScorerArguments.__annotations__)


@dataclass(frozen=True)
class ScorerResult:
    """A scorer's verdict with its reasons. ``score`` from 0 to 1 (default: 1 when passed,
    else 0); ``passed`` (default: ``score >= min`` of the rule); ``reason``: shown beside the
    path in the differences, the reports and the feedback."""

    score: float | None = None
    passed: bool | None = None
    reason: str | None = None


#: what a scorer returns
ScorerReturn = bool | float | ScorerResult | Mapping[str, Any]


class Scorer(Protocol):
    """A custom scorer: any function of keyword arguments among ``ScorerArguments``."""

    def __call__(
        self,
        *,
        expected: Any,
        actual: Any,
        pointer: str,
        input: Any,  # the example's input, named as the manifest names it
        expected_document: Any,
        actual_document: Any,
    ) -> ScorerReturn: ...
