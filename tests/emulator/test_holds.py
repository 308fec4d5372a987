"""Held requests wait on futures resolved from worker threads (no thread or poll per waiter)."""

from __future__ import annotations

import asyncio
import threading

from evalkit.emulator.holds import HoldRegistry


def test_a_notify_from_another_thread_ends_the_hold() -> None:
    holds = HoldRegistry()

    async def scenario() -> bool:
        future = holds.watch("exec_1")
        threading.Timer(0.05, holds.notify, args=("exec_1",)).start()
        return await holds.hold("exec_1", future, 30)

    assert asyncio.run(scenario()) is True
    assert holds._futures == {}


def test_the_hold_window_runs_out() -> None:
    holds = HoldRegistry()

    async def scenario() -> bool:
        future = holds.watch("exec_2")
        return await holds.hold("exec_2", future, 0.01)

    assert asyncio.run(scenario()) is False
    assert holds._futures == {}  # forgotten after the timeout


def test_many_waiters_on_one_execution_and_thread_waiters() -> None:
    holds = HoldRegistry()
    event = holds.watch_thread("exec_3")

    async def scenario() -> list[bool]:
        futures = [holds.watch("exec_3") for _ in range(5)]
        holds.notify("exec_3")
        return list(await asyncio.gather(*(holds.hold("exec_3", f, 30) for f in futures)))

    assert asyncio.run(scenario()) == [True] * 5
    assert event.is_set()


def test_notify_of_an_unwatched_execution_is_harmless() -> None:
    holds = HoldRegistry()
    holds.notify("exec_nobody")
    event = holds.watch_thread("exec_4")
    holds.forget("exec_4", event)
    holds.notify("exec_4")
    assert not event.is_set()


def test_release_all_wakes_everyone() -> None:
    holds = HoldRegistry()
    events = [holds.watch_thread(f"exec_{n}") for n in range(3)]
    holds.release_all()
    assert all(event.is_set() for event in events)
