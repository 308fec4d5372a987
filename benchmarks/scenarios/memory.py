"""7. Peak memory of `evalkit run` as the manifest grows, and `validate` of a large manifest."""

from __future__ import annotations

import math

from benchmarks.processes import run_evalkit
from benchmarks.project import Shape, write_project
from benchmarks.scenario import Context, Scenario
from benchmarks.table import Row

TARGET_RSS_MB = 400.0
#: peak memory at the largest manifest over that at the smallest: "flat" within 25%
TARGET_FLAT = 1.25
TARGET_VALIDATE_S = 5.0
PER_FILE = 2_000  # examples per included manifest file (one holds at most 250,000 values)
RUN_SELECTION = "ex0000*"  # the 10 examples each run runs


def _project(context: Context, examples: int) -> Shape:
    agents = math.ceil(examples / PER_FILE)
    return Shape(examples=examples // agents, delay_ms=0, agents=agents, inline=True)


def run(context: Context) -> None:
    sizes = (50, 200, 800) if context.size == "small" else (1_000, 5_000, 20_000)
    validated = context.pick(500, 10_000)
    peaks: dict[int, float] = {}
    for examples in sizes:
        root = context.workdir / f"project-{examples}"
        write_project(root, _project(context, examples))
        context.log(f"evalkit run --example '{RUN_SELECTION}' of a {examples:,}-example manifest")
        measured = run_evalkit(["run", "--example", RUN_SELECTION], root)
        peaks[examples] = measured.peak_rss_mb
        context.add(
            Row(
                SCENARIO.name,
                f"run, {examples:,}-example manifest: peak RSS",
                measured.peak_rss_mb,
                "MB",
                TARGET_RSS_MB,
                details={
                    "wall_s": round(measured.wall_seconds, 2),
                    "manifest_files": math.ceil(examples / PER_FILE),
                    # the run's own, then its platform's and the agent programs' it started
                    "peaks_mb": [round(mb, 1) for mb in measured.peaks_mb],
                },
            )
        )
    context.add(
        Row(
            SCENARIO.name,
            f"peak RSS at {sizes[-1]:,} / at {sizes[0]:,}",
            peaks[sizes[-1]] / peaks[sizes[0]],
            "x",
            TARGET_FLAT,
        )
    )
    root = context.workdir / f"project-validate-{validated}"
    write_project(root, _project(context, validated))
    context.log(f"evalkit validate of a {validated:,}-example manifest")
    measured = run_evalkit(["validate"], root)
    size = sum(path.stat().st_size for path in root.rglob("*.yaml"))
    context.add(
        Row(
            SCENARIO.name,
            f"validate, {validated:,} examples: wall",
            measured.wall_seconds,
            "s",
            TARGET_VALIDATE_S,
            details={
                "manifest_mb": round(size / 1e6, 1),
                "peak_rss_mb": round(measured.peak_rss_mb, 1),
            },
        )
    )


SCENARIO = Scenario(
    name="memory",
    title="Memory as the manifest grows",
    description=(
        "Embedded `evalkit run --example 'ex0000*'` (it loads and syncs the whole manifest, "
        "runs 10 examples: memory that grows with results is not measured here) with 1,000, "
        "5,000 and 20,000 examples inline in the manifest (one included file per 2,000); "
        "figures: the command's peak RSS (os.wait4, platform included, as embedded) and its "
        "growth; and `evalkit validate` of a 10,000-example manifest."
    ),
    run=run,
)
