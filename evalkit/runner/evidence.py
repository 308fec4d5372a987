"""A run against its baseline, with evidence: per example, per suite and for the whole run.

Per example (``changes``): regression, improvement, unchanged, new or removed, decided by
``evalkit.stats.classify`` (an exact test on the pass counts, Welch's test on the scores; where
no test could decide, one attempt on each side or too few for any outcome to be significant,
a plain pass→fail of the combined verdicts, marked not significant and untestable).

Per suite and run (``deltas``): the change in pass rate and mean score over the examples both
runs hold, with an interval from the attempts' randomness, the examples held fixed
(``stats.rate_change_interval``, for the mean score too). The verdict reads the pass-rate
interval: wholly below zero is a regression, wholly above an improvement, else noise.

Quarantined and cancelled examples are left out of all of it, as gates leave them out.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from evalkit.compare.numeric import floored
from evalkit.runner.gates import judged
from evalkit.runner.results import Delta, ExampleBrief, ExampleChange, RunSummary, Verdict
from evalkit.stats import (
    Attempts,
    Interval,
    classify_example,
    minimum_detectable_drop,
    rate_change_interval,
)

ExampleKey = tuple[str, str, str]


@dataclass(frozen=True)
class Evidence:
    changes: list[ExampleChange]
    deltas: list[Delta]

    def significant_regressions(self) -> list[ExampleChange]:
        return [c for c in self.changes if c.change == "regression" and c.significant]

    def regressions(self) -> list[ExampleChange]:
        return [c for c in self.changes if c.change == "regression"]

    def delta_of(self, suite: str, *, only_suite: bool) -> Delta | None:
        """The suite's delta; the run's when it is the run's only suite."""
        for delta in self.deltas:
            if delta.scope == suite:
                return delta
        return self.deltas[0] if only_suite and self.deltas else None


def key_of(brief: ExampleBrief) -> ExampleKey:
    return (brief.kind, brief.agent, brief.example)


def judged_briefs(briefs: Iterable[ExampleBrief]) -> list[ExampleBrief]:
    """The examples the gates judge (``gates.judged``), those an interrupt cancelled aside."""
    return [brief for brief in judged(briefs) if brief.verdict is not Verdict.CANCELLED]


def weigh(
    baseline: RunSummary,
    current: Sequence[ExampleBrief],
    *,
    confidence: float,
    undecided: Collection[ExampleKey] = (),
) -> Evidence:
    """Every example of either run, classified; the run and each suite's delta.
    ``undecided``: the examples --confirm stopped confirming when --max-executions ran out."""
    before = {key_of(brief): brief for brief in judged_briefs(baseline.examples)}
    after = {key_of(brief): brief for brief in judged_briefs(current)}
    alpha = 1 - confidence
    # By name, so that two runs of one manifest list their changes alike, whatever order
    # their examples finished in.
    changes = [
        _change(key, before.get(key), after.get(key), alpha, undecided=key in undecided)
        for key in sorted({*after, *before})
    ]
    adaptive = any(brief.looks > 1 for brief in (*before.values(), *after.values()))
    suites = sorted({key[1] for key in after if key in before})
    deltas = [_delta("run", before, after, confidence)]
    if len(suites) > 1:
        deltas += [
            _delta(suite, _of_suite(before, suite), _of_suite(after, suite), confidence)
            for suite in suites
        ]
    if adaptive:
        deltas = [_not_estimated(delta) for delta in deltas]
    return Evidence(changes, deltas)


def once_each(change: ExampleChange) -> bool:
    """One attempt on each side: a plain pass→fail (or back), which no test can decide."""
    return (change.passes_before or [0, 0])[1] == 1 and (change.passes_after or [0, 0])[1] == 1


def compared_plainly(change: ExampleChange) -> bool:
    """No test could decide the example (one attempt each side, or too few attempts for any
    outcome to be significant): its combined verdicts were compared, as without repeats."""
    return change.untestable or once_each(change)  # (a summary older than ``untestable``)


def fell(change: ExampleChange) -> bool:
    """The pass rate is lower now."""
    before, after = change.passes_before, change.passes_after
    if not before or not after or not before[1] or not after[1]:
        return False
    return after[0] * before[1] < before[0] * after[1]


def moved(change: ExampleChange) -> bool:
    """The pass rate or the mean score is not what it was (whatever the test says of it). A
    score moved when it reads differently with the two decimals every report and feedback body
    shows: finer, 0.952381 against the 0.95 of a baseline rebuilt from the platform's feedback
    (``--baseline-batch``, ``diff batch:``) read as noise in an identical run."""
    before, after = change.passes_before, change.passes_after
    if before and after and before[1] and after[1] and before[0] * after[1] != after[0] * before[1]:
        return True
    if change.score_before is not None and change.score_after is not None:
        return floored(change.score_before, 2) != floored(change.score_after, 2)
    return False


def counts_as_regression(change: ExampleChange) -> bool:
    """What ``max_regressions`` counts: a regression the exact test confirms, a plain pass→fail
    where no test could decide (one attempt each side, or too few attempts for any outcome to
    be significant), and one that fell while --max-executions left it undecided (the budget,
    not the evidence, stopped its confirmation)."""
    if change.change == "regression" and (change.significant or compared_plainly(change)):
        return True
    return change.undecided and fell(change)


def smallest_detectable_drop(briefs: Sequence[ExampleBrief], confidence: float) -> float | None:
    """The smallest pass-rate drop this run could detect against a baseline of its size."""
    judged = judged_briefs(briefs)
    if not judged:
        return None
    trials = sum(brief.pass_count[1] for brief in judged)
    passes = sum(brief.pass_count[0] for brief in judged)
    repeats = max(1, round(trials / len(judged)))
    return minimum_detectable_drop(
        len(judged), repeats, passes / trials if trials else 1.0, confidence=confidence
    )


def _of_suite(briefs: dict[ExampleKey, ExampleBrief], suite: str) -> dict[ExampleKey, ExampleBrief]:
    return {key: brief for key, brief in briefs.items() if key[1] == suite}


def _side(brief: ExampleBrief | None) -> Attempts | None:
    if brief is None:
        return None
    passes, trials = brief.pass_count
    scores = brief.attempt_scores or ([brief.score] if brief.score is not None else [])
    passed = brief.verdict is Verdict.PASS
    return Attempts(passes=passes, trials=trials, scores=tuple(scores), passed=passed)


def _change(
    key: ExampleKey,
    before: ExampleBrief | None,
    after: ExampleBrief | None,
    alpha: float,
    *,
    undecided: bool = False,
) -> ExampleChange:
    looks = max(before.looks if before else 1, after.looks if after else 1)
    found = classify_example(_side(before), _side(after), alpha=alpha / looks)
    return ExampleChange(
        kind="agent" if key[0] == "agent" else "workflow",
        agent=key[1],
        example=key[2],
        change=found.kind,
        significant=found.significant,
        p_value=found.p_value,
        test=found.test,
        undecided=undecided and not found.significant,
        untestable=found.untestable,
        passes_before=list(before.pass_count) if before is not None else None,
        passes_after=list(after.pass_count) if after is not None else None,
        score_before=found.baseline_score_mean,
        score_after=found.score_mean,
    )


def _score_mass(brief: ExampleBrief) -> tuple[float, int]:
    """(sum of the attempts' scores, attempts): no score counts as 0."""
    scores = brief.attempt_scores or ([brief.score] if brief.score is not None else [0.0])
    return sum(scores), len(scores)


def _score(brief: ExampleBrief) -> float:
    scores = brief.attempt_scores or ([brief.score] if brief.score is not None else [])
    return sum(scores) / len(scores) if scores else 0.0


def _delta(
    scope: str,
    before: dict[ExampleKey, ExampleBrief],
    after: dict[ExampleKey, ExampleBrief],
    confidence: float,
) -> Delta:
    both = sorted(key for key in after if key in before)  # the interval: order-free
    if not both:
        return Delta(
            scope=scope,
            examples=0,
            pass_rate_before=0.0,
            pass_rate_after=0.0,
            pass_rate_delta=0.0,
            pass_rate_interval=[0.0, 0.0],
            confidence=confidence,
            verdict="noise",
            words="no example ran in both runs: nothing to compare",
        )
    counts = [(*before[key].pass_count, *after[key].pass_count) for key in both]
    rate_before = _mean([k0 / n0 for k0, n0, _, _ in counts])
    rate_after = _mean([k1 / n1 for _, _, k1, n1 in counts])
    rate_interval = rate_change_interval(counts, confidence=confidence)
    scores = [(_score(before[key]), _score(after[key])) for key in both]
    score_interval = rate_change_interval(
        [(*_score_mass(before[key]), *_score_mass(after[key])) for key in both],
        confidence=confidence,
    )
    verdict = _verdict(rate_interval.low, rate_interval.high)
    return Delta(
        scope=scope,
        examples=len(both),
        pass_rate_before=rate_before,
        pass_rate_after=rate_after,
        pass_rate_delta=rate_after - rate_before,
        pass_rate_interval=[rate_interval.low, rate_interval.high],
        score_before=_mean([pair[0] for pair in scores]),
        score_after=_mean([pair[1] for pair in scores]),
        score_delta=_mean([b - a for a, b in scores]),
        score_interval=[score_interval.low, score_interval.high],
        confidence=confidence,
        verdict=verdict,
        words=_words(
            rate_before,
            rate_after,
            rate_interval,
            confidence,
            verdict,
            attempts=any(n0 > 1 or n1 > 1 for _, n0, _, n1 in counts),
        ),
    )


def _not_estimated(delta: Delta) -> Delta:
    """Under --confirm an example that agrees with its baseline stops at one attempt and one
    that disagrees goes on: its k/n depends on its outcomes, so the mean change is biased
    (measured: +6.5 points with no change). The figures are shown; nothing is concluded."""
    words = delta.words.split(", ")[0].split(" (")[0]
    return delta.model_copy(
        update={
            "verdict": "noise",
            "estimated": False,
            "score_interval": None,  # biased the same way: no interval is drawn either
            "words": (
                f"{words}: not estimated, since --confirm stops each example's attempts by its "
                "outcome; compare fixed repeats to gate on the change"
            ),
        }
    )


def _verdict(low: float, high: float) -> str:
    if high < 0:
        return "regression"
    if low > 0:
        return "improvement"
    return "noise"


def _words(
    before: float,
    after: float,
    interval: Interval,
    confidence: float,
    verdict: str,
    *,
    attempts: bool,
) -> str:
    """'pass rate 84% → 78% (−6 points, 95% CI −11 to −1): a regression'; with repeats the
    rate is the mean share of passing attempts, not the share of examples that pass their
    rule, and says so ('attempt pass rate')."""
    low, high = interval.low, interval.high
    meaning = {
        "regression": "a regression",
        "improvement": "an improvement",
        "noise": "not distinguishable from noise",
    }[verdict]
    what = "attempt pass rate" if attempts else "pass rate"
    change = points(after - before)
    unit = "point" if change in ("+1", "−1") else "points"
    return (
        f"{what} {before:.0%} → {after:.0%} ({change} {unit}, "
        f"{confidence:.0%} CI {points(low)} to {points(high)}): {meaning}"
    )


def points(fraction: float) -> str:
    """A pass-rate change in percentage points, signed with a true minus: '−6', '+3', '0'."""
    value = round(fraction * 100)
    if value == 0:
        return "0"
    return f"+{value}" if value > 0 else f"−{-value}"


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
