"""How much the local platform sustains, over loopback, with the cheap ``echo`` runtime.

Run: python benchmarks/emulator_throughput.py [--runs 500] [--clients 16] [--held 200]

Prints:
- sustained executions per second: ``--clients`` concurrent callers each run and hold
  (``wait_for_completion``) until ``--runs`` executions completed;
- fire-and-forget: ``--runs`` run requests without a hold, then the time until all completed;
- ``--held`` runs held at once (one connection each): time until every answer came back,
  and the platform's thread count meanwhile (held requests take no thread each).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading
import time

import httpx

from evalkit.emulator.config import PlatformConfig, generate_api_key
from evalkit.emulator.server import RunningPlatform, start_platform


async def sustained(running: RunningPlatform, runs: int, clients: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    remaining = iter(range(runs))

    async def caller(http: httpx.AsyncClient) -> None:
        for n in remaining:
            started = time.perf_counter()
            response = await http.post(
                "/api/v1/agents/echo/run",
                params={"wait_for_completion": 60},
                json={"input": {"n": n}},
            )
            assert response.json()["status"] == "completed", response.text
            latencies.append(time.perf_counter() - started)

    async with _client(running, clients) as http:
        started = time.perf_counter()
        await asyncio.gather(*(caller(http) for _ in range(clients)))
        return time.perf_counter() - started, latencies


async def baseline(running: RunningPlatform, requests: int, clients: int) -> float:
    """Requests per second of the trivial health probe: what this machine gives HTTP at all."""
    remaining = iter(range(requests))

    async def caller(http: httpx.AsyncClient) -> None:
        for _ in remaining:
            (await http.get("/_emulator/health")).raise_for_status()

    async with _client(running, clients) as http:
        started = time.perf_counter()
        await asyncio.gather(*(caller(http) for _ in range(clients)))
        return requests / (time.perf_counter() - started)


async def fire_and_forget(running: RunningPlatform, runs: int) -> tuple[float, float]:
    async with _client(running, 32) as http:
        started = time.perf_counter()
        ids = []
        for n in range(runs):
            response = await http.post("/api/v1/agents/echo/run", json={"input": {"n": n}})
            ids.append(response.json()["executionId"])
        accepted = time.perf_counter() - started
        while True:
            pending = await http.get(
                "/api/v1/agents/echo/executions",
                params={"status": "created,pending,running,finalizing", "limit": 1},
            )
            if pending.json()["total"] == 0:
                return accepted, time.perf_counter() - started
            await asyncio.sleep(0.01)


async def held_at_once(running: RunningPlatform, held: int) -> tuple[float, int]:
    peak_threads = 0
    async with _client(running, held + 10) as http:
        started = time.perf_counter()

        async def one(n: int) -> str:
            response = await http.post(
                "/api/v1/agents/slow-echo/run",
                params={"wait_for_completion": 120},
                json={"input": {"n": n}},
            )
            return str(response.json()["status"])

        tasks = [asyncio.create_task(one(n)) for n in range(held)]
        while not all(task.done() for task in tasks):
            peak_threads = max(peak_threads, threading.active_count())
            await asyncio.sleep(0.02)
        statuses = [task.result() for task in tasks]
        elapsed = time.perf_counter() - started
    assert statuses == ["completed"] * held, statuses
    return elapsed, peak_threads


def _client(running: RunningPlatform, connections: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=running.base_url,
        headers={"Authorization": f"Bearer {running.api_key}"},
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        timeout=180,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--held", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--held-delay-ms", type=int, default=50)
    args = parser.parse_args()

    config = PlatformConfig(api_keys=(generate_api_key(),), workers=args.workers)
    with start_platform(config) as running:
        headers = {"Authorization": f"Bearer {running.api_key}"}
        with httpx.Client(base_url=running.base_url, headers=headers) as http:
            for slug, runtime in (
                ("echo", {"builtin": "echo"}),
                ("slow-echo", {"builtin": "echo", "delayMs": args.held_delay_ms}),
            ):
                body = {"name": slug, "slug": slug, "config": {"runtime": runtime}}
                http.post("/api/v1/agents", json=body).raise_for_status()

        probe = asyncio.run(baseline(running, args.runs, args.clients))
        print(f"baseline: the health probe answers {probe:.0f} requests/s on this machine")
        elapsed, latencies = asyncio.run(sustained(running, args.runs, args.clients))
        quantiles = statistics.quantiles(latencies, n=100)
        print(f"sustained, {args.clients} callers holding each run, {args.workers} workers:")
        rate = args.runs / elapsed
        print(
            f"  {args.runs} executions in {elapsed:.2f} s = {rate:.0f} executions/s"
            f" ({rate / probe:.2f} x the health probe rate)"
        )
        print(
            f"  per run: median {statistics.median(latencies) * 1000:.1f} ms,"
            f" p95 {quantiles[94] * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms"
        )

        accepted, completed = asyncio.run(fire_and_forget(running, args.runs))
        print(f"fire-and-forget, {args.runs} runs without a hold (one caller):")
        print(f"  accepted in {accepted:.2f} s = {args.runs / accepted:.0f} requests/s")
        print(f"  all completed after {completed:.2f} s = {args.runs / completed:.0f} executions/s")

        threads_before = threading.active_count()
        held_elapsed, peak = asyncio.run(held_at_once(running, args.held))
        floor = args.held * args.held_delay_ms / 1000 / args.workers
        print(
            f"{args.held} runs held at once (echo with {args.held_delay_ms} ms delay,"
            f" {args.workers} workers):"
        )
        print(
            f"  all answered after {held_elapsed:.2f} s"
            f" (the workers alone need {floor:.2f} s: ratio {held_elapsed / floor:.2f})"
        )
        print(f"  threads in the process: {threads_before} before, peak {peak} while held")


if __name__ == "__main__":
    main()
