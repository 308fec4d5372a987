"""Quality gates: pure functions from a run's counts to pass/fail outcomes.

Gates come from the manifest (``gates:``) and from flags; a flag wins over the manifest.
With no gate configured at all, the default is that every example must pass
(``min_pass_rate: 1.0``): a run that silently tolerates failures would hide regressions.

- ``min_pass_rate``: passed / selected examples (partials, failures, errors count against it).
- ``max_failures``: examples that did not pass (partial, fail, error; cancelled do not count).
- ``max_regressions``: examples that passed in the baseline and do not now (needs a baseline);
  when either run repeated its examples, only the regressions the exact test confirms count.
- ``min_pass_rate_delta`` / ``min_score_delta``: the change against the baseline, over the
  examples both ran; they fail only when the whole confidence interval of the change lies
  below the limit (the evidence says it is worse than allowed, not merely that it might be).

Quarantined examples (tag ``quarantine``) are left out of every gate: they run and are
reported, but a known-bad example must not fail the pull request (``gate_counts``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from typing import TypeVar

from evalkit.errors import ConfigError
from evalkit.manifest.limits import GATE_RANGES
from evalkit.runner.results import Counts, Delta, ExampleBrief, GateOutcome, is_flagged

DEFAULT_MIN_PASS_RATE = 1.0
#: the gate that needs a baseline: without one it is not checked (``GateOutcome.checked``)
REGRESSION_GATE = "max_regressions"
_N = TypeVar("_N", int, float)


@dataclass(frozen=True)
class GateConfig:
    min_pass_rate: float | None = None
    max_failures: int | None = None
    max_regressions: int | None = None
    #: the lowest change of pass rate against the baseline (-1..1, e.g. -0.05)
    min_pass_rate_delta: float | None = None
    #: the lowest change of mean score against the baseline (-1..1)
    min_score_delta: float | None = None

    def __post_init__(self) -> None:
        # The command line's options refuse these values; a library caller gets the same.
        for name, (whole, low, high) in GATE_RANGES.items():
            value = getattr(self, name)
            if value is None:
                continue
            allowed = f"{low} or more" if high is None else f"{low} to {high}"
            if isinstance(value, bool) or not isinstance(value, int if whole else int | float):
                kind = "a whole number" if whole else "a number"
                raise ConfigError(f"GateConfig.{name} is {value!r}: give {kind} ({allowed})")
            if value < low or (high is not None and value > high):
                raise ConfigError(f"GateConfig.{name} is {value!r}: it must be {allowed}")

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, gate.name) is None for gate in fields(self))

    def overridden_by(self, flags: GateConfig) -> GateConfig:
        """This config with every gate set in ``flags`` replaced by the flag's value."""
        return replace(
            self,
            **{
                gate.name: _first(getattr(flags, gate.name), getattr(self, gate.name))
                for gate in fields(self)
            },
        )

    def effective(self) -> GateConfig:
        """The gates that apply: the default pass-rate gate when nothing is configured."""
        return GateConfig(min_pass_rate=DEFAULT_MIN_PASS_RATE) if self.is_empty else self


def _first(preferred: _N | None, fallback: _N | None) -> _N | None:
    return preferred if preferred is not None else fallback


def evaluate_gates(
    config: GateConfig,
    counts: Counts,
    regressions: int | None = None,
    delta: Delta | None = None,
) -> list[GateOutcome]:
    """Every configured gate's outcome, in a fixed order. ``regressions`` and ``delta`` are
    None without a baseline; the gates that need one are then ``checked=False`` (they fail
    nothing) with a message saying so."""
    gates = config.effective()
    outcomes: list[GateOutcome] = []
    if gates.min_pass_rate is not None and counts.total == 0:
        outcomes.append(
            GateOutcome(
                name="min_pass_rate",
                passed=True,
                limit=gates.min_pass_rate,
                actual=counts.pass_rate,
                message=(
                    "pass rate not checked: no example to judge (an empty shard, or every "
                    "example quarantined or cancelled)"
                ),
                checked=False,
            )
        )
    elif gates.min_pass_rate is not None:
        rate = counts.pass_rate
        outcomes.append(
            GateOutcome(
                name="min_pass_rate",
                passed=rate >= gates.min_pass_rate,
                limit=gates.min_pass_rate,
                actual=rate,
                message=(
                    f"pass rate {rate:.1%} ({counts.passed}/{counts.total}) "
                    f"{'>=' if rate >= gates.min_pass_rate else '<'} "
                    f"minimum {gates.min_pass_rate:.1%}"
                ),
            )
        )
    if gates.max_failures is not None:
        failures = counts.partial + counts.failed + counts.errors
        outcomes.append(
            GateOutcome(
                name="max_failures",
                passed=failures <= gates.max_failures,
                limit=gates.max_failures,
                actual=failures,
                message=(
                    f"{failures} did not pass "
                    f"({'within' if failures <= gates.max_failures else 'over'} "
                    f"the maximum of {gates.max_failures})"
                ),
            )
        )
    if gates.max_regressions is not None:
        if regressions is None:
            outcomes.append(
                GateOutcome(
                    name=REGRESSION_GATE,
                    passed=True,
                    limit=gates.max_regressions,
                    actual=0,
                    message="regressions not checked: no baseline given (--baseline)",
                    checked=False,
                )
            )
        else:
            outcomes.append(
                GateOutcome(
                    name=REGRESSION_GATE,
                    passed=regressions <= gates.max_regressions,
                    limit=gates.max_regressions,
                    actual=regressions,
                    message=(
                        f"{regressions} regression{'s' if regressions != 1 else ''} against "
                        f"the baseline (maximum {gates.max_regressions})"
                    ),
                )
            )
    outcomes += _delta_gates(gates, delta)
    return outcomes


def _delta_gates(gates: GateConfig, delta: Delta | None) -> list[GateOutcome]:
    outcomes: list[GateOutcome] = []
    checks = (
        ("min_pass_rate_delta", gates.min_pass_rate_delta, "pass rate"),
        ("min_score_delta", gates.min_score_delta, "mean score"),
    )
    for name, limit, what in checks:
        if limit is None:
            continue
        if delta is None or delta.examples == 0 or not delta.estimated:
            why = (
                "no baseline given (--baseline)"
                if delta is None
                else "no example in both runs"
                if delta.examples == 0
                else "--confirm biases it (attempts stop by outcome): gate on fixed repeats"
            )
            outcomes.append(
                GateOutcome(
                    name=name,
                    passed=True,
                    limit=limit,
                    actual=0,
                    message=f"{what} change not checked: {why}",
                    checked=False,
                )
            )
            continue
        if name == "min_pass_rate_delta":
            change, interval = delta.pass_rate_delta, delta.pass_rate_interval
            shown = f"{delta.words}; "
            scale, unit = 100, " points"
        else:
            change, interval = delta.score_delta or 0.0, delta.score_interval or [0.0, 0.0]
            shown = f"mean score {delta.score_before:.2f} → {delta.score_after:.2f}; "
            scale, unit = 1, ""
        high = interval[1]
        passed = high >= limit
        outcomes.append(
            GateOutcome(
                name=name,
                passed=passed,
                limit=limit,
                actual=change,
                message=(
                    f"{shown}{delta.confidence:.0%} CI up to {_signed(high * scale)}{unit} "
                    f"{'reaches' if passed else 'stays below'} the minimum change "
                    f"{_signed(limit * scale)}{unit}"
                ),
            )
        )
    return outcomes


def _signed(value: float) -> str:
    text = f"{abs(value):.3g}"
    if text == "0":
        return "0"
    return f"+{text}" if value > 0 else f"−{text}"


def all_passed(outcomes: list[GateOutcome]) -> bool:
    return all(outcome.passed for outcome in outcomes)


def judged(briefs: Iterable[ExampleBrief]) -> list[ExampleBrief]:
    """The examples gates judge: all but the quarantined ones."""
    return [brief for brief in briefs if not is_flagged(brief, "quarantined")]


def gate_counts(briefs: Iterable[ExampleBrief]) -> Counts:
    """The counts the gates see: the verdicts of the examples that are not quarantined."""
    counts = Counts()
    for brief in judged(briefs):
        counts.add(brief.verdict)
    return counts
