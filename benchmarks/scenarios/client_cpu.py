"""3. evalkit's own CPU time per example, the platform in a process of its own."""

from __future__ import annotations

from benchmarks.processes import run_evalkit, serve
from benchmarks.project import Shape, example_name, write_project
from benchmarks.scenario import Context, Scenario
from benchmarks.table import Row

TARGET_MS = 5.0


def run(context: Context) -> None:
    examples = context.pick(20, 500)
    concurrency = context.pick(8, 50)
    delay_ms = 50
    root = context.workdir / "project"
    write_project(root, Shape(examples=examples, delay_ms=delay_ms))
    with serve(context.workdir / "served" / "platform", workers=concurrency) as served:
        context.log("serve: evalkit sync (untimed)")
        run_evalkit(["sync", "--yes"], root, env=served.env())
        context.log("serve: evalkit run of 1 example, then of all")
        one = run_evalkit(["run", "--example", example_name(0)], root, env=served.env())
        every = run_evalkit(["run", "--concurrency", str(concurrency)], root, env=served.env())
    per_example = (every.cpu_seconds - one.cpu_seconds) / (examples - 1)
    context.add(
        Row(
            scenario=SCENARIO.name,
            label="evalkit CPU per example",
            figure=1000 * per_example,
            unit="ms",
            target=TARGET_MS,
            details={
                "examples": examples,
                "concurrency": concurrency,
                "delay_s": delay_ms / 1000,
                "cpu_one_example_s": round(one.cpu_seconds, 3),
                "cpu_all_s": round(every.cpu_seconds, 3),
                "cpu_all_per_example_ms": round(1000 * every.cpu_seconds / examples, 2),
                "wall_all_s": round(every.wall_seconds, 2),
            },
        )
    )


SCENARIO = Scenario(
    name="client-cpu",
    title="evalkit's CPU time per example",
    description=(
        "Against `evalkit serve --workers C` (its own process, not counted): user+system CPU "
        "of the `evalkit run` process alone (os.wait4), for all N examples minus for one, "
        "divided by N - 1, so start-up and imports are taken out. Full: N=500, C=50, L=0.05 s."
    ),
    run=run,
)
