"""Examples run more than once: how many times, what makes a verdict, and the one result.

An agent driven by a language model can pass today and fail tomorrow on the same input. So an
example may run ``times`` attempts (``repeat:`` in the manifest, ``--repeat N``), each a
separate execution with its own feedback; ``pass_if`` turns the k passes of n into the verdict:

- ``all`` (the default): every attempt passes;
- ``any``: at least one does;
- ``at_least K``: K or more do;
- ``rate R``: the share that passes is R or more.

Adaptive (``--confirm``): an example first runs once; the runner adds attempts only while the
comparison with the baseline is undecided (``evalkit.stats.outcome_decided``), up to ``max``.

The result of a repeated example is its last attempt's, with the rule's verdict, the mean score
and ``repeats`` (every attempt, the pass-rate and score intervals). Mixed outcomes are marked
``flaky``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from evalkit.errors import ConfigError
from evalkit.manifest.limits import MAX_ATTEMPTS
from evalkit.runner.results import Attempt, ExampleResult, Repeats, Verdict
from evalkit.stats import mean_interval, wilson_interval

#: the most attempts of one example, whatever asks for them (the manifest's limit)
MAX_TIMES = MAX_ATTEMPTS
DEFAULT_ADAPTIVE_MAX = 8

_AT_LEAST = re.compile(r"at[_ ]least[ :=]?\s*(\d+)")
_RATE = re.compile(r"rate[ :=]?\s*([0-9]*\.?[0-9]+)")


@dataclass(frozen=True)
class PassRule:
    """What k passes of n attempts mean for the example's verdict."""

    kind: Literal["all", "any", "at_least", "rate"] = "all"
    #: K for ``at_least``, R for ``rate``
    value: float = 0.0

    @classmethod
    def parse(cls, text: str) -> PassRule:
        """``all``, ``any``, ``at_least K`` (or ``at_least:K``), ``rate R`` (0 < R <= 1)."""
        spelled = text.strip().lower()
        if spelled in ("all", "any"):
            return cls(spelled)  # type: ignore[arg-type]
        if found := _AT_LEAST.fullmatch(spelled):
            count = int(found.group(1))
            if count < 1:
                raise ConfigError(f"pass_if {text!r}: at_least needs 1 or more")
            return cls("at_least", count)
        if found := _RATE.fullmatch(spelled):
            rate = float(found.group(1))
            if not 0 < rate <= 1:
                raise ConfigError(f"pass_if {text!r}: a rate is more than 0 and at most 1")
            return cls("rate", rate)
        raise ConfigError(
            f"pass_if {text!r} is not a rule: write all, any, at_least K or rate R (e.g. rate 0.8)"
        )

    def passes(self, passed: int, trials: int) -> bool:
        if trials == 0:
            return False
        if self.kind == "all":
            return passed == trials
        if self.kind == "any":
            return passed > 0
        if self.kind == "at_least":
            return passed >= self.value
        return passed / trials >= self.value - 1e-12

    def __str__(self) -> str:
        if self.kind == "at_least":
            return f"at_least {int(self.value)}"
        if self.kind == "rate":
            return f"rate {self.value:g}"
        return self.kind


@dataclass(frozen=True)
class RepeatPolicy:
    """How often one example runs."""

    times: int = 1
    pass_if: PassRule = PassRule()
    #: ``--confirm``: start with one attempt, add more while undecided, up to this many
    adaptive_max: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.times <= MAX_TIMES:
            raise ConfigError(f"repeat {self.times}: an example runs 1 to {MAX_TIMES} times")
        if self.adaptive_max is not None and not 1 <= self.adaptive_max <= MAX_TIMES:
            raise ConfigError(
                f"adaptive max {self.adaptive_max}: an example runs 1 to {MAX_TIMES} times"
            )

    @property
    def repeated(self) -> bool:
        return self.times > 1 or self.adaptive_max is not None

    @property
    def first_attempts(self) -> int:
        return 1 if self.adaptive_max is not None else self.times

    @property
    def most_attempts(self) -> int:
        return self.adaptive_max if self.adaptive_max is not None else self.times


def combine(
    attempts: Sequence[ExampleResult], policy: RepeatPolicy, *, confidence: float = 0.95
) -> ExampleResult:
    """One result from an example's attempts (in the order they ended; none cancelled)."""
    if not policy.repeated:
        return attempts[-1]
    passed = sum(1 for attempt in attempts if attempt.verdict is Verdict.PASS)
    trials = len(attempts)
    verdict = _verdict(attempts, policy.pass_if.passes(passed, trials))
    shown = _representative(attempts, verdict)
    scores = [attempt.score for attempt in attempts if attempt.score is not None]
    mean, score_interval = mean_interval(scores, confidence) if scores else (None, None)
    pass_interval = wilson_interval(passed, trials, confidence)
    repeats = Repeats(
        trials=trials,
        passes=passed,
        pass_if=str(policy.pass_if),
        attempts=[_attempt(attempt) for attempt in attempts],
        pass_interval=[pass_interval.low, pass_interval.high],
        # Scores lie in [0, 1]; a t interval does not know it.
        score_interval=(
            [max(0.0, score_interval.low), min(1.0, score_interval.high)]
            if score_interval is not None
            else None
        ),
        confidence=confidence,
        adaptive=policy.adaptive_max is not None,
        most=policy.adaptive_max,
    )
    extra = {"flaky": True} if 0 < passed < trials else {}
    return shown.model_copy(
        update={
            "verdict": verdict,
            "score": _rounded(mean) if mean is not None else None,
            "repeats": repeats,
            **extra,
        }
    )


def _verdict(attempts: Sequence[ExampleResult], rule_met: bool) -> Verdict:
    if rule_met:
        return Verdict.PASS
    judged = [attempt.verdict for attempt in attempts if attempt.verdict is not Verdict.ERROR]
    if not judged:
        return Verdict.ERROR
    # The rule failed: the best verdict that is not a pass, so partial credit shows.
    if Verdict.PARTIAL in judged:
        return Verdict.PARTIAL
    return Verdict.FAIL


def _representative(attempts: Sequence[ExampleResult], verdict: Verdict) -> ExampleResult:
    """The attempt shown as the example: the last with the verdict, else the last one."""
    for attempt in reversed(attempts):
        if attempt.verdict is verdict:
            return attempt
    if verdict is not Verdict.PASS:
        for attempt in reversed(attempts):
            if attempt.verdict is not Verdict.PASS:
                return attempt
    return attempts[-1]


def _attempt(result: ExampleResult) -> Attempt:
    return Attempt(
        verdict=result.verdict,
        score=result.score,
        execution_id=result.execution.id if result.execution is not None else None,
        error=f"{result.error.kind.value}: {result.error.message}" if result.error else None,
        feedback_written=result.feedback.written,
        total_ms=result.durations.total_ms,
        execution_ms=result.durations.execution_ms,
        cost=result.cost,
        model=result.model,
    )


def _rounded(value: float) -> float:
    return 0.0 if math.isclose(value, 0.0, abs_tol=1e-12) else round(value, 6)
