"""A local platform on loopback, agents with built-in runtimes, and a way to run jobs on it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from evalkit.client import AsyncEigenpalClient, EigenpalClient
from evalkit.client._transports import async_transport
from evalkit.compare.rules import CompareSpec
from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.faults import FaultConfig
from evalkit.emulator.server import RunningPlatform, start_platform
from evalkit.runner.calls import ClientCalls, rate_limit_hooks
from evalkit.runner.comparing import compare_job
from evalkit.runner.config import RunConfig, RunIdentity
from evalkit.runner.gates import GateConfig
from evalkit.runner.health import DEFAULT_DOWN_AFTER_SECONDS, PlatformHealth
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.limiter import AdaptiveLimiter, AimdState
from evalkit.runner.results import ExampleResult, RunSummary, Target
from evalkit.runner.results_file import read_results_file
from evalkit.runner.session import PreparedRun, run_session
from evalkit.runner.start_order import SignallingTransport

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
        platform_name=agent,
        suite=agent,
        name=name,
        input_json=input_json or {},
        expected_json=expected,
        expected_files=expected_files or {},
        tags=tags,
        compare=CompareSpec(),
    )


class FaultWindow:
    """Faults on for the first ``answers`` server errors they cause, then off: a platform that
    fails for a while and recovers, counted in answers rather than seconds (the machine is
    busy). Give ``hooks`` to ``run_jobs``."""

    def __init__(self, running: RunningPlatform, faults: FaultConfig, answers: int) -> None:
        self.running = running
        self.left = answers
        running.platform.faults.reconfigure(faults)

    def _count(self, response: httpx.Response) -> None:
        if self.left > 0 and response.status_code >= 500:
            self.left -= 1
            if self.left == 0:
                self.running.platform.faults.reconfigure(FaultConfig())

    async def _observe(self, response: httpx.Response) -> None:
        self._count(response)

    @property
    def hooks(self) -> dict[str, list[Any]]:
        """For an ``httpx.AsyncClient``."""
        return {"response": [self._observe]}

    @property
    def sync_hooks(self) -> dict[str, list[Any]]:
        """For an ``httpx.Client``."""
        return {"response": [self._count]}


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
    hooks: dict[str, list[Any]] | None = None,
    down_after_seconds: float = DEFAULT_DOWN_AFTER_SECONDS,
    warm_up: Callable[[], object] | None = None,
) -> RunOutput:
    """``limiter_states``, when given, receives the limiter's state after the run; ``hooks``
    are more httpx event hooks (e.g. ``FaultWindow.hooks``)."""
    config = RunConfig(
        concurrency=concurrency,
        timeout_seconds=timeout_seconds,
        feedback=feedback,
        hold_seconds=hold_seconds,
        retries=retries,
        down_after_seconds=down_after_seconds,
    )
    prepared = PreparedRun(
        config=config,
        identity=RunIdentity(run_id=run_dir.name, run_dir=run_dir),
        target=Target(kind="local", base_url=running.base_url),
        manifest="evalkit.yaml",
        gates=gates or GateConfig(),
    )

    async def go() -> RunSummary:
        limiter = AdaptiveLimiter(concurrency)
        health = PlatformHealth(down_after_seconds)
        event_hooks = rate_limit_hooks(limiter, health)
        for event, extra in (hooks or {}).items():
            event_hooks[event] = [*event_hooks.get(event, []), *extra]
        # the transport evalkit.run gives the runner: it tells when a start is written
        pool = async_transport(running.base_url, limits=httpx.Limits(), verify=True, proxy=None)
        transport = SignallingTransport(pool)
        http = httpx.AsyncClient(event_hooks=event_hooks, transport=transport)
        client = AsyncEigenpalClient(
            api_key=api_key, base_url=running.base_url, max_retries=max_retries, http_client=http
        )
        async with http, client:
            platform = ClientCalls(client)
            summary = await run_session(
                jobs,
                platform,
                compare_job,
                prepared,
                limiter=limiter,
                health=health,
                warm_up=warm_up,
            )
        if limiter_states is not None:
            limiter_states.append(limiter.state)
        return summary

    summary = asyncio.run(go())
    return RunOutput(summary, read_results_file(run_dir / "results.jsonl").results)
