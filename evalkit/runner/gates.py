"""Quality gates: pure functions from a run's counts to pass/fail outcomes.

Gates come from the manifest (``gates:``) and from flags; a flag wins over the manifest.
With no gate configured at all, the default is that every example must pass
(``min_pass_rate: 1.0``): a run that silently tolerates failures would hide regressions.

- ``min_pass_rate``: passed / selected examples (partials, failures, errors count against it).
- ``max_failures``: examples that did not pass (partial, fail, error; cancelled do not count).
- ``max_regressions``: examples that passed in the baseline and do not now (needs a baseline).

Quarantined examples (tag ``quarantine``) are left out of every gate: they run and are
reported, but a known-bad example must not fail the pull request (``gate_counts``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TypeVar

from evalkit.runner.results import Counts, ExampleBrief, GateOutcome, is_flagged

DEFAULT_MIN_PASS_RATE = 1.0
#: the gate that needs a baseline: without one it is not checked (``GateOutcome.checked``)
REGRESSION_GATE = "max_regressions"
_N = TypeVar("_N", int, float)


@dataclass(frozen=True)
class GateConfig:
    min_pass_rate: float | None = None
    max_failures: int | None = None
    max_regressions: int | None = None

    @property
    def is_empty(self) -> bool:
        return (
            self.min_pass_rate is None
            and self.max_failures is None
            and (self.max_regressions is None)
        )

    def overridden_by(self, flags: GateConfig) -> GateConfig:
        """This config with every gate set in ``flags`` replaced by the flag's value."""
        return replace(
            self,
            min_pass_rate=_first(flags.min_pass_rate, self.min_pass_rate),
            max_failures=_first(flags.max_failures, self.max_failures),
            max_regressions=_first(flags.max_regressions, self.max_regressions),
        )

    def effective(self) -> GateConfig:
        """The gates that apply: the default pass-rate gate when nothing is configured."""
        return GateConfig(min_pass_rate=DEFAULT_MIN_PASS_RATE) if self.is_empty else self


def _first(preferred: _N | None, fallback: _N | None) -> _N | None:
    return preferred if preferred is not None else fallback


def evaluate_gates(
    config: GateConfig, counts: Counts, regressions: int | None = None
) -> list[GateOutcome]:
    """Every configured gate's outcome, in a fixed order. ``regressions`` is None without a
    baseline; the regression gate is then ``checked=False`` (it fails nothing) with a message
    saying so."""
    gates = config.effective()
    outcomes: list[GateOutcome] = []
    if gates.min_pass_rate is not None:
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
    return outcomes


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
