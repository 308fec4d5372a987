"""Each agent's trend in the HTML report: its pass rate over earlier runs and this one, as a
small inline SVG line chart (no script, no network).

The earlier runs come from their summaries (``evalkit.report.history``: ``evalkit run
--history DIR``, ``evalkit report --history DIR``); this run is the last point. The chart is
accessible: a ``<title>`` and a ``<desc>`` that lists every figure, and each point has its own
tooltip (pass rate, mean score, run).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape

from evalkit.report.history import AgentPoint, History, RunPoint, percent_text, run_point
from evalkit.report.loading import RunResults
from evalkit.report.markdown_text import code_span
from evalkit.runner.results import Verdict

WIDTH = 360
HEIGHT = 120
#: room for the axis labels (left) and the points' circles (around)
LEFT, RIGHT, TOP, BOTTOM = 34, 12, 10, 22


@dataclass(frozen=True)
class TrendPoint:
    label: str
    point: AgentPoint
    current: bool = False


def trend_points(run: RunResults) -> dict[str, list[TrendPoint]]:
    """Per agent of this run, its points: the earlier runs that ran it (oldest first), then
    this run. Empty without earlier runs."""
    history: History | None = run.history
    if history is None or not history.runs:
        return {}
    current = _current(run)
    earlier = [past for past in history.runs if past.run_id != current.run_id]
    if not earlier:
        return {}
    trends: dict[str, list[TrendPoint]] = {}
    for agent in sorted(current.agents):
        points = [
            TrendPoint(past.label, past.agents[agent]) for past in earlier if agent in past.agents
        ]
        points.append(TrendPoint(f"{current.label} (this run)", current.agents[agent], True))
        trends[agent] = points
    return trends


def _current(run: RunResults) -> RunPoint:
    """This run as a point: from its summary, else from its results."""
    if run.summary is not None:
        return run_point(run.summary, run.source or Path())
    by_agent: dict[str, list[float | None]] = {}
    passed: dict[str, int] = {}
    for result in run.results:
        by_agent.setdefault(result.agent, []).append(result.score)
        passed[result.agent] = passed.get(result.agent, 0) + (result.verdict is Verdict.PASS)
    agents = {}
    for agent, scores in by_agent.items():
        known = [score for score in scores if score is not None]
        agents[agent] = AgentPoint(
            examples=len(scores),
            passed=passed[agent],
            mean_score=sum(known) / len(known) if known else None,
        )
    run_id = run.results[0].run_id if run.results else "(this run)"
    started = min((r.started_at for r in run.results if r.started_at), default="")
    total = sum(point.examples for point in agents.values())
    rate = sum(point.passed for point in agents.values()) / total if total else 1.0
    return RunPoint(run_id, started, run.source or Path(), None, None, "", rate, agents)


def trend_chart(agent: str, points: list[TrendPoint]) -> Markup:
    """A line of the pass rate (0 to 100%) over the runs, oldest left, this run last."""
    title = f"Pass rate of {agent} over the last {len(points)} runs"
    span_x = WIDTH - LEFT - RIGHT
    span_y = HEIGHT - TOP - BOTTOM
    step = span_x / max(len(points) - 1, 1)

    def x_of(index: int) -> float:
        return LEFT + index * step if len(points) > 1 else LEFT + span_x / 2

    def y_of(rate: float) -> float:
        return TOP + span_y * (1 - max(0.0, min(rate, 1.0)))

    tips = [_tip(point) for point in points]
    parts = [
        f'<svg class="chart trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"'
        f' aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title><desc>{escape('; '.join(tips))}</desc>"
    ]
    for rate in (0.0, 0.5, 1.0):
        y = y_of(rate)
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"'
            ' stroke="#d0d7de" stroke-dasharray="2 3"/>'
            f"{_tick(LEFT - 4, y + 3, 'end', f'{rate:.0%}')}"
        )
    coordinates = " ".join(
        f"{x_of(i):.1f},{y_of(p.point.pass_rate):.1f}" for i, p in enumerate(points)
    )
    parts.append(
        f'<polyline class="line" points="{coordinates}" fill="none" stroke="#0969da"'
        ' stroke-width="2"/>'
    )
    for index, (point, tip) in enumerate(zip(points, tips, strict=True)):
        kind, radius, fill = ("current", 5, "#1f2328") if point.current else ("", 3.5, "#0969da")
        parts.append(
            f'<circle class="{f"point {kind}".strip()}" cx="{x_of(index):.1f}"'
            f' cy="{y_of(point.point.pass_rate):.1f}" r="{radius}" fill="{fill}">'
            f"<title>{escape(tip)}</title></circle>"
        )
    first, last = points[0], points[-1]
    parts.append(_tick(x_of(0), HEIGHT - 6, "start", first.label[:10]))
    parts.append(
        _tick(x_of(len(points) - 1), HEIGHT - 6, "end", "this run" if last.current else last.label)
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def _tick(x: float, y: float, anchor: str, text: str) -> str:
    """An axis label; its anchor inline (the report's CSS centres every ``.axis`` text)."""
    return (
        f'<text class="tick" x="{x:.1f}" y="{y:.1f}" fill="#57606a"'
        f' style="text-anchor:{anchor}">{escape(text)}</text>'
    )


def _tip(point: TrendPoint) -> str:
    figures = point.point
    score = f", mean score {figures.mean_score:.2f}" if figures.mean_score is not None else ""
    return (
        f"{point.label}: pass rate {percent_text(figures.pass_rate)} "
        f"({figures.passed}/{figures.examples}){score}"
    )


def trend_charts(run: RunResults) -> list[tuple[str, Markup]]:
    """(caption, svg) per agent, for the report's charts."""
    return [
        (f"Pass rate trend: {agent}", trend_chart(agent, points))
        for agent, points in trend_points(run).items()
    ]


def trend_markdown(run: RunResults) -> str:
    """Each agent's pass rate over the earlier runs and this one, for the Markdown summary
    (a pull-request comment): ``33% → 67% → **100%**``; '' without earlier runs."""
    trends = trend_points(run)
    if not trends:
        return ""
    lines = ["", f"### Pass-rate trend ({_runs(trends)})", ""]
    for agent, points in trends.items():
        rates = [percent_text(point.point.pass_rate) for point in points]
        rates[-1] = f"**{rates[-1]}**"
        lines.append(f"- {code_span(agent)}: {' → '.join(rates)}")
    return "\n".join([*lines, ""])


def _runs(trends: dict[str, list[TrendPoint]]) -> str:
    most = max(len(points) for points in trends.values())
    return f"the last {most - 1} earlier run(s), then this one"
