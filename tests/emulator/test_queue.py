"""The execution queue starts its worker threads on demand, never more than configured."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import pytest

from evalkit.emulator.queue import ExecutionQueue

#: a bound on waits, so that a broken queue fails instead of hanging
PATIENCE_SECONDS = 30


def _workers() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("evalkit-worker")}


def test_no_thread_is_started_before_there_is_work() -> None:
    before = _workers()
    queue = ExecutionQueue(workers=8, handle=lambda execution_id: None)
    assert _workers() == before
    queue.close()


def test_threads_are_started_up_to_the_limit_and_each_id_is_handled_once() -> None:
    release = threading.Event()
    lock = threading.Lock()
    running = 0
    most = 0
    handled: list[str] = []
    three_running = threading.Event()
    all_done = threading.Event()

    def handle(execution_id: str) -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            if running == 3:
                three_running.set()
        assert release.wait(PATIENCE_SECONDS)
        with lock:
            running -= 1
            handled.append(execution_id)
            if len(handled) == 7:
                all_done.set()

    before = _workers()
    queue = ExecutionQueue(workers=3, handle=handle)
    for n in range(7):
        queue.put(f"e{n}")
    started = _workers() - before
    assert len(started) == 3  # four ids wait in the queue, as pending
    assert three_running.wait(PATIENCE_SECONDS)
    release.set()
    assert all_done.wait(PATIENCE_SECONDS)
    queue.close()
    assert sorted(handled) == [f"e{n}" for n in range(7)]
    assert most == 3
    assert not any(thread.is_alive() for thread in started)


def test_a_closed_queue_refuses_work() -> None:
    queue = ExecutionQueue(workers=2, handle=lambda execution_id: None)
    queue.put("a")
    queue.close()
    with pytest.raises(RuntimeError, match="closed"):
        queue.put("b")
    queue.close()  # twice is fine


def test_on_loop_takes_what_is_put_on_the_loop_and_its_end_frees_the_slot() -> None:
    """One slot: the second id waits until the first, held by the loop, is done; then it is
    offered to the loop too. An id the loop declines, or put off the loop, goes to a thread."""
    offered: list[str] = []
    on_thread: list[str] = []
    dones: list[Callable[[], None]] = []
    handled = threading.Event()

    def on_loop(
        execution_id: str, done: Callable[[], None], to_thread: Callable[..., None]
    ) -> bool:
        offered.append(execution_id)
        if execution_id == "declined":
            return False
        dones.append(done)
        return True

    def handle(execution_id: str) -> None:
        on_thread.append(execution_id)
        handled.set()

    queue = ExecutionQueue(workers=1, handle=handle, on_loop=on_loop)

    async def scenario() -> None:
        queue.serve_on(asyncio.get_running_loop())
        queue.put("a")
        queue.put("b")  # no slot: waits
        assert offered == ["a"]
        dones.pop()()
        await asyncio.sleep(0)  # the next is offered on the loop's next turn
        assert offered == ["a", "b"]
        dones.pop()()
        queue.put("declined")

    asyncio.run(scenario())
    assert handled.wait(PATIENCE_SECONDS)
    assert on_thread == ["declined"]
    queue.close()


def test_close_off_the_loop_waits_for_what_the_loop_holds() -> None:
    """Closed from another thread, the queue waits for the loop's executions to be done (the
    platform then closes its database: nothing may be stored after)."""
    held: list[Callable[[], None]] = []
    closed = threading.Event()

    def on_loop(execution_id: str, done: Callable[[], None], to_thread: object) -> bool:
        held.append(done)
        return True

    def close() -> None:
        queue.close()
        closed.set()

    queue = ExecutionQueue(workers=2, handle=lambda execution_id: None, on_loop=on_loop)

    async def scenario() -> None:
        queue.serve_on(asyncio.get_running_loop())
        queue.put("a")
        closer = threading.Thread(target=close)
        closer.start()
        await asyncio.sleep(0.05)
        assert not closed.is_set()
        held.pop()()
        await asyncio.to_thread(closer.join, PATIENCE_SECONDS)

    asyncio.run(scenario())
    assert closed.is_set()
