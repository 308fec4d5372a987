"""8. A platform that has served many executions is as fast as a new one."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

from benchmarks.processes import run_evalkit, serve
from benchmarks.project import Shape, agent_slug, example_input, write_project
from benchmarks.scenario import Context, Scenario
from benchmarks.table import Row
from evalkit.emulator.store.db import Database

TARGET = 1.10
DATABASE = "platform.sqlite3"


def run(context: Context) -> None:
    served_before = context.pick(2_000, 100_000)
    examples = context.pick(10, 200)
    root = context.workdir / "project"
    write_project(root, Shape(examples=examples, delay_ms=0))
    platforms = {
        "new": context.workdir / "new" / "platform",
        "aged": context.workdir / "aged" / "platform",
    }
    for name, data in platforms.items():
        context.log(f"{name}: evalkit sync (untimed)")
        with serve(data) as served:
            run_evalkit(["sync", "--yes"], root, env=served.env())
    context.log(f"aged: {served_before:,} past executions written into its store")
    seed(platforms["aged"] / DATABASE, served_before)
    walls: dict[str, list[float]] = {"new": [], "aged": []}
    cpus: dict[str, list[float]] = {"new": [], "aged": []}
    for round_number in range(context.pick(1, 2)):  # new, aged, new, aged: the same load
        for name, data in platforms.items():
            context.log(f"{name}: evalkit run of {examples} examples (round {round_number + 1})")
            with serve(data) as served:
                before = served.cpu_seconds()
                measured = run_evalkit(["run", "--no-report"], root, env=served.env())
                cpus[name].append((served.cpu_seconds() - before) / examples)
            walls[name].append(measured.wall_seconds)
    context.add(
        Row(
            scenario=SCENARIO.name,
            label=f"{served_before:,} served / new: run wall",
            figure=min(walls["aged"]) / min(walls["new"]),
            unit="x",
            target=TARGET,
            details={
                "examples": examples,
                "wall_new_s": [round(s, 2) for s in walls["new"]],
                "wall_aged_s": [round(s, 2) for s in walls["aged"]],
                "platform_cpu_ms_per_execution_new": round(1000 * min(cpus["new"]), 2),
                "platform_cpu_ms_per_execution_aged": round(1000 * min(cpus["aged"]), 2),
            },
        )
    )


def seed(database: Path, executions: int) -> None:
    """What ``executions`` past runs leave in the platform's SQLite, written in bulk through
    its Database (which also brings the schema up to date): an execution row each, completed
    with feedback, and the remembered answer to its run request (idempotency), all within
    the answers' time to live."""
    db = Database(database)
    try:
        with db.read() as conn:
            agent_id = conn.execute(
                "SELECT id FROM agents WHERE slug = ?", (agent_slug(0),)
            ).fetchone()[0]
        now = time.time()
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(now - 3600))
        for start in range(0, executions, 10_000):
            numbers = range(start, min(start + 10_000, executions))
            ids = [f"exec_{uuid.uuid4().hex[:24]}" for _ in numbers]
            with db.write() as conn:
                conn.executemany(
                    "INSERT INTO executions (id, agent_id, status, created_at, started_at,"
                    " completed_at, input_json, metadata, batch_id, example_name, output,"
                    " duration_ms, fb_exists, fb_rating, fb_status)"
                    " VALUES (?, ?, 'completed', ?, ?, ?, ?, ?, ?, ?, ?, 1, 1, 'pass', 'resolved')",
                    [
                        (
                            execution_id,
                            agent_id,
                            stamp,
                            stamp,
                            stamp,
                            json.dumps(example_input(n)),
                            json.dumps({"batchId": f"old-run-{n // 500}"}),
                            f"old-run-{n // 500}",
                            f"ex{n % 500:05d}",
                            json.dumps(example_input(n)),
                        )
                        for n, execution_id in zip(numbers, ids, strict=True)
                    ],
                )
                conn.executemany(
                    "INSERT INTO idempotency (key, path, status, content_type, body, created_at)"
                    " VALUES (?, ?, 202, 'application/json', ?, ?)",
                    [
                        (
                            f"evalkit-{uuid.uuid4().hex}",
                            f"/api/v1/agents/{agent_slug(0)}/run",
                            json.dumps({"executionId": execution_id, "status": "queued"}).encode(),
                            now - 3600 + n * 3600 / executions,
                        )
                        for n, execution_id in zip(numbers, ids, strict=True)
                    ],
                )
    finally:
        db.close()


SCENARIO = Scenario(
    name="aged-platform",
    title="A platform after 100,000 executions",
    description=(
        "Two `evalkit serve` data folders with the same synced agent: a new one, and one whose "
        "SQLite store was given 100,000 past executions (completed, with feedback) and their "
        "remembered run answers (idempotency rows within their 24 h), written in bulk through "
        "the platform's Database rather than run. Then `evalkit run --no-report` of 200 "
        "examples of the echo runtime without delay on each, twice, alternating; figure: best "
        "wall aged / best wall new (platform CPU per execution in the details)."
    ),
    run=run,
)
