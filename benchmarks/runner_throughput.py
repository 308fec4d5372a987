"""How close a run gets to the ideal time: the runner against the local platform over loopback,
with the builtin ``echo`` runtime taking a fixed time per execution.

Run: python benchmarks/runner_throughput.py [--examples 160] [--delay-ms 250] [--concurrency 8]
     [--no-feedback] [--repeat 3]

The ideal is what the platform alone needs: ``ceil(examples / concurrency) * delay``, as if
starting, waiting, reading the output, comparing, writing feedback and recording cost nothing.
The ratio measured / ideal is the runner's overhead (1.00 would be none); the platform runs
as many executions at once as the concurrency allows (its worker pool is made large enough).
Prints one line per repetition and the best and median ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from evalkit.client import AsyncEigenpalClient, EigenpalClient
from evalkit.compare.rules import CompareSpec
from evalkit.emulator.config import PlatformConfig, generate_api_key
from evalkit.emulator.server import RunningPlatform, start_platform
from evalkit.runner.comparing import compare_job
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.limiter import AdaptiveLimiter
from evalkit.runner.platform import ClientPlatform, rate_limit_hooks
from evalkit.runner.results import RunSummary, Target
from evalkit.runner.session import SessionConfig, run_session
from evalkit.runner.state import RunSettings

AGENT = "echo-bench"


def jobs_for(count: int) -> list[ExampleJob]:
    # echo returns the scalar input as the output: every example passes.
    return [
        ExampleJob(
            kind="agent",
            target=AGENT,
            suite=AGENT,
            name=f"ex{n:05d}",
            input_json={"n": n, "text": f"example {n}"},
            expected_json={"n": n, "text": f"example {n}"},
            compare=CompareSpec(),
        )
        for n in range(count)
    ]


async def one_run(
    running: RunningPlatform,
    jobs: list[ExampleJob],
    run_dir: Path,
    concurrency: int,
    feedback: bool,
) -> tuple[float, RunSummary]:
    settings = RunSettings(run_id=run_dir.name, run_dir=run_dir, feedback=feedback)
    config = SessionConfig(
        settings=settings,
        concurrency=concurrency,
        target=Target(kind="local", base_url=running.base_url),
        manifest="benchmark",
    )
    limiter = AdaptiveLimiter(concurrency)
    async with httpx.AsyncClient(event_hooks=rate_limit_hooks(limiter)) as http:
        client = AsyncEigenpalClient(
            api_key=running.api_key, base_url=running.base_url, http_client=http
        )
        async with client:
            started = time.perf_counter()
            summary = await run_session(
                jobs, ClientPlatform(client), compare_job, config, limiter=limiter
            )
            return time.perf_counter() - started, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=160)
    parser.add_argument("--delay-ms", type=int, default=250)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--no-feedback", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    jobs = jobs_for(args.examples)
    ideal = math.ceil(args.examples / args.concurrency) * args.delay_ms / 1000
    ratios: list[float] = []
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        config = PlatformConfig(
            data_dir=root / "platform",
            api_keys=(generate_api_key(),),
            workers=max(4, args.concurrency * 2),
        )
        with start_platform(config) as running:
            with EigenpalClient(api_key=running.api_key, base_url=running.base_url) as sync:
                runtime = {"builtin": "echo", "delayMs": args.delay_ms}
                sync.agents.create(name=AGENT, slug=AGENT, config={"runtime": runtime})
            print(
                f"{args.examples} examples, {args.delay_ms} ms each, concurrency "
                f"{args.concurrency}, feedback {'off' if args.no_feedback else 'on'}: "
                f"ideal {ideal:.2f} s"
            )
            for number in range(1, args.repeat + 1):
                seconds, summary = asyncio.run(
                    one_run(
                        running,
                        jobs,
                        root / f"run-{number}",
                        args.concurrency,
                        not args.no_feedback,
                    )
                )
                assert summary.counts.passed == args.examples, summary.outcome
                ratio = seconds / ideal
                ratios.append(ratio)
                print(
                    f"  run {number}: {seconds:.2f} s, {args.examples / seconds:.1f} examples/s, "
                    f"ratio {ratio:.2f}"
                )
    print(f"ratio to ideal: best {min(ratios):.2f}, median {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
