"""A local platform on loopback, agents with built-in runtimes, and a way to run jobs on it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from evalkit.client import AsyncEigenpalClient, EigenpalClient
from evalkit.compare.rules import CompareSpec
from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.faults import FaultConfig
from evalkit.emulator.server import RunningPlatform, start_platform
from evalkit.runner.comparing import compare_job
from evalkit.runner.gates import GateConfig
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.jsonl import read_results
from evalkit.runner.limiter import AdaptiveLimiter, AimdState
from evalkit.runner.platform import ClientPlatform, rate_limit_hooks
from evalkit.runner.results import ExampleResult, RunSummary, Target
from evalkit.runner.session import SessionConfig, run_session
from evalkit.runner.state import RunSettings

API_KEY = "eg_runner_tests"


@contextmanager
def local_platform(
    data_dir: Path,
    faults: FaultConfig | None = None,
    workers: int = 8,
    workflows_dir: Path | None = None,
) -> Iterator[RunningPlatform]:
    config = PlatformConfig(
        data_dir=data_dir,
        api_keys=(API_KEY,),
        workers=workers,
        faults=faults or FaultConfig(),
        workflows_dir=workflows_dir,
    )
    with start_platform(config) as running:
        yield running


def sync_client(running: RunningPlatform) -> EigenpalClient:
    return EigenpalClient(api_key=API_KEY, base_url=running.base_url)


def create_agent(running: RunningPlatform, slug: str, runtime: dict[str, Any]) -> None:
    with sync_client(running) as client:
        client.agents.create(name=slug, slug=slug, config={"runtime": runtime})


def job(
    agent: str,
    name: str,
    expected: Any,
    *,
    expected_files: dict[str, Path] | None = None,
    input_json: dict[str, Any] | None = None,
    tags: tuple[str, ...] = (),
) -> ExampleJob:
    return ExampleJob(
        kind="agent",
        target=agent,
        suite=agent,
        name=name,
        input_json=input_json or {},
        expected_json=expected,
        expected_files=expected_files or {},
        tags=tags,
        compare=CompareSpec(),
    )


@dataclass
class RunOutput:
    summary: RunSummary
    results: list[ExampleResult]
    #: executions of the run's batch on the platform, when a test counted them
    batch_size: int | None = None

    def by_name(self) -> dict[str, ExampleResult]:
        return {result.example: result for result in self.results}


def run_jobs(
    running: RunningPlatform,
    jobs: Sequence[ExampleJob],
    run_dir: Path,
    *,
    api_key: str = API_KEY,
    concurrency: int = 8,
    timeout_seconds: float = 60.0,
    feedback: bool = True,
    max_retries: int = 3,
    hold_seconds: int = 10,
    limiter_states: list[AimdState] | None = None,
    retries: int = 0,
    gates: GateConfig | None = None,
) -> RunOutput:
    """``limiter_states``, when given, receives the limiter's state after the run."""
    settings = RunSettings(
        run_id=run_dir.name,
        run_dir=run_dir,
        timeout_seconds=timeout_seconds,
        feedback=feedback,
        hold_seconds=hold_seconds,
        retries=retries,
    )
    config = SessionConfig(
        settings=settings,
        concurrency=concurrency,
        target=Target(kind="local", base_url=running.base_url),
        manifest="evalkit.yaml",
        gates=gates or GateConfig(),
    )

    async def go() -> RunSummary:
        limiter = AdaptiveLimiter(concurrency)
        http = httpx.AsyncClient(event_hooks=rate_limit_hooks(limiter))
        client = AsyncEigenpalClient(
            api_key=api_key, base_url=running.base_url, max_retries=max_retries, http_client=http
        )
        async with http, client:
            platform = ClientPlatform(client)
            summary = await run_session(jobs, platform, compare_job, config, limiter=limiter)
        if limiter_states is not None:
            limiter_states.append(limiter.state)
        return summary

    summary = asyncio.run(go())
    return RunOutput(summary, list(read_results(run_dir / "results.jsonl")))
