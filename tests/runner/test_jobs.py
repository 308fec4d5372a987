"""Selection: --only, --example, --tag, and mistakes that must not select nothing silently."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from evalkit.errors import ConfigError, RunError
from evalkit.runner.jobs import ExampleJob, Selection, select
from evalkit.runner.shards import Shard


def make(suite: str, name: str, *tags: str) -> ExampleJob:
    return ExampleJob(kind="agent", platform_name=suite, suite=suite, name=name, tags=tags)


JOBS = [
    make("invoices", "acme-us", "smoke"),
    make("invoices", "acme-eu"),
    make("invoices", "sakura-jp", "slow"),
    make("receipts", "acme-receipt", "smoke"),
]


def names(selection: Selection) -> list[str]:
    return [job.label for job in select(JOBS, selection)]


def test_no_selection_keeps_everything_in_order() -> None:
    assert names(Selection()) == [job.label for job in JOBS]


def test_each_option_narrows_and_values_of_one_option_are_alternatives() -> None:
    assert names(Selection(only=("receipts",))) == ["receipts/acme-receipt"]
    assert names(Selection(examples=("acme-*",))) == [
        "invoices/acme-us",
        "invoices/acme-eu",
        "receipts/acme-receipt",
    ]
    assert names(Selection(examples=("invoices/acme-*", "*-jp"))) == [
        "invoices/acme-us",
        "invoices/acme-eu",
        "invoices/sakura-jp",
    ]
    assert names(Selection(tags=("smoke", "slow"))) == [
        "invoices/acme-us",
        "invoices/sakura-jp",
        "receipts/acme-receipt",
    ]
    assert names(Selection(only=("invoices",), tags=("smoke",))) == ["invoices/acme-us"]


def test_unknown_only_is_an_error_listing_what_exists() -> None:
    with pytest.raises(RunError, match=r"--only invoice: .*known: invoices, receipts"):
        select(JOBS, Selection(only=("invoice",)))


def test_duplicate_example_names_are_refused() -> None:
    with pytest.raises(RunError, match="invoices/acme-us"):
        select([*JOBS, make("invoices", "acme-us")], Selection())


def test_selection_is_recorded_as_given() -> None:
    selection = Selection(only=("a",), tags=("t", "u"))
    assert selection.as_dict() == {"only": ["a"], "tag": ["t", "u"]}


def test_a_job_keeps_its_json_as_compact_text_and_reads_back_copies() -> None:
    job = ExampleJob(
        kind="agent",
        platform_name="a",
        suite="a",
        name="e",
        input_json={"q": "caf\u00e9", "n": [1, 2]},
        expected_json={"total": 3.0},
    )
    assert job.input_text == b'{"q":"caf\\u00e9","n":[1,2]}'
    assert job.input_json == {"q": "caf\u00e9", "n": [1, 2]}
    job.input_json["q"] = "changed"  # each use is a new copy
    assert job.input_json["q"] == "caf\u00e9"
    assert job.expected_json == {"total": 3.0}
    assert not hasattr(job, "__dict__")  # slotted: every job of the manifest is built
    assert dataclasses.replace(job, version="v1").input_json == job.input_json
    bare = ExampleJob(kind="agent", platform_name="a", suite="a", name="f")
    assert (bare.input_json, bare.expected_json, bare.expected_text) == ({}, None, None)


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ({"only": "files"}, "Selection.only is 'files': give a tuple of names"),
        ({"examples": ("ok", 1)}, "Selection.examples is ('ok', 1)"),
        ({"only": 3}, "Selection.only is 3: give a tuple of names"),
        ({"tags": None}, "Selection.tags is None: give a tuple of names"),
        ({"shard": 2}, "Selection.shard is 2: give 'K/N' or a Shard"),
        ({"shard": "3/2"}, "K/N needs 1 <= K <= N"),
    ],
)
def test_a_selection_from_python_is_checked_as_the_options_are(
    given: dict[str, Any], said: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        Selection(**given)
    assert said in str(refused.value)


def test_a_selection_from_python_takes_lists_and_a_written_shard() -> None:
    chosen = Selection(only=["a"], tags=["t"], shard="1/2")  # type: ignore[arg-type]
    assert (chosen.only, chosen.tags, chosen.shard) == (("a",), ("t",), Shard(1, 2))
