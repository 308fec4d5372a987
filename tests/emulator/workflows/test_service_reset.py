"""``WorkflowService.reset()``: executions are wiped, running ones stopped, definitions kept."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from evalkit.emulator.workflows.engine import RunRequest

from .conftest import PlatformFactory, write

API = "/api/v1/workflows"
BLOCKING = "steps: [{id: a, agent: blocking}]\n"
QUICK = "steps: [{id: a, builtin: echo}]\n"


def run(client: Any, name: str, **params: Any) -> dict[str, Any]:
    response = client.post(f"{API}/{name}/run", json={"input": {"n": 1}}, params=params)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_reset_wipes_finished_executions_and_keeps_definitions(
    platform: PlatformFactory, definitions: Path
) -> None:
    write(definitions, "quick.yaml", QUICK)
    p = platform()
    before = p.client.get(f"{API}/quick").json()
    done = run(p.client, "quick", wait_for_completion=30)
    assert done["status"] == "completed"

    p.service.reset()

    assert p.client.get(f"{API}/executions/{done['executionId']}").status_code == 404
    listing = p.client.get(f"{API}/quick/executions").json()
    assert (listing["data"], listing["total"]) == ([], 0)
    assert p.client.get(f"{API}/quick").json() == before  # same ids and createdAt
    again = run(p.client, "quick", wait_for_completion=30)
    assert again["status"] == "completed"
    assert p.client.get(f"{API}/quick/executions").json()["total"] == 1


def test_reset_stops_running_and_drops_queued_executions(
    platform: PlatformFactory, definitions: Path
) -> None:
    write(definitions, "slow.yaml", BLOCKING)
    write(definitions, "quick.yaml", QUICK)
    p = platform(workers=1)
    running = run(p.client, "slow")["executionId"]
    assert p.invoker.entered.wait(30)
    queued = run(p.client, "slow")["executionId"]

    p.service.reset()

    # The only worker is free again (the blocking step saw its cancel; release is never set),
    # and the queued run never reached the agent.
    after = run(p.client, "quick", wait_for_completion=30)
    assert after["status"] == "completed"
    assert [call.agent for call in p.invoker.calls] == ["blocking"]
    for gone in (running, queued):
        assert p.client.get(f"{API}/executions/{gone}").status_code == 404
    listing = p.client.get(f"{API}/slow/executions").json()
    assert listing["total"] == 0


def test_reset_wakes_a_held_request(platform: PlatformFactory, definitions: Path) -> None:
    write(definitions, "slow.yaml", BLOCKING)
    p = platform()
    workflow = p.service.workflow("slow")
    row = p.service.engine.start(RunRequest(workflow, workflow.current, input={}))
    assert p.invoker.entered.wait(30)
    woke = threading.Event()

    async def hold() -> None:
        future = p.service.engine.holds.watch(row.id)
        p.service.reset()
        await p.service.engine.holds.hold(row.id, future, 60)
        woke.set()

    asyncio.run(asyncio.wait_for(hold(), 30))
    assert woke.is_set()
    assert p.service.store.get(row.id) is None
