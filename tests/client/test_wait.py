"""Hold-then-poll: the pure schedule, and run_and_wait / wait against a scripted API."""

from __future__ import annotations

import itertools

import pytest

from evalkit.client import AsyncEigenpalClient, EigenpalClient, EigenpalTimeoutError
from evalkit.client.wait import Deadline, hold_seconds_for, is_terminal, poll_delays

from .conftest import EXECUTION, RUNNING, TS, FakeApi, Sleeps, json_answer


def test_poll_schedule_grows_by_half_and_caps_at_two_seconds() -> None:
    delays = list(itertools.islice(poll_delays(), 9))
    assert delays == pytest.approx([0.25, 0.375, 0.5625, 0.84375, 1.265625, 1.8984375, 2, 2, 2])


def test_poll_schedule_with_a_lower_cap() -> None:
    assert list(itertools.islice(poll_delays(cap=0.3), 3)) == [0.25, 0.3, 0.3]
    assert list(itertools.islice(poll_delays(cap=0.1), 2)) == [0.1, 0.1]


def test_short_execution_is_seen_in_a_fraction_of_a_second() -> None:
    # After the hold, the first three polls happen within about 1.2 s.
    assert sum(itertools.islice(poll_delays(), 3)) < 1.2


@pytest.mark.parametrize(
    ("requested", "remaining", "max_hold", "expected"),
    [
        (60, 600.0, 600, 60),
        (900, 2000.0, 600, 600),
        (60, 10.5, 600, 10),
        (60, 0.4, 600, 0),
        (0, 100.0, 600, 0),
        (None, 100.0, 600, 0),
        (30.9, 100.0, 60, 30),
        (120, 100.0, 60, 60),
        (10, -5.0, 60, 0),
    ],
)
def test_hold_is_bounded_by_server_and_deadline(
    requested: float | None, remaining: float, max_hold: int, expected: int
) -> None:
    assert hold_seconds_for(requested, remaining=remaining, max_hold=max_hold) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("completed", True),
        ("failed", True),
        ("cancelled", True),
        ("rejected", True),
        ("running", False),
        ("pending", False),
        ("timeout", False),
        (None, False),
    ],
)
def test_terminal_statuses(status: str | None, expected: bool) -> None:
    assert is_terminal(status) is expected


def test_deadline_uses_the_given_clock(sleeps: Sleeps) -> None:
    deadline = Deadline.after(10, sleeps.clock)
    sleeps.sleep(4)
    assert deadline.remaining() == 6


def test_run_and_wait_holds_then_polls_after_timeout(
    client: EigenpalClient, api: FakeApi, sleeps: Sleeps
) -> None:
    api.queue(
        json_answer(202, {"executionId": "exec_1", "status": "timeout"}),
        json_answer(200, {"execution": RUNNING}),
        json_answer(200, {"execution": RUNNING}),
        json_answer(200, {"execution": EXECUTION}),
    )
    execution = client.agents.run_and_wait("invoices", {"x": 1}, hold_seconds=30)
    assert execution.status.value == "completed"
    assert execution.output == {"total": 3}
    run, *polls = api.requests
    assert run.url.params["wait_for_completion"] == "30"
    assert run.extensions["timeout"]["read"] > 30
    assert [r.url.path for r in polls] == ["/api/v1/agents/executions/exec_1"] * 3
    assert sleeps.pauses == [0.25, 0.375]


def test_run_and_wait_finished_within_the_hold_needs_one_read(
    client: EigenpalClient, api: FakeApi, sleeps: Sleeps
) -> None:
    api.queue(
        json_answer(202, {"executionId": "exec_1", "status": "completed"}),
        json_answer(200, {"execution": EXECUTION}),
    )
    execution = client.agents.run_and_wait("a", include="files", metadata={"exampleName": "e1"})
    assert execution.id == "exec_1"
    assert len(api.requests) == 2
    assert api.body(0) == {"_metadata": {"exampleName": "e1"}}
    assert api.params(1) == {"include": "files"}
    assert sleeps.pauses == []


def test_run_and_wait_hold_never_exceeds_the_server_maximum(
    client: EigenpalClient, api: FakeApi
) -> None:
    api.queue(
        json_answer(202, {"executionId": "exec_1", "status": "completed"}),
        json_answer(200, {"execution": EXECUTION}),
    )
    client.agents.run_and_wait("a", hold_seconds=5000, timeout_seconds=7200)
    assert api.params(0) == {"wait_for_completion": "600"}


def test_wait_deadline_names_the_execution(
    client: EigenpalClient, api: FakeApi, sleeps: Sleeps
) -> None:
    api.queue(json_answer(200, {"execution": RUNNING}))
    with pytest.raises(EigenpalTimeoutError, match="exec_1") as caught:
        client.agents.executions.wait("exec_1", timeout_seconds=3)
    assert caught.value.status == 0
    assert sum(sleeps.pauses) == pytest.approx(3)
    assert max(sleeps.pauses) <= 2


def test_run_and_wait_deadline_after_a_full_hold(
    client: EigenpalClient, api: FakeApi, sleeps: Sleeps
) -> None:
    def slow_hold(request):  # type: ignore[no-untyped-def]
        sleeps.now += 20  # the server held the request for its whole window
        return json_answer(202, {"executionId": "exec_9", "status": "timeout"})

    api.queue(slow_hold, json_answer(200, {"execution": {**RUNNING, "id": "exec_9"}}))
    with pytest.raises(EigenpalTimeoutError, match="exec_9"):
        client.agents.run_and_wait("a", timeout_seconds=20, hold_seconds=60)
    assert api.params(0) == {"wait_for_completion": "20"}
    assert sleeps.pauses == []  # no time was left: one poll, then the error


@pytest.mark.anyio
async def test_async_run_and_wait(
    aclient: AsyncEigenpalClient, api: FakeApi, sleeps: Sleeps
) -> None:
    api.queue(
        json_answer(202, {"executionId": "exec_1", "status": "timeout"}),
        json_answer(200, {"execution": RUNNING}),
        json_answer(200, {"execution": EXECUTION}),
    )
    async with aclient:
        execution = await aclient.agents.run_and_wait("a")
    assert execution.status.value == "completed"
    assert sleeps.pauses == [0.25]


@pytest.mark.anyio
async def test_async_wait_deadline(aclient: AsyncEigenpalClient, api: FakeApi) -> None:
    api.queue(json_answer(200, {"execution": RUNNING}))
    async with aclient:
        with pytest.raises(EigenpalTimeoutError, match="exec_1"):
            await aclient.agents.executions.wait("exec_1", timeout_seconds=1)


def wf_status(status: str) -> dict[str, object]:
    return {"executionId": "wexec_1", "status": status, "createdAt": TS, "result": {"n": 1}}


def test_workflow_run_and_wait_returns_the_sdk_dict(
    client: EigenpalClient, api: FakeApi, sleeps: Sleeps
) -> None:
    api.queue(
        json_answer(201, {"executionId": "wexec_1", "status": "running"}),
        json_answer(200, wf_status("running")),
        json_answer(200, wf_status("completed")),
    )
    outcome = client.workflows.executions.run_and_wait(
        "flow", {"x": 1}, version="v2", overrides={"steps": {}}, poll_interval_seconds=0.3
    )
    assert outcome == {
        "executionId": "wexec_1",
        "status": "completed",
        "result": {"n": 1},
        "error": None,
    }
    assert api.params(0) == {"version": "v2", "wait_for_completion": "60"}
    assert api.body(0) == {"input": {"x": 1}, "overrides": {"steps": {}}}
    assert sleeps.pauses == [0.25]


def test_workflow_run_and_wait_done_within_the_hold(client: EigenpalClient, api: FakeApi) -> None:
    api.queue(json_answer(201, {"executionId": "wexec_1", "status": "failed", "error": "step s1"}))
    outcome = client.workflows.executions.run_and_wait("flow")
    assert outcome == {
        "executionId": "wexec_1",
        "status": "failed",
        "result": None,
        "error": "step s1",
    }
    assert len(api.requests) == 1


def test_workflow_run_and_wait_deadline(client: EigenpalClient, api: FakeApi) -> None:
    api.queue(
        json_answer(201, {"executionId": "wexec_1", "status": "pending"}),
        json_answer(200, wf_status("running")),
    )
    with pytest.raises(EigenpalTimeoutError, match="wexec_1"):
        client.workflows.executions.run_and_wait("flow", timeout_seconds=5)


@pytest.mark.anyio
async def test_async_workflow_run_and_wait(aclient: AsyncEigenpalClient, api: FakeApi) -> None:
    api.queue(
        json_answer(201, {"executionId": "wexec_1", "status": "pending"}),
        json_answer(200, wf_status("completed")),
    )
    async with aclient:
        outcome = await aclient.workflows.executions.run_and_wait("flow")
    assert outcome["status"] == "completed"
