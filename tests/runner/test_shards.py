"""--shard K/N: every example in exactly one shard, the split stable and independent of order."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evalkit.errors import ConfigError
from evalkit.runner.jobs import ExampleJob, Selection, select
from evalkit.runner.shards import Shard, parse_shard, shard_of

labels = st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=60, unique=True)


@pytest.mark.parametrize(("text", "shard"), [("1/1", Shard(1, 1)), (" 2 / 5 ", Shard(2, 5))])
def test_parse(text: str, shard: Shard) -> None:
    assert parse_shard(text) == shard
    assert str(shard) == text.replace(" ", "")


@pytest.mark.parametrize("text", ["0/3", "4/3", "2", "a/b", "1/0", "-1/2", "1/1001"])
def test_a_bad_shard_says_how_to_write_one(text: str) -> None:
    with pytest.raises(ConfigError, match=r"--shard .*K"):
        parse_shard(text)


@given(labels, st.integers(1, 12))
def test_each_label_falls_in_exactly_one_shard(names: list[str], count: int) -> None:
    shards = [Shard(index, count) for index in range(1, count + 1)]
    for name in names:
        assert [shard.holds(name) for shard in shards].count(True) == 1


@given(labels, st.integers(1, 8))
def test_the_split_does_not_depend_on_order_or_on_other_examples(
    names: list[str], count: int
) -> None:
    jobs = [ExampleJob(kind="agent", platform_name="a", suite="a", name=name) for name in names]
    shuffled = list(reversed(jobs))
    for index in range(1, count + 1):
        selection = Selection(shard=Shard(index, count))
        kept = {job.name for job in select(jobs, selection)}
        assert kept == {job.name for job in select(shuffled, selection)}
        alone = {job.name for job in jobs if select([job], selection)}
        assert kept == alone


def test_the_split_is_the_same_in_another_process() -> None:
    names = [f"agent/example-{i}" for i in range(50)]
    here = [shard_of(name, 7) for name in names]
    code = f"from evalkit.runner.shards import shard_of\nprint([shard_of(n, 7) for n in {names!r}])"
    there = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert there.strip() == str(here)
    assert set(here) == set(range(1, 8))  # fifty examples reach every one of seven shards


def test_shards_split_by_agent_and_example_and_compose_with_other_options() -> None:
    jobs = [
        ExampleJob(kind="agent", platform_name=suite, suite=suite, name=f"ex{i}", tags=("smoke",))
        for suite in ("a", "b")
        for i in range(20)
    ]
    parts = [select(jobs, Selection(tags=("smoke",), shard=Shard(k, 3))) for k in (1, 2, 3)]
    assert sorted(job.label for part in parts for job in part) == sorted(j.label for j in jobs)
    # a/ex0 and b/ex0 are split independently: the label holds the agent.
    assert {shard_of("a/ex0", 3), shard_of("b/ex0", 3)} == {
        k for k in (1, 2, 3) if any(j.label in ("a/ex0", "b/ex0") for j in parts[k - 1])
    }
    assert Selection(shard=Shard(2, 3)).as_dict() == {"shard": ["2/3"]}
