"""The execution queue starts its worker threads on demand, never more than configured."""

from __future__ import annotations

import threading

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
    all_done = threading.Event()

    def handle(execution_id: str) -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
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
