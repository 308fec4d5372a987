"""Starts first: a freed slot's next start is sent before finished examples are read."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import httpx
import pytest

from evalkit.runner import start_order
from evalkit.runner.results import Verdict
from evalkit.runner.start_order import SignallingTransport, StartOrder
from tests.runner.platform_harness import create_agent, job, local_platform, run_jobs


def test_clear_waits_for_the_starts_owed_when_it_began_and_not_for_later_ones() -> None:
    async def go() -> list[str]:
        order, seen = StartOrder(), []
        first, second, third = object(), object(), object()
        await order.clear()  # nothing owed: at once
        order.owe(first)
        order.owe(second)

        async def work() -> None:
            await order.clear()
            seen.append("work")

        waiting = asyncio.create_task(work())
        await asyncio.sleep(0)
        order.owe(third)  # owed after the work began to wait: does not hold it
        order.paid(first)
        await asyncio.sleep(0)
        seen.append("first paid")
        order.paid(second)
        order.paid(second)  # idempotent
        await waiting
        seen.append(f"owed {order.owed}")
        order.paid(third)
        return seen

    assert asyncio.run(go()) == ["first paid", "work", "owed 1"]


def test_the_transport_pays_a_start_once_its_body_is_written() -> None:
    async def go() -> list[int]:
        order, key = StartOrder(), object()
        owed_when_answered: list[int] = []

        async def answer(request: httpx.Request) -> httpx.Response:
            # as a connection does: the body is sent whole, then the answer comes
            assert isinstance(request.stream, httpx.AsyncByteStream)
            assert b"".join([chunk async for chunk in request.stream]) == request.content
            owed_when_answered.append(order.owed)
            return httpx.Response(202, json={"executionId": "e1"})

        transport = SignallingTransport(httpx.MockTransport(answer))
        async with httpx.AsyncClient(transport=transport) as http:
            order.owe(key)
            with order.sending(key):
                await http.post("http://platform.test/run", json={"input": {"a": 1}})
            order.owe(key)  # a request sent outside ``sending`` pays nothing
            await http.post("http://platform.test/run", json={})
            owed_when_answered.append(order.owed)
            order.paid(key)
        return owed_when_answered

    assert asyncio.run(go()) == [0, 1, 1]


def test_a_start_that_never_reports_holds_the_work_back_only_briefly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(start_order, "MOST_OWED_SECONDS", 0.0)

    async def go() -> int:
        order = StartOrder()
        order.owe(object())  # e.g. sent through a proxy's transport, which does not call back
        await order.clear()  # returns once the owed start counts as paid
        return order.owed

    assert asyncio.run(go()) == 0


def test_the_freed_slot_starts_the_next_example_before_the_finished_one_is_read(
    tmp_path: Path,
) -> None:
    sent: list[str] = []
    warmed: list[tuple[bool, int]] = []

    async def record(request: httpx.Request) -> None:
        sent.append(f"{request.method} {request.url.path.rsplit('/', 1)[-1]}")

    def warm_up() -> None:  # in a worker thread, once the first start is out
        warmed.append((threading.current_thread() is threading.main_thread(), len(sent)))

    with local_platform(tmp_path / "platform") as running:
        create_agent(running, "echo", {"builtin": "echo"})
        jobs = [job("echo", f"ex{n}", {"n": n}, input_json={"n": n}) for n in range(3)]
        out = run_jobs(
            running,
            jobs,
            tmp_path / "run",
            concurrency=1,
            hooks={"request": [record]},
            warm_up=warm_up,
        )
    assert [result.verdict for result in out.results] == [Verdict.PASS] * 3
    starts = [index for index, call in enumerate(sent) if call == "POST run"]
    reads = [index for index, call in enumerate(sent) if call.startswith("GET ")]
    # each example's execution is read only after the next example's start went out
    assert len(starts) == len(reads) == 3
    assert starts[1] < reads[0], sent
    assert starts[2] < reads[1], sent
    assert sent.count("PATCH feedback") == 3, sent
    # the warm-up ran once, in a worker thread, after the first start was sent
    assert len(warmed) == 1
    in_main_thread, requests_before = warmed[0]
    assert not in_main_thread
    assert requests_before >= 1


def test_work_waits_while_executions_are_ending_and_goes_once_they_pause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(start_order, "QUIET_SECONDS", 60.0)
    monkeypatch.setattr(start_order, "MOST_HELD_SECONDS", 60.0)

    async def go() -> list[str]:
        order, seen = StartOrder(), []
        await order.clear()  # no execution ended yet: at once
        order.ended()
        order.ended()  # a second within QUIET_SECONDS: ends are coming

        async def work(name: str) -> None:
            await order.clear()
            seen.append(name)

        first = asyncio.create_task(work("first"))
        second = asyncio.create_task(work("second"))
        for _ in range(5):
            await asyncio.sleep(0)
        seen.append("still ending")
        monkeypatch.setattr(start_order, "QUIET_SECONDS", 1.0)  # the ends have paused
        order.owe("other")
        order.paid("other")  # any change looks at the waiters again
        await asyncio.wait_for(asyncio.gather(first, second), 30)
        return seen

    assert asyncio.run(go()) == ["still ending", "first", "second"]


def test_ends_that_never_pause_hold_the_work_back_only_briefly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(start_order, "QUIET_SECONDS", 60.0)
    monkeypatch.setattr(start_order, "MOST_HELD_SECONDS", 0.0)

    async def go() -> None:
        order = StartOrder()
        order.ended()
        order.ended()
        await asyncio.wait_for(order.clear(), 30)  # let go at its latest, not quiet yet

    asyncio.run(go())


def test_an_end_that_comes_alone_holds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """At --concurrency 1 (or between waves) an end is no burst: its example's work goes on
    at once instead of adding the quiet wait to every example's time."""
    monkeypatch.setattr(start_order, "QUIET_SECONDS", 60.0)
    monkeypatch.setattr(start_order, "MOST_HELD_SECONDS", 60.0)

    async def go() -> bool:
        order = StartOrder()
        order.ended()
        lone = asyncio.create_task(order.clear())
        for _ in range(3):
            await asyncio.sleep(0)
        went_at_once = lone.done()
        order.ended()  # another within QUIET_SECONDS: now ends are coming
        held = asyncio.create_task(order.clear())
        for _ in range(3):
            await asyncio.sleep(0)
        was_held = not held.done()
        held.cancel()
        await asyncio.gather(held, return_exceptions=True)
        return went_at_once and was_held

    assert asyncio.run(go())


def test_once_no_example_waits_to_start_the_work_goes_on_beside_the_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The run's last wave: no start can follow an end, so nothing is protected by waiting
    for the ends to pause; a repeat queued later makes the work wait again."""
    monkeypatch.setattr(start_order, "QUIET_SECONDS", 60.0)
    monkeypatch.setattr(start_order, "MOST_HELD_SECONDS", 60.0)

    async def settled(task: asyncio.Task[None]) -> bool:
        for _ in range(3):
            await asyncio.sleep(0)
        return task.done()

    async def go() -> list[bool]:
        order = StartOrder()
        order.ended()
        order.ended()  # ends are coming
        held = asyncio.create_task(order.clear())
        seen = [not await settled(held)]
        order.owe("last start")
        order.to_start(False)  # the last example has its slot: no quiet is waited for...
        seen.append(not await settled(held))  # ...but its start goes first
        order.paid("last start")
        seen.append(await settled(held))
        order.to_start(True)  # a repeat was queued: ends are waited out again
        order.ended()
        again = asyncio.create_task(order.clear())
        seen.append(not await settled(again))
        again.cancel()
        await asyncio.gather(again, return_exceptions=True)
        return seen

    assert asyncio.run(go()) == [True, True, True, True]


def test_a_work_stopped_while_waiting_leaves_the_others_waiting_as_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(start_order, "QUIET_SECONDS", 60.0)
    monkeypatch.setattr(start_order, "MOST_HELD_SECONDS", 60.0)

    async def go() -> bool:
        order = StartOrder()
        order.ended()
        order.ended()
        stopped = asyncio.create_task(order.clear())
        waiting = asyncio.create_task(order.clear())
        await asyncio.sleep(0)
        stopped.cancel()  # Ctrl-C: the example's task is cancelled in its wait
        await asyncio.gather(stopped, return_exceptions=True)
        await asyncio.sleep(0)
        held = not waiting.done()
        monkeypatch.setattr(start_order, "QUIET_SECONDS", 1.0)
        await asyncio.wait_for(order.clear(), 30)  # after the cancelled one: not stuck
        await asyncio.wait_for(waiting, 30)
        return held and stopped.cancelled()

    assert asyncio.run(go())


def test_examples_ending_together_are_read_after_all_their_next_starts_are_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Generous margins: the ends of a wave come within milliseconds of each other here.
    monkeypatch.setattr(start_order, "QUIET_SECONDS", 1.0)
    monkeypatch.setattr(start_order, "MOST_HELD_SECONDS", 30.0)
    sent: list[str] = []

    async def record(request: httpx.Request) -> None:
        sent.append(f"{request.method} {request.url.path.rsplit('/', 1)[-1]}")

    with local_platform(tmp_path / "platform") as running:
        create_agent(running, "echo", {"builtin": "echo"})
        jobs = [job("echo", f"ex{n}", {"n": n}, input_json={"n": n}) for n in range(8)]
        out = run_jobs(running, jobs, tmp_path / "run", concurrency=4, hooks={"request": [record]})
    assert [result.verdict for result in out.results] == [Verdict.PASS] * 8
    assert all(result.feedback.written for result in out.results)
    # the first four ended, their slots started the last four, which ended at once in turn:
    # the first end of the wave may be read at once (it came alone), but no other read nor
    # feedback write went out among those starts (without the wait: one after each start)
    last_start = max(index for index, call in enumerate(sent) if call == "POST run")
    assert last_start <= 8, sent
    assert sorted(call.split()[0] for call in sent) == ["GET"] * 8 + ["PATCH"] * 8 + ["POST"] * 8, (
        sent
    )
