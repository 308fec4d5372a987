"""Comparing a run with a previous one: which examples regressed.

A regression is an example that passed in the baseline and does not pass now (a partial, a
failure, an error). Examples new since the baseline, or gone from it, are not regressions;
examples cancelled by an interrupt are not judged at all.
"""

from __future__ import annotations

from collections.abc import Iterable

from evalkit.runner.results import ExampleBrief, RunSummary, Verdict

ExampleKey = tuple[str, str, str]


def key_of(brief: ExampleBrief) -> ExampleKey:
    return (brief.kind, brief.agent, brief.example)


def find_regressions(baseline: RunSummary, current: Iterable[ExampleBrief]) -> list[ExampleBrief]:
    """The current examples that passed in ``baseline`` and do not pass now, in run order."""
    passed_before = {key_of(brief) for brief in baseline.examples if brief.verdict is Verdict.PASS}
    return [
        brief
        for brief in current
        if key_of(brief) in passed_before and brief.verdict not in (Verdict.PASS, Verdict.CANCELLED)
    ]
