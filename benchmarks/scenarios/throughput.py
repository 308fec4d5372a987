"""1. Many examples at a high concurrency: how close the run's wall time gets to the limit."""

from __future__ import annotations

import math

from benchmarks.processes import run_evalkit, serve
from benchmarks.project import Shape, write_project
from benchmarks.scenario import Context, Scenario
from benchmarks.table import Row

TARGET = 1.15


def run(context: Context) -> None:
    examples = context.pick(24, 500)
    delay_ms = context.pick(100, 500)
    concurrency = context.pick(8, 50)
    limit = math.ceil(examples / concurrency) * delay_ms / 1000
    root = context.workdir / "project"
    write_project(root, Shape(examples=examples, delay_ms=delay_ms))
    details: dict[str, object] = {
        "examples": examples,
        "delay_s": delay_ms / 1000,
        "concurrency": concurrency,
    }

    context.log("embedded: evalkit sync (untimed: the project as after its first run)")
    run_evalkit(["sync", "--yes"], root)
    context.log(f"embedded: evalkit run --concurrency {concurrency}")
    embedded = run_evalkit(["run", "--concurrency", str(concurrency)], root)
    context.add(
        _row(
            "embedded: run wall / limit",
            embedded.wall_seconds,
            embedded.cpu_seconds,
            limit,
            details,
        )
    )

    with serve(context.workdir / "served" / "platform", workers=concurrency) as served:
        context.log("serve: evalkit sync (untimed)")
        run_evalkit(["sync", "--yes"], root, env=served.env())
        context.log(f"serve: evalkit run --concurrency {concurrency}")
        platform_cpu = served.cpu_seconds()
        remote = run_evalkit(["run", "--concurrency", str(concurrency)], root, env=served.env())
        platform_cpu = served.cpu_seconds() - platform_cpu
    context.add(
        _row(
            "serve: run wall / limit",
            remote.wall_seconds,
            remote.cpu_seconds,
            limit,
            {
                **details,
                "serve_workers": concurrency,
                "platform_cpu_ms_per_example": 1000 * platform_cpu / examples,
            },
        )
    )


def _row(label: str, wall: float, cpu: float, limit: float, details: dict[str, object]) -> Row:
    return Row(
        scenario=SCENARIO.name,
        label=label,
        figure=wall / limit,
        unit="x",
        target=TARGET,
        details={
            **details,
            "wall_s": round(wall, 3),
            "limit_s": limit,
            "client_cpu_s": round(cpu, 3),
        },
    )


SCENARIO = Scenario(
    name="throughput",
    title="N examples of L seconds at concurrency C",
    description=(
        "`evalkit run --concurrency C` (whole command, after an untimed `evalkit sync`) on N "
        "synced examples of the echo runtime taking L s each; figure: wall time / "
        "ceil(N/C)*L. Embedded (no base URL) and against `evalkit serve --workers C` in its "
        "own process. Full: N=500, L=0.5 s, C=50; small: N=24, L=0.1 s, C=8."
    ),
    run=run,
)
