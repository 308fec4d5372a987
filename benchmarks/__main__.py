"""python -m benchmarks: measure what a user runs against the targets, print a table.

Usage: python -m benchmarks [--only NAME] [--size small|full] [--json PATH] [--profile DIR]
       python -m benchmarks --list

Every scenario runs the ``evalkit`` command as a child process on a project generated in a
temporary folder (the example project's shape: agents whose examples sync with their
workspace), embedded (no base URL) and, where it says so, against ``evalkit serve`` started as
a separate process. ``--size full`` (the default) is the measurement, under 10 minutes on a
2-core machine; ``--size small`` runs each scenario in seconds (the CI smoke test), its figures
say little. Exit code: 0 every scenario ran, 1 one failed to run (or, with ``--fail-on-miss``,
a target was missed), 2 bad usage.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import evalkit
from benchmarks import machine, processes
from benchmarks.scenario import SIZES, Context, Scenario
from benchmarks.scenarios import SCENARIOS
from benchmarks.table import Row, render, write_json


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.list:
        for scenario in SCENARIOS:
            print(f"{scenario.name}: {scenario.title}\n    {scenario.description}")
        return 0
    chosen = [s for s in SCENARIOS if args.only is None or s.name in args.only]
    processes.profile_dir = args.profile
    processes.compile_package(Path(evalkit.__file__).parent)
    speed = machine.Calibration(before_ms=machine.single_core_ms())
    rows: list[Row] = []
    runs: list[dict[str, Any]] = []
    started = time.perf_counter()
    for scenario in chosen:
        print(f"{scenario.name}: {scenario.title} ({args.size})", file=sys.stderr)
        runs.append(_run_one(scenario, args.size, started, rows))
    total = time.perf_counter() - started
    speed = dataclasses.replace(speed, after_ms=machine.single_core_ms())
    described = machine.describe()
    print(render(rows))
    print(f"\n{len(chosen)} scenario(s), size {args.size}, {total:.0f} s on {described}")
    print(f"this machine's speed: {speed.text()} (compare runs where these agree)")
    failed = [run for run in runs if run["error"]]
    for run in failed:
        print(f"scenario {run['name']} failed: {run['error']}", file=sys.stderr)
    if args.json is not None:
        meta = {
            "size": args.size,
            "total_seconds": round(total, 1),
            "machine": described,
            "cpu_model": machine.cpu_model(),
            "calibration_ms": {
                "before": round(speed.before_ms, 1),
                "after": round(speed.after_ms or 0.0, 1),
            },
            "python": platform.python_version(),
            "commit": _commit(),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "scenarios": runs,
        }
        write_json(args.json, rows, meta)
    missed = any(row.met is False for row in rows)
    return 1 if failed or (args.fail_on_miss and missed) else 0


def _run_one(scenario: Scenario, size: Any, started: float, rows: list[Row]) -> dict[str, Any]:
    began = time.perf_counter()
    error = None
    with tempfile.TemporaryDirectory(prefix=f"evalkit-bench-{scenario.name}-") as scratch:
        context = Context(size=size, workdir=Path(scratch), started=started)
        try:
            scenario.run(context)
        except Exception as exc:  # one broken scenario must not hide the others' figures
            traceback.print_exc()
            error = f"{type(exc).__name__}: {exc}"
        rows.extend(context.rows)
    return {
        "name": scenario.name,
        "title": scenario.title,
        "description": scenario.description,
        "seconds": round(time.perf_counter() - began, 1),
        "error": error,
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=(__doc__ or "").splitlines()[0]
    )
    names = [scenario.name for scenario in SCENARIOS]
    parser.add_argument(
        "--only",
        action="append",
        choices=names,
        metavar="NAME",
        help=f"Run only this scenario (repeatable): {', '.join(names)}.",
    )
    parser.add_argument("--size", choices=SIZES, default="full", help="default: full")
    parser.add_argument("--json", type=Path, metavar="PATH", help="Also write the rows as JSON.")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="Run every evalkit command under cProfile, one .prof file each in DIR.",
    )
    parser.add_argument("--fail-on-miss", action="store_true", help="Exit 1 if a target is missed.")
    parser.add_argument("--list", action="store_true", help="Describe the scenarios and exit.")
    return parser


def _commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


if __name__ == "__main__":
    sys.exit(main())
