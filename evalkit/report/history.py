"""The history of runs: each agent's pass rate and mean score over the last runs, read from
their ``summary.json`` files (kept by ``evalkit run`` in ``.evalkit/runs/<run id>/``; in CI, as
artifacts).

    find_history(paths, last=10) -> History      oldest run first
    find_history(paths, before=RunMark(...))      only the runs that started before that one
    history_data(history) -> dict                 the --json form
    history_markdown(history) -> str              a Markdown table per agent

A folder may hold run folders or ``summary.json`` files at any depth, as a downloaded artifact
unpacks. Every file is read as untrusted input (``evalkit.runner.results_file``): one that is
not an evalkit run summary is skipped, with one warning naming it, and the rest make the
history. Runs are ordered by the start time their summary records, not by folder name; a run
found twice (the same summary in two artifacts) counts once. A report's trend (``earlier_runs``
with ``before``) holds only the runs that started before the reported one: a history folder
such as ``.evalkit/runs`` also holds the runs that came after an older run.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from evalkit.compare.numeric import floored
from evalkit.errors import RunError
from evalkit.report.markdown_text import table_row
from evalkit.runner.results import (
    OUTPUT_FILES_FOLDER,
    RESULTS_NAME,
    SUMMARY_NAME,
    AgentUsage,
    ExampleBrief,
    RunSummary,
    Verdict,
)
from evalkit.runner.results_file import ResultsFileError, read_summary_file

DEFAULT_LAST = 10
#: folders never worth walking into when looking for summaries
_SKIPPED_FOLDERS = frozenset({".git", "node_modules", "__pycache__", ".venv"})


@dataclass(frozen=True)
class AgentPoint:
    """One agent in one run."""

    examples: int
    passed: int
    mean_score: float | None
    usage: AgentUsage | None = None

    @property
    def pass_rate(self) -> float:
        return self.passed / self.examples if self.examples else 1.0


@dataclass(frozen=True)
class RunPoint:
    """One run of the history."""

    run_id: str
    started_at: str
    source: Path
    commit: str | None
    branch: str | None
    status: str
    pass_rate: float
    agents: dict[str, AgentPoint]

    @property
    def label(self) -> str:
        """How a table heads the run: its start (UTC, to the second), and its commit."""
        when = self.started_at[:19].replace("T", " ")
        return f"{when} {self.commit[:7]}" if self.commit else when


@dataclass(frozen=True)
class RunMark:
    """A run by its id and recorded start (ISO 8601), for the history before it."""

    run_id: str
    started_at: str


@dataclass
class History:
    runs: list[RunPoint]
    #: where summaries were looked for
    looked_in: list[Path]
    #: one line per file skipped: where, and why
    warnings: list[str] = field(default_factory=list)
    #: runs found in all, before ``last`` kept the newest
    found: int = 0

    @property
    def agents(self) -> list[str]:
        return sorted({name for run in self.runs for name in run.agents})

    def series(self, agent: str) -> list[tuple[RunPoint, AgentPoint | None]]:
        """The agent in each run, oldest first (None where a run did not run it)."""
        return [(run, run.agents.get(agent)) for run in self.runs]


def find_history(
    paths: Sequence[Path], *, last: int = DEFAULT_LAST, before: RunMark | None = None
) -> History:
    """The last ``last`` runs whose summaries lie in ``paths`` (files, or folders searched at
    any depth); with ``before``, only those that started before that run (never the run
    itself, by its id). ``RunError`` when there is none, saying where it looked."""
    if last < 1:
        raise RunError(f"--last {last}: the history needs 1 run or more")
    warnings: list[str] = []
    runs: dict[str, RunPoint] = {}
    cutoff = _moment(before.started_at) if before is not None else None
    if before is not None and cutoff is None:
        warnings.append(
            f"this run's start time {before.started_at!r} is no timestamp: every other run "
            "found counts as earlier"
        )
    later: set[str] = set()  # a run found twice counts once
    for path in _summary_files(paths, warnings):
        try:
            summary = read_summary_file(path)
        except ResultsFileError as err:
            warnings.append(f"{err.where}: skipped, {err.problem}")
            continue
        started = _moment(summary.metadata.started_at)
        if started is None:
            warnings.append(
                f"{path}: skipped, its start time {summary.metadata.started_at!r} is no timestamp"
            )
            continue
        point = run_point(summary, path)
        if not point.agents:  # a run with nothing to run says nothing about quality
            continue
        if before is not None and point.run_id == before.run_id:
            continue  # the run itself (its own folder may lie in the history folder)
        # filtered before ``last`` keeps the newest: those would be the later runs
        if cutoff is not None and started >= cutoff:
            later.add(point.run_id)
            continue
        known = runs.get(point.run_id)
        if known is None or sum(a.examples for a in point.agents.values()) > sum(
            a.examples for a in known.agents.values()
        ):
            runs[point.run_id] = point
    if not runs:
        where = ", ".join(str(path) for path in paths)
        if later and before is not None:
            raise RunError(
                f"no run in {where} started before this run ({before.started_at}): the "
                f"{len(later)} found there started at the same time or after it"
            )
        found_instead = "".join(f"\n  {warning}" for warning in warnings)
        raise RunError(
            f"no run summaries ({SUMMARY_NAME}) with examples found in {where}; run 'evalkit "
            "run' first, or pass the folders that hold the runs (a downloaded history "
            f"artifact){found_instead}"
        )
    ordered = sorted(runs.values(), key=_order)
    return History(ordered[-last:], list(paths), warnings, found=len(ordered))


def run_point(summary: RunSummary, source: Path) -> RunPoint:
    """One summary as a point of the history."""
    usage = {agent.agent: agent for agent in summary.usage}
    by_agent: dict[str, list[ExampleBrief]] = {}
    for brief in summary.examples:
        by_agent.setdefault(brief.agent, []).append(brief)
    agents = {}
    for name, briefs in by_agent.items():
        scores = [brief.score for brief in briefs if brief.score is not None]
        agents[name] = AgentPoint(
            examples=len(briefs),
            passed=sum(1 for brief in briefs if brief.verdict is Verdict.PASS),
            mean_score=sum(scores) / len(scores) if scores else None,
            usage=usage.get(name),
        )
    metadata = summary.metadata
    return RunPoint(
        run_id=metadata.run_id,
        started_at=metadata.started_at,
        source=source,
        commit=metadata.git.commit,
        branch=metadata.git.branch,
        status=summary.status,
        pass_rate=summary.pass_rate,
        agents=agents,
    )


def _summary_files(paths: Iterable[Path], warnings: list[str]) -> list[Path]:
    """Each file given, and every ``summary.json`` below each folder given (symbolic links
    inside a folder are not followed: a downloaded artifact cannot point outside itself)."""
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            for folder, folders, files in os.walk(path):
                # a run folder's files/ holds the agents' output files: one may be named
                # summary.json without being a run's
                skipped = _SKIPPED_FOLDERS | (
                    {OUTPUT_FILES_FOLDER} if RESULTS_NAME in files else set()
                )
                folders[:] = sorted(name for name in folders if name not in skipped)
                if SUMMARY_NAME in files:
                    candidate = Path(folder) / SUMMARY_NAME
                    if candidate.is_symlink():
                        warnings.append(f"{candidate}: skipped, a symbolic link")
                    else:
                        found.append(candidate)
        elif not path.exists():
            warnings.append(f"{path}: does not exist")
    return found


def _order(run: RunPoint) -> tuple[datetime, str]:
    return _moment(run.started_at) or datetime.min.replace(tzinfo=timezone.utc), run.run_id


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def history_data(history: History) -> dict[str, Any]:
    """The --json form: the runs oldest first, then each agent's series."""
    return {
        "runs": [
            {
                "run_id": run.run_id,
                "started_at": run.started_at,
                "commit": run.commit,
                "branch": run.branch,
                "status": run.status,
                "pass_rate": run.pass_rate,
                "summary": str(run.source),
            }
            for run in history.runs
        ],
        "agents": {
            agent: [
                None
                if point is None
                else {
                    "run_id": run.run_id,
                    "examples": point.examples,
                    "passed": point.passed,
                    "pass_rate": point.pass_rate,
                    "mean_score": point.mean_score,
                    **(_usage_data(point.usage) if point.usage is not None else {}),
                }
                for run, point in history.series(agent)
            ]
            for agent in history.agents
        },
        "found": history.found,
        "warnings": history.warnings,
    }


def _usage_data(usage: AgentUsage) -> dict[str, Any]:
    data: dict[str, Any] = {"p50_ms": usage.p50_ms, "p95_ms": usage.p95_ms}
    if usage.costed:
        data["cost"] = usage.cost
        data["cost_units"] = usage.cost_units
    return data


def rate_text(point: AgentPoint | None) -> str:
    """A cell of the table: ``80% 0.92`` (pass rate, mean score; a near miss never reads as
    full marks), ``-`` when not run."""
    if point is None:
        return "-"
    score = f" {_below_full(point.mean_score, 1, 2)}" if point.mean_score is not None else ""
    return f"{percent_text(point.pass_rate)}{score}"


def percent_text(rate: float) -> str:
    """A pass rate in whole percents, rounded, but 249 of 250 never reads 100%."""
    return f"{_below_full(rate * 100, 100, 0)}%"


def _below_full(value: float, full: float, places: int) -> str:
    """``value`` rounded to ``places``, except that a value below ``full`` never reads as
    ``full`` (it is floored then)."""
    text = f"{value:.{places}f}"
    return floored(value, places) if value < full and float(text) >= full else text


def trend_text(history: History, agent: str) -> str:
    """The pass rate's move from the agent's first run in the history to its last."""
    points = [point for _, point in history.series(agent) if point is not None]
    if len(points) < 2:
        return ""
    change = round((points[-1].pass_rate - points[0].pass_rate) * 100)
    if change == 0:
        return "steady"
    return f"{'+' if change > 0 else '−'}{abs(change)} points"


def history_rows(history: History) -> tuple[list[str], list[list[str]]]:
    """The table every text form shares: a row per run (oldest first), a column per agent,
    then a row of trends. A cell is the agent's pass rate and mean score in that run."""
    agents = history.agents
    header = ["run", *agents]
    rows = [
        [run.label, *(rate_text(run.agents.get(agent)) for agent in agents)] for run in history.runs
    ]
    rows.append(["trend", *(trend_text(history, agent) or "-" for agent in agents)])
    return header, rows


def history_markdown(history: History) -> str:
    header, rows = history_rows(history)
    lines = [
        f"### Pass rate and mean score over the last {len(history.runs)} run(s)",
        "",
        table_row(header),
        "|---|" + "---:|" * (len(header) - 1),
    ]
    lines += [table_row(row) for row in rows]
    lines += ["", "_Each cell: the agent's pass rate, then its mean score; oldest run first._", ""]
    return "\n".join(lines)


def earlier_runs(
    paths: Sequence[Path], *, last: int = DEFAULT_LAST, before: RunMark | None = None
) -> History:
    """For a report's trend: the history in ``paths`` (with ``before``, the runs that started
    before that one), or an empty one whose warning says none was found (a first run has no
    history: that is no error)."""
    try:
        return find_history(paths, last=last, before=before)
    except RunError as err:
        return History([], list(paths), [f"no trend: {err}"])
