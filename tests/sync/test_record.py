from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from evalkit.conventions import RESERVED_CONFIG_KEY
from evalkit.sync.record import (
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
    assert config[RESERVED_CONFIG_KEY]["lastApplied"]["formatVersion"] == 1


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
    plain, found = split_config({RESERVED_CONFIG_KEY: {"lastApplied": raw}, "x": 1})
    assert (plain, found) == ({"x": 1}, None)


def test_the_record_says_which_manifest_agent_and_environment_made_the_agent() -> None:
    base = record({"AGENT.md": b"hi"})
    copy = replace(base, manifest_slug="bot", environment="pr")
    production = replace(base, manifest_slug="bot", environment=None)
    for last in (copy, production):
        wire = last.to_wire()
        assert (wire["manifestSlug"], wire["environment"]) == (last.manifest_slug, last.environment)
        assert parse_record(wire) == last
        assert last.knows_origin
    # a record written before evalkit kept this says nothing (and is still a good record)
    assert "manifestSlug" not in base.to_wire()
    assert not base.knows_origin
    assert parse_record(base.to_wire()) == base


@pytest.mark.parametrize(
    "origin",
    [
        {"manifestSlug": 3, "environment": "pr"},
        {"manifestSlug": "bot", "environment": ["pr"]},
        {"environment": "pr"},
    ],
)
def test_a_malformed_origin_is_unknown_but_the_record_stands(origin: dict[str, Any]) -> None:
    wire = record({"AGENT.md": b"hi"}).to_wire() | origin
    found = parse_record(wire)
    assert found is not None
    assert found.files
    assert (found.manifest_slug, found.environment) == (None, None)
