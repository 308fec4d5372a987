"""A builtin runtime's run on the event loop (``ExecutionWorker.start_on_loop``, the queue's
``on_loop``): the same answers, cancels, faults, slots and shutdown as on a worker thread,
without the thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from evalkit.emulator.faults import FaultConfig
from evalkit.emulator.platform import Platform
from evalkit.emulator.queue import ExecutionQueue
from evalkit.emulator.runtime.job import AgentJob, AgentOutcome
from evalkit.emulator.worker import INJECTED_FAILURE

from .conftest import ClientFactory
from .helpers import TestClient, create_agent, run_and_wait

#: a bound on waits, so that a broken platform fails instead of hanging
PATIENCE_SECONDS = 30
LONG = {"runtime": {"builtin": "echo", "delayMs": 600_000}}

Wired = Callable[..., TestClient]


@pytest.fixture
def wired(make_client: ClientFactory) -> Wired:
    """A client whose platform's queue runs executions on the loop when it can."""

    def make(**changes: object) -> TestClient:
        client = make_client(**changes)
        platform = _platform(client)
        platform.queue.close()
        queue = ExecutionQueue(
            workers=platform.config.worker_count,
            handle=platform.worker.handle,
            on_loop=platform.worker.start_on_loop,
        )
        platform.queue = queue
        assert client.portal is not None
        client.portal.call(lambda: queue.serve_on(asyncio.get_running_loop()))  # the lifespan's
        return client

    return make


def _platform(client: TestClient) -> Platform:
    platform: Platform = client.app.state.platform  # type: ignore[attr-defined]
    return platform


def _status(client: TestClient, execution_id: str) -> str:
    response = client.get(f"/api/v1/agents/executions/{execution_id}")
    status: str = response.json()["execution"]["status"]
    return status


def _started(client: TestClient, slug: str) -> str:
    response = client.post(f"/api/v1/agents/{slug}/run", json={"input": {"n": 1}})
    assert response.status_code == 202, response.text
    execution_id: str = response.json()["executionId"]
    return execution_id


def test_a_builtin_run_is_answered_without_a_worker_thread(wired: Wired) -> None:
    client = wired()
    create_agent(client, "e", config={"runtime": {"builtin": "echo", "delayMs": 20}})
    result = run_and_wait(client, "e", {"input": {"a": [1, 2]}})
    assert result["status"] == "completed"
    assert result["output"] == {"a": [1, 2]}
    assert result["cost"]["durationMs"] >= 20
    execution = client.get(f"/api/v1/agents/executions/{result['executionId']}").json()
    assert execution["execution"]["startedAt"] <= execution["execution"]["completedAt"]
    assert _platform(client).queue._threads == []


def test_a_cancel_ends_a_run_on_the_loop_at_once(wired: Wired) -> None:
    client = wired()
    create_agent(client, "slow", config=LONG)
    execution_id = _started(client, "slow")
    assert _status(client, execution_id) == "running"
    cancelled = client.post(f"/api/v1/agents/executions/{execution_id}/cancel")
    assert cancelled.json()["execution"]["status"] == "cancelled"
    assert cancelled.json()["execution"]["error"] == "cancelled"


def test_an_injected_failure_fails_the_run_on_the_loop(wired: Wired) -> None:
    client = wired(faults=FaultConfig(execution_failure_rate=1.0, path_pattern="^/never"))
    create_agent(client, "e")
    result = run_and_wait(client, "e")
    assert result["status"] == "failed"
    assert result["error"] == INJECTED_FAILURE


def test_output_files_are_stored_by_a_thread(wired: Wired) -> None:
    client = wired()
    config = {"runtime": {"builtin": "fixed", "output": 1, "files": {"out.txt": "hi"}}}
    create_agent(client, "f", config=config)
    result = run_and_wait(client, "f")
    assert result["status"] == "completed"
    execution = client.get(
        f"/api/v1/agents/executions/{result['executionId']}", params={"include": "files"}
    ).json()["execution"]
    assert [f["name"] for f in execution["resultFiles"]] == ["out.txt"]


def test_a_custom_runner_runs_on_a_worker_thread(wired: Wired) -> None:
    threads: list[str] = []

    def runner(job: AgentJob) -> AgentOutcome:
        threads.append(threading.current_thread().name)
        return AgentOutcome(status="completed", output=1)

    client = wired(runner=runner)
    create_agent(client, "c")
    assert run_and_wait(client, "c")["status"] == "completed"
    assert len(threads) == 1
    assert threads[0].startswith("evalkit-worker")


def test_runs_on_the_loop_take_the_worker_slots(wired: Wired) -> None:
    client = wired(workers=1)
    create_agent(client, "slow", config=LONG)
    first, second = _started(client, "slow"), _started(client, "slow")
    assert (_status(client, first), _status(client, second)) == ("running", "pending")
    client.post(f"/api/v1/agents/executions/{first}/cancel")
    ended = threading.Event()
    deadline = threading.Timer(PATIENCE_SECONDS, ended.set)
    deadline.start()
    while _status(client, second) != "running" and not ended.is_set():
        ended.wait(0.01)  # started once the slot is freed
    deadline.cancel()
    assert _status(client, second) == "running"
    cancelled = client.post(f"/api/v1/agents/executions/{second}/cancel")
    assert cancelled.json()["execution"]["status"] == "cancelled"


def test_a_run_on_the_loop_is_cancelled_and_stored_when_the_platform_closes(
    wired: Wired, tmp_path: Path
) -> None:
    client = wired()
    create_agent(client, "slow", config=LONG)
    execution_id = _started(client, "slow")
    data_dir = _platform(client).data_dir
    client.__exit__(None, None, None)  # the lifespan's end closes the platform
    again = wired(data_dir=data_dir)
    assert _status(again, execution_id) == "cancelled"


def test_a_loop_that_does_not_serve_the_platform_runs_nothing(wired: Wired) -> None:
    """A loop made for one request (a test client used without its lifespan) ends with its
    answer: a run's timer there would never fire. Its runs go to a thread."""
    client = wired()
    create_agent(client, "e", config={"runtime": {"builtin": "echo", "delayMs": 10}})
    one_off = TestClient(client.app, headers=dict(client.headers))
    execution_id = _started(one_off, "e")
    result = client.post(
        "/api/v1/agents/e/run", params={"wait_for_completion": PATIENCE_SECONDS}, json={}
    ).json()
    assert result["status"] == "completed"
    ended = threading.Event()
    deadline = threading.Timer(PATIENCE_SECONDS, ended.set)
    deadline.start()
    while _status(client, execution_id) != "completed" and not ended.is_set():
        ended.wait(0.01)
    deadline.cancel()
    assert _status(client, execution_id) == "completed"
    assert len(_platform(client).queue._threads) == 1
