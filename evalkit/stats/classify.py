"""One example, baseline against run: regression, improvement, unchanged, new or removed.

The rule (``classify_example``), given each side's attempts (passes of trials, scores, and
whether the example passed as a whole, its combined verdict):

1. No baseline -> "new"; no run -> "removed" (not significant, no p-value).
2. One attempt on each side: the combined verdicts are compared, pass -> not pass is a
   "regression", back an "improvement", anything else "unchanged"; ``significant`` is False,
   ``p_value`` None and ``untestable`` True (one attempt is no evidence either way; this is
   the plain comparison, as without repeats).
3. More attempts on either side: Fisher's exact test on the pass counts (two-sided). If
   p < alpha, a lower pass rate in the run is a "regression", a higher one an "improvement",
   significant, with that p-value.
4. Otherwise, when each side has at least 2 scores, the scores vary on at least one side, and
   Welch's t-test on the scores gives p < alpha, a lower mean score is a "regression", a
   higher one an "improvement", significant, with the Welch p-value (the pass counts did not
   separate, the scores do). Scores constant on both sides (all 1.0 against all 0.0) say no
   more than the pass counts, so they are left to Fisher's test.
5. Otherwise, when no outcome of these attempts could be significant (``fisher.separable``:
   3 against 3, or 1 against 5, at 0.05), the test cannot tell a collapse from noise, so it
   does not get the last word: the combined verdicts are compared as in 2, ``untestable``,
   keeping Fisher's p. A gate on regressions then fails on 3/3 -> 0/3 as it does on a single
   pass -> fail, never passes because the sample was too small to judge.
6. Otherwise "unchanged", not significant, keeping the Fisher p-value: any difference in the
   pass rate or mean score is noise (``is_noise`` tells the reports to list it as such).

Assumes each side's attempts are independent repetitions of the same example.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from evalkit.stats.fisher import fisher_exact, separable
from evalkit.stats.means import mean, welch_p_value
from evalkit.stats.proportions import check_counts

ChangeKind = Literal["regression", "improvement", "unchanged", "new", "removed"]
Test = Literal["fisher", "welch"]


@dataclass(frozen=True)
class Attempts:
    """One side of the comparison: ``passes`` of ``trials`` attempts, their scores, and
    ``passed``: the example's combined verdict (None: passed when every attempt did)."""

    passes: int
    trials: int
    scores: tuple[float, ...] = field(default=())
    passed: bool | None = None

    def __post_init__(self) -> None:
        check_counts(self.passes, self.trials)
        if self.trials == 0:
            raise ValueError("a side with no attempts is no side: pass None instead")
        object.__setattr__(self, "scores", tuple(float(score) for score in self.scores))

    @property
    def pass_rate(self) -> float:
        return self.passes / self.trials

    @property
    def verdict_passed(self) -> bool:
        return self.passes == self.trials if self.passed is None else self.passed

    @property
    def score_mean(self) -> float | None:
        return mean(self.scores) if self.scores else None


@dataclass(frozen=True)
class ExampleChange:
    """The verdict on one example and the numbers behind it."""

    kind: ChangeKind
    significant: bool
    p_value: float | None
    test: Test | None  # which test gave p_value
    baseline: Attempts | None
    current: Attempts | None
    #: no outcome of these attempts could be significant: the combined verdicts decided
    untestable: bool = False

    @property
    def baseline_pass_rate(self) -> float | None:
        return None if self.baseline is None else self.baseline.pass_rate

    @property
    def pass_rate(self) -> float | None:
        return None if self.current is None else self.current.pass_rate

    @property
    def pass_rate_delta(self) -> float | None:
        if self.baseline is None or self.current is None:
            return None
        return self.current.pass_rate - self.baseline.pass_rate

    @property
    def baseline_score_mean(self) -> float | None:
        return None if self.baseline is None else self.baseline.score_mean

    @property
    def score_mean(self) -> float | None:
        return None if self.current is None else self.current.score_mean

    @property
    def score_delta(self) -> float | None:
        before, after = self.baseline_score_mean, self.score_mean
        return None if before is None or after is None else after - before

    @property
    def is_noise(self) -> bool:
        """Unchanged, yet the observed pass rate or mean score moved (not significantly)."""
        return self.kind == "unchanged" and any(
            delta not in (None, 0.0) for delta in (self.pass_rate_delta, self.score_delta)
        )


def _direction(delta: float) -> ChangeKind:
    if delta < 0:
        return "regression"
    return "improvement" if delta > 0 else "unchanged"


def classify_example(
    baseline: Attempts | None, current: Attempts | None, *, alpha: float = 0.05
) -> ExampleChange:
    """Classify one example by the rule in this module's docstring."""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"a significance level must be between 0 and 1 (e.g. 0.05), got {alpha}")
    if baseline is None and current is None:
        raise ValueError("an example needs a baseline, a run, or both")
    if baseline is None or current is None:
        kind: ChangeKind = "new" if baseline is None else "removed"
        return ExampleChange(kind, False, None, None, baseline, current)
    if baseline.trials == 1 and current.trials == 1:
        kind = _by_verdicts(baseline, current)
        return ExampleChange(kind, False, None, None, baseline, current, untestable=True)
    p = fisher_exact(baseline.passes, baseline.trials, current.passes, current.trials)
    rate_delta = current.pass_rate - baseline.pass_rate
    if p < alpha and rate_delta != 0:
        return ExampleChange(_direction(rate_delta), True, p, "fisher", baseline, current)
    # Scores that do not vary on either side tell nothing the pass counts do not: Welch's test
    # would call any difference of two constants certain (p = 0), even at 2 attempts.
    varied = _varies(current.scores) or _varies(baseline.scores)
    score_p = welch_p_value(current.scores, baseline.scores) if varied else None
    if score_p is not None and score_p < alpha:
        score_delta = mean(current.scores) - mean(baseline.scores)
        if score_delta != 0:
            kind = _direction(score_delta)
            return ExampleChange(kind, True, score_p, "welch", baseline, current)
    if not separable(baseline.trials, current.trials, alpha):
        kind = _by_verdicts(baseline, current)
        return ExampleChange(kind, False, p, "fisher", baseline, current, untestable=True)
    return ExampleChange("unchanged", False, p, "fisher", baseline, current)


def _by_verdicts(baseline: Attempts, current: Attempts) -> ChangeKind:
    """The plain comparison: pass -> not pass a regression, back an improvement."""
    return _direction(int(current.verdict_passed) - int(baseline.verdict_passed))


def _varies(scores: tuple[float, ...]) -> bool:
    return len(set(scores)) > 1
