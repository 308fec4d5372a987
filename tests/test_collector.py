"""``evalkit.collector``: the collector held off inside a block, and over a process's imports."""

from __future__ import annotations

import gc

import pytest

from evalkit import collector
from evalkit.collector import collection_paused, imports_frozen


def _cycles(count: int) -> None:
    """Allocations the collector counts (and must collect: each list holds itself)."""
    for _ in range(count):
        cycle: list[object] = []
        cycle.append(cycle)


def test_no_collection_runs_inside_and_the_collector_is_back_on_after(
    collections: list[int],
) -> None:
    assert gc.isenabled()
    threshold = gc.get_threshold()[0]
    with collection_paused():
        assert not gc.isenabled()
        _cycles(10 * threshold)
        assert collections == []
    assert gc.isenabled()
    _cycles(2 * threshold)
    assert collections, "the collector runs again after the block"


def test_it_is_back_on_after_an_error() -> None:
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("a report that failed")
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_caller_stays_off() -> None:
    gc.disable()
    try:
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_nested_pauses_turn_it_back_on_once_at_the_end() -> None:
    with collection_paused():
        with collection_paused():
            pass
        assert not gc.isenabled(), "the inner block does not end the outer one's pause"
    assert gc.isenabled()


def test_a_startup_pause_turns_the_collector_back_on_with_the_imports_frozen() -> None:
    from evalkit.collector import StartupPause

    frozen_before = gc.get_freeze_count()
    pause = StartupPause()
    try:
        pause.pause()
        assert not gc.isenabled()
        built: list[list[int]] = [[] for _ in range(1000)]  # what the imports would build
        pause.resume()
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen_before + len(built)
        pause.resume()  # once only
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()


def test_a_startup_pause_leaves_a_collector_the_caller_turned_off_off() -> None:
    from evalkit.collector import StartupPause

    gc.disable()
    try:
        pause = StartupPause()
        pause.pause()
        pause.resume()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_what_a_block_of_imports_built_is_frozen_before_the_collector_is_back_on(
    collections: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(collector, "_own_process", True)  # as the console script claims it
    frozen_before = gc.get_freeze_count()
    threshold = gc.get_threshold()[0]
    try:
        with imports_frozen():
            assert not gc.isenabled()
            built: list[list[int]] = [[] for _ in range(10 * threshold)]  # modules, validators
            assert collections == []
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen_before + len(built)
        assert gc.get_count()[0] < threshold, "no young collection is owed for them"
    finally:
        gc.unfreeze()


def test_in_a_callers_process_a_block_of_imports_is_paused_and_nothing_frozen(
    collections: list[int],
) -> None:
    """evalkit as a library: a freeze would take the caller's objects too, and a next run's
    manifest loading while a short run's warm-up thread ends."""
    assert not collector._own_process  # the test process is nobody's command
    frozen_before = gc.get_freeze_count()
    threshold = gc.get_threshold()[0]
    with imports_frozen():
        assert not gc.isenabled()
        built: list[list[int]] = [[] for _ in range(10 * threshold)]
        assert collections == []
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen_before
    del built


def test_a_block_of_imports_that_fails_freezes_nothing_and_turns_the_collector_back_on() -> None:
    frozen_before = gc.get_freeze_count()
    with pytest.raises(ImportError), imports_frozen():
        raise ImportError("a module missing")
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen_before
