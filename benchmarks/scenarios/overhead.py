"""2. One example's overhead: what evalkit adds to an execution of L seconds, beside the SDK."""

from __future__ import annotations

import json
import statistics
import time
from datetime import datetime
from pathlib import Path

from eigenpal import EigenpalClient

from benchmarks.processes import Served, run_evalkit, serve
from benchmarks.project import Shape, agent_slug, example_input, write_project
from benchmarks.scenario import Context, Scenario
from benchmarks.table import Row

TARGET_SECONDS = 0.05


def run(context: Context) -> None:
    examples = context.pick(4, 11)
    delay = context.pick(100, 300) / 1000
    root = context.workdir / "project"
    write_project(root, Shape(examples=examples, delay_ms=round(delay * 1000)))
    details: dict[str, object] = {"examples": examples, "delay_s": delay}

    context.log("embedded: evalkit sync, then evalkit run --concurrency 1")
    run_evalkit(["sync", "--yes"], root)
    overhead, walls = _per_example(root, {}, context.workdir / "embedded-run", delay)
    context.add(_row("embedded: evalkit, per example", overhead, {**details, **walls}))

    with serve(context.workdir / "served" / "platform") as served:
        context.log("serve: evalkit sync, then evalkit run --concurrency 1")
        run_evalkit(["sync", "--yes"], root, env=served.env())
        out = context.workdir / "served-run"
        overhead, walls = _per_example(root, served.env(), out, delay)
        context.add(_row("serve: evalkit, per example", overhead, {**details, **walls}))
        context.log("serve: the official SDK's agents.run(..., wait_for_completion=30)")
        context.add(
            Row(
                scenario=SCENARIO.name,
                label="serve: SDK agents.run, per call",
                figure=_sdk_overhead(served, examples, delay),
                unit="s",
                details={"calls": examples, "delay_s": delay},
            )
        )


def _per_example(
    root: Path, env: dict[str, str], out: Path, delay: float
) -> tuple[float, dict[str, object]]:
    """Median over the examples (the first left out: it opens the connections) of the time
    evalkit took for each, from its start to its recorded result (results.jsonl's
    started_at and finished_at: start, hold, read, compare, feedback, record), minus L."""
    measured = run_evalkit(["run", "--concurrency", "1", "--out", str(out)], root, env=env)
    spans = []
    for line in (out / "results.jsonl").read_text().splitlines():
        result = json.loads(line)
        started = datetime.fromisoformat(result["started_at"].replace("Z", "+00:00"))
        finished = datetime.fromisoformat(result["finished_at"].replace("Z", "+00:00"))
        spans.append((started, (finished - started).total_seconds() - delay))
    overheads = [overhead for _, overhead in sorted(spans)[1:]]
    details: dict[str, object] = {
        "command_wall_s": round(measured.wall_seconds, 3),
        "overhead_min_s": round(min(overheads), 4),
        "overhead_max_s": round(max(overheads), 4),
    }
    return statistics.median(overheads), details


def _sdk_overhead(served: Served, calls: int, delay: float) -> float:
    """Median time of a held ``agents.run`` minus L, from this (separate) process."""
    client = EigenpalClient(api_key=served.api_key, base_url=served.base_url)
    seconds = []
    for number in range(calls + 1):
        started = time.perf_counter()
        answer = client.agents.run(agent_slug(0), example_input(number), wait_for_completion=30)
        if number:  # the first call opens the connection, as evalkit's first example does
            seconds.append(time.perf_counter() - started - delay)
        status = str(getattr(answer, "status", ""))
        if "completed" not in status:
            raise RuntimeError(f"the SDK's run ended {status!r}")
    return statistics.median(seconds)


def _row(label: str, overhead: float, details: dict[str, object]) -> Row:
    return Row(
        scenario=SCENARIO.name,
        label=label,
        figure=overhead,
        unit="s",
        target=TARGET_SECONDS,
        details=details,
    )


SCENARIO = Scenario(
    name="overhead",
    title="One example's overhead over its execution",
    description=(
        "`evalkit run --concurrency 1` on N synced examples of L s; figure: the median over "
        "examples (the first left out) of each one's time from start to recorded result "
        "(results.jsonl: start, hold, read, compare, feedback, record) minus L. Embedded and "
        "against `evalkit serve`; beside it the official SDK (eigenpal) `agents.run(..., "
        "wait_for_completion=30)` on the same served platform, median of N calls minus L. "
        "Full: N=11, L=0.3 s."
    ),
    run=run,
)
