from __future__ import annotations

from typing import Any

import pytest

from evalkit.sync.record import (
    RESERVED_KEY,
    config_with_record,
    parse_record,
    split_config,
)

from .helpers import record


def test_record_survives_a_round_trip_through_config() -> None:
    last = record({"AGENT.md": b"hi"}, config={"model": "m1"}, description="d")
    config = config_with_record({"model": "m1"}, last)
    plain, found = split_config(config)
    assert plain == {"model": "m1"}
    assert found == last
    assert config[RESERVED_KEY]["lastApplied"]["formatVersion"] == 1


def test_config_without_record() -> None:
    assert split_config(None) == ({}, None)
    assert split_config({"model": "m"}) == ({"model": "m"}, None)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "text",
        {"formatVersion": 2, "files": {}, "config": {}, "name": "n"},
        {"formatVersion": 1, "files": [], "config": {}, "name": "n"},
        {"formatVersion": 1, "files": {"a": 1}, "config": {}, "name": "n"},
        {"formatVersion": 1, "files": {}, "config": {}, "name": 3},
        {"formatVersion": 1, "files": {}, "config": {}, "name": "n", "latestCommit": 5},
    ],
)
def test_unusable_records_are_ignored_not_errors(raw: Any) -> None:
    assert parse_record(raw) is None
    plain, found = split_config({RESERVED_KEY: {"lastApplied": raw}, "x": 1})
    assert (plain, found) == ({"x": 1}, None)
