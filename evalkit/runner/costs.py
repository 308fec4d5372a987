"""What executions cost and how long they took: the figures a result records, and each
agent's usage in the summary (``AgentUsage``).

The platform reports an execution's ``cost`` as an open object (contract A3: on the answer of
a run held until it ended) and its ``model`` (A5: on the execution). evalkit does not guess a
currency: it keeps the cost's numbers and short texts under the platform's own keys (e.g.
``credits``), sums the numbers per agent, and keeps a text key (e.g. ``currency``) when every
costed execution gave it alike. ``durationMs`` is a time, not a cost: the execution's own time
(``startedAt`` to ``completedAt``) is already in the result's durations, so it is left out.

Time per agent is the platform time of every execution, attempts of repeated examples
included: p50 and p95 by the nearest-rank method (``evalkit.stats.nearest_rank``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from evalkit.runner.duration_text import duration_text
from evalkit.runner.results import AgentUsage, ExampleResult
from evalkit.stats.nearest_rank import nearest_rank

#: cost keys that are times, not costs (the platform time is in the result's durations)
TIME_KEYS = frozenset({"durationMs"})
#: what one execution's cost may hold: a hostile platform cannot bloat the results
MAX_COST_KEYS = 20
MAX_COST_TEXT = 40


def cost_figures(raw: Any) -> dict[str, float | str] | None:
    """The figures of a reported cost worth keeping: finite numbers and short texts under
    short keys, ``durationMs`` aside; None when nothing is left."""
    if not isinstance(raw, dict):
        return None
    kept: dict[str, float | str] = {}
    for key, value in raw.items():
        if len(kept) >= MAX_COST_KEYS:
            break
        if not isinstance(key, str) or not key or len(key) > MAX_COST_TEXT or key in TIME_KEYS:
            continue
        if isinstance(value, bool):
            continue
        if isinstance(value, (int, float)) and math.isfinite(value) and abs(value) < 1e15:
            kept[key] = float(value) if isinstance(value, float) else value
        elif isinstance(value, str) and len(value) <= MAX_COST_TEXT:
            kept[key] = value
    return kept or None


@dataclass(frozen=True)
class Execution:
    """One execution's figures, from a result or one attempt of a repeated result."""

    execution_ms: int | None
    cost: dict[str, float | str] | None
    model: str | None


def executions_of(result: ExampleResult) -> Iterator[Execution]:
    """Every execution a result stands for: each attempt of a repeated example, else itself."""
    if result.repeats is not None and result.repeats.attempts:
        for attempt in result.repeats.attempts:
            yield Execution(attempt.execution_ms, attempt.cost, attempt.model)
    else:
        yield Execution(result.durations.execution_ms, result.cost, result.model)


@dataclass
class _AgentFigures:
    times: list[int] = field(default_factory=list)
    costed: int = 0
    sums: dict[str, float] = field(default_factory=dict)
    texts: dict[str, set[str]] = field(default_factory=dict)
    #: text keys some costed execution did not give (then no unit is claimed for them)
    missing_texts: set[str] = field(default_factory=set)
    models: Counter[str] = field(default_factory=Counter)

    def add(self, execution: Execution) -> None:
        if execution.execution_ms is not None:
            self.times.append(execution.execution_ms)
        if execution.model:
            self.models[execution.model] += 1
        if execution.cost:
            self._add_cost(execution.cost)

    def _add_cost(self, cost: dict[str, float | str]) -> None:
        texts = {key for key, value in cost.items() if isinstance(value, str)}
        if self.costed:
            self.missing_texts |= set(self.texts) ^ texts
        for key, value in cost.items():
            if isinstance(value, str):
                self.texts.setdefault(key, set()).add(value)
            else:
                self.sums[key] = self.sums.get(key, 0.0) + value
        self.costed += 1

    def usage(self, agent: str) -> AgentUsage:
        units = {
            key: next(iter(values))
            for key, values in sorted(self.texts.items())
            if len(values) == 1 and key not in self.missing_texts
        }
        return AgentUsage(
            agent=agent,
            executions=len(self.times),
            p50_ms=round(nearest_rank(self.times, 50)) if self.times else None,
            p95_ms=round(nearest_rank(self.times, 95)) if self.times else None,
            costed=self.costed,
            cost={key: _rounded(total) for key, total in sorted(self.sums.items())},
            cost_units=units,
            models=sorted(self.models),
        )


@dataclass
class UsageTally:
    """Each agent's figures, fed one result at a time (the runner keeps no whole results)."""

    _agents: dict[str, _AgentFigures] = field(default_factory=dict)

    def add(self, result: ExampleResult) -> None:
        figures = self._agents.setdefault(result.agent, _AgentFigures())
        for execution in executions_of(result):
            figures.add(execution)

    def usage(self) -> list[AgentUsage]:
        return [self._agents[agent].usage(agent) for agent in sorted(self._agents)]


def usage_of(results: Iterable[ExampleResult]) -> list[AgentUsage]:
    """Each agent's usage over ``results`` (sorted by agent)."""
    tally = UsageTally()
    for result in results:
        tally.add(result)
    return tally.usage()


def any_cost(usage: Sequence[AgentUsage]) -> bool:
    return any(agent.costed for agent in usage)


def cost_text(agent: AgentUsage) -> str:
    """``credits 0.006``, units after the figures: ``amount 0.03 (currency USD)``; '' when
    no execution reported a cost."""
    if not agent.costed:
        return ""
    shown = ", ".join(f"{key} {_number(total)}" for key, total in agent.cost.items())
    units = ", ".join(f"{key} {unit}" for key, unit in agent.cost_units.items())
    if units:
        shown = f"{shown} ({units})" if shown else units
    shown = shown or "reported, no figures"
    if agent.costed < agent.executions:
        shown += f" ({agent.costed} of {agent.executions} executions reported one)"
    return shown


def time_text(agent: AgentUsage) -> str:
    """``p50 1.2 s, p95 3.4 s`` of the platform time; '' without one."""
    if agent.p50_ms is None or agent.p95_ms is None:
        return ""
    return f"p50 {duration_text(agent.p50_ms / 1000)}, p95 {duration_text(agent.p95_ms / 1000)}"


def usage_heading(usage: Sequence[AgentUsage]) -> str:
    """What the terminal's usage lines show: the cost is named only when some was reported."""
    return "time on the platform and cost" if any_cost(usage) else "time on the platform"


def usage_lines(usage: Sequence[AgentUsage]) -> list[str]:
    """The terminal's lines: one per agent with a time or a cost."""
    lines = []
    for agent in usage:
        facts = [text for text in (time_text(agent), _cost_fact(agent)) if text]
        if agent.models:
            facts.append("model " + ", ".join(agent.models))
        if facts:
            lines.append(f"{agent.agent}: " + "; ".join(facts))
    return lines


def _cost_fact(agent: AgentUsage) -> str:
    text = cost_text(agent)
    return f"cost {text}" if text else ""


def _number(value: float) -> str:
    """Up to 6 significant digits, no exponent for everyday sizes: 0.006, 12.5, 1200."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def _rounded(value: float) -> float:
    """Sums of decimal costs without float residue (0.1 + 0.2 is 0.3, not 0.30000000000000004)."""
    return round(value, 9)
