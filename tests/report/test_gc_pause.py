"""``collection_paused``: no automatic collection inside, the collector as it was after."""

from __future__ import annotations

import gc

import pytest

from evalkit.report.gc_pause import collection_paused


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
