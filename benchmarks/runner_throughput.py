"""How close a run gets to the ideal time: the runner against the local platform over loopback,
with the builtin ``echo`` runtime taking a fixed time per execution.

Run: python benchmarks/runner_throughput.py [--examples 160] [--delay-ms 250] [--concurrency 8]
     [--no-feedback] [--repeat 3] [--platform-process]

The ideal is what the platform alone needs: ``ceil(examples / concurrency) * delay``, as if
starting, waiting, reading the output, comparing, writing feedback and recording cost nothing.
The ratio measured / ideal is the runner's overhead (1.00 would be none); the platform runs
as many executions at once as the concurrency allows (its worker pool is made large enough).

By default the platform runs in this process, as ``evalkit run`` starts it: runner and
platform then share one interpreter lock. ``--platform-process`` serves it from a separate
``evalkit serve`` process instead, which is closer to a run against a remote platform.
Prints one line per repetition and the best and median ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from evalkit.client import AsyncEigenpalClient, EigenpalClient
from evalkit.compare.rules import CompareSpec
from evalkit.emulator.config import PlatformConfig, generate_api_key
from evalkit.emulator.server import start_platform
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


@contextmanager
def platform(root: Path, workers: int, separate: bool) -> Iterator[tuple[str, str]]:
    """(base URL, API key) of a local platform, in this process or in its own."""
    key = generate_api_key()
    if not separate:
        config = PlatformConfig(data_dir=root / "platform", api_keys=(key,), workers=workers)
        with start_platform(config) as running:
            yield running.base_url, key
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "evalkit", "serve", "--port", str(port)]
    command += ["--data", str(root / "platform"), "--workers", str(workers)]
    env = {**os.environ, "EVALKIT_SERVE_API_KEY": key}
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, cwd=root)
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_up(base_url, server)
        yield base_url, key
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_up(base_url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"evalkit serve exited with {server.returncode}")
        try:
            httpx.get(f"{base_url}/_emulator/health", timeout=1).raise_for_status()
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("evalkit serve did not answer within 30 s")


async def one_run(
    base_url: str,
    api_key: str,
    jobs: list[ExampleJob],
    run_dir: Path,
    concurrency: int,
    feedback: bool,
) -> tuple[float, RunSummary]:
    settings = RunSettings(run_id=run_dir.name, run_dir=run_dir, feedback=feedback)
    config = SessionConfig(
        settings=settings,
        concurrency=concurrency,
        target=Target(kind="local", base_url=base_url),
        manifest="benchmark",
    )
    limiter = AdaptiveLimiter(concurrency)
    async with httpx.AsyncClient(event_hooks=rate_limit_hooks(limiter)) as http:
        client = AsyncEigenpalClient(api_key=api_key, base_url=base_url, http_client=http)
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
    parser.add_argument("--platform-process", action="store_true")
    args = parser.parse_args()

    jobs = jobs_for(args.examples)
    ideal = math.ceil(args.examples / args.concurrency) * args.delay_ms / 1000
    ratios: list[float] = []
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        workers = max(4, args.concurrency * 2)
        with platform(root, workers, args.platform_process) as (base_url, api_key):
            with EigenpalClient(api_key=api_key, base_url=base_url) as sync:
                runtime = {"builtin": "echo", "delayMs": args.delay_ms}
                sync.agents.create(name=AGENT, slug=AGENT, config={"runtime": runtime})
            print(
                f"{args.examples} examples, {args.delay_ms} ms each, concurrency "
                f"{args.concurrency}, feedback {'off' if args.no_feedback else 'on'}, platform "
                f"{'in its own process' if args.platform_process else 'in this process'}: "
                f"ideal {ideal:.2f} s"
            )
            for number in range(1, args.repeat + 1):
                seconds, summary = asyncio.run(
                    one_run(
                        base_url,
                        api_key,
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
