"""6. `evalkit report` of a run of many examples: time and the size of what it writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.processes import run_evalkit
from benchmarks.project import Shape, example_name, write_project
from benchmarks.scenario import Context, Scenario
from benchmarks.table import Row

TARGET_SECONDS = 10.0
TARGET_MB = 30.0
SEED_EXAMPLES = 20


def run(context: Context) -> None:
    examples = context.pick(300, 10_000)
    root = context.workdir / "project"
    write_project(root, Shape(examples=SEED_EXAMPLES, delay_ms=0))
    _break_some(root)
    context.log(f"a real run of {SEED_EXAMPLES} examples (some fail), the seed of the results")
    seed_run = context.workdir / "seed-run"
    run_evalkit(["run", "--no-report", "--out", str(seed_run)], root, expect=(0, 1))
    results = context.workdir / "big-run" / "results.jsonl"
    _grow(seed_run / "results.jsonl", results, examples)
    context.log(f"evalkit report of {examples} results")
    out = context.workdir / "reports"
    measured = run_evalkit(["report", str(results), "--out", str(out)], root, expect=(0, 1))
    html = out / "report.html"
    written = {path.name: path.stat().st_size for path in out.iterdir() if path.is_file()}
    details: dict[str, Any] = {
        "examples": examples,
        "peak_rss_mb": round(measured.peak_rss_mb, 1),
        "files_bytes": written,
    }
    context.add(
        Row(
            SCENARIO.name,
            f"{examples:,} examples: wall",
            measured.wall_seconds,
            "s",
            TARGET_SECONDS,
            details=details,
        )
    )
    context.add(
        Row(
            SCENARIO.name,
            f"{examples:,} examples: report.html",
            html.stat().st_size / 1e6,
            "MB",
            TARGET_MB,
            details=details,
        )
    )


def _break_some(root: Path) -> None:
    """One example in four expects something else, so the report has differences to show."""
    for number in range(0, SEED_EXAMPLES, 4):
        expected = root / "agents" / "bench-agent-00" / "examples" / example_name(number)
        document = json.loads((expected / "expected.json").read_text())
        document["currency"] = "USD"
        document["lines"][0]["quantity"] = 99
        (expected / "expected.json").write_text(json.dumps(document, indent=2))


def _grow(seed: Path, target: Path, examples: int) -> None:
    """``examples`` results made from the seed run's, each under a new example name (no
    summary.json: the report is rendered from results.jsonl alone)."""
    lines = [json.loads(line) for line in seed.read_text().splitlines()]
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8") as out:
        for number in range(examples):
            result = dict(lines[number % len(lines)])
            result["example"] = example_name(number)
            out.write(json.dumps(result) + "\n")


SCENARIO = Scenario(
    name="report",
    title="Reports of a large run",
    description=(
        "`evalkit report results.jsonl --out DIR` of 10,000 results (copies, renamed, of a real "
        "run's 20 results, 1 in 4 failing with differences); figures: the command's wall time "
        "and the size of report.html (peak memory in the details)."
    ),
    run=run,
)
