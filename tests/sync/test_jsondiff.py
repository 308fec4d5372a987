from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.sync.jsondiff import (
    canonical_json,
    diff_values,
    json_equal,
    managed_view,
    merge_unmanaged,
    patch_values,
    pointer,
    value_at,
)

keys = st.text(min_size=1, max_size=4, alphabet="abc/~é")
leaves = st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=5)
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=10,
)
documents = st.dictionaries(keys, values, max_size=5)
# Properties, not speed: no deadline or slow-draw checks (the suite runs on busy CI machines).
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@relaxed
@given(documents)
def test_a_document_has_no_diff_with_itself(doc: dict[str, Any]) -> None:
    assert diff_values(doc, doc) == []


@relaxed
@given(documents, documents)
def test_applying_the_diff_of_a_to_b_gives_b(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert json_equal(patch_values(a, diff_values(a, b)), b)


@relaxed
@given(documents, documents)
def test_diff_order_is_stable_and_ignores_key_order(a: dict[str, Any], b: dict[str, Any]) -> None:
    shuffled = dict(random.Random(7).sample(sorted(b.items()), len(b)))
    first, second = diff_values(a, b), diff_values(a, shuffled)
    assert [c.path for c in first] == sorted(c.path for c in first)
    assert [(c.path, c.kind) for c in first] == [(c.path, c.kind) for c in second]


def test_numbers_compare_as_json_does() -> None:
    assert json_equal({"n": 1}, {"n": 1.0})
    assert not json_equal({"flag": True}, {"flag": 1})
    assert not json_equal({"flag": False}, {"flag": 0})
    assert canonical_json({"b": 1, "a": [1.0, None]}) == '{"a":[1,null],"b":1}'


def test_leaf_changes_name_their_path() -> None:
    before = {"triggers": {"api": {"enabled": False}}, "model": "m1", "old": 1}
    after = {"triggers": {"api": {"enabled": True}}, "model": "m1", "new": [1]}
    changes = diff_values(before, after)
    assert [(c.path, c.kind, c.before, c.after) for c in changes] == [
        (("new",), "add", None, [1]),
        (("old",), "remove", 1, None),
        (("triggers", "api", "enabled"), "change", False, True),
    ]


def test_server_added_fields_are_outside_the_managed_view() -> None:
    live = {"model": "m1", "createdBy": "server", "triggers": {"api": {"enabled": True, "rps": 5}}}
    desired = {"model": "m1", "triggers": {"api": {"enabled": True}}}
    assert managed_view(live, desired, None) == desired
    assert diff_values(managed_view(live, desired, None), desired) == []


def test_keys_evalkit_wrote_before_stay_managed_so_removals_show() -> None:
    live = {"model": "m1", "temperature": 0.2}
    desired = {"model": "m1"}
    recorded = {"model": "m1", "temperature": 0.2}
    view = managed_view(live, desired, recorded)
    assert [(c.path, c.kind) for c in diff_values(view, desired)] == [(("temperature",), "remove")]


def test_merge_keeps_unmanaged_live_keys_and_drops_removed_ones() -> None:
    live = {"model": "m0", "temperature": 0.2, "serverKey": 1, "triggers": {"api": {"rps": 5}}}
    desired = {"model": "m1", "triggers": {"api": {"enabled": True}}}
    recorded = {"model": "m0", "temperature": 0.2}
    assert merge_unmanaged(desired, live, recorded) == {
        "model": "m1",
        "serverKey": 1,
        "triggers": {"api": {"enabled": True, "rps": 5}},
    }


@pytest.mark.parametrize(
    ("path", "expected"),
    [((), ""), (("a",), "/a"), (("a/b", "c~d"), "/a~1b/c~0d")],
)
def test_pointer_escapes_segments(path: tuple[str, ...], expected: str) -> None:
    assert pointer(path) == expected


def test_value_at_tells_missing_from_null() -> None:
    doc = {"a": {"b": None}}
    assert value_at(doc, ("a", "b")) == (True, None)
    assert value_at(doc, ("a", "c")) == (False, None)
    assert value_at(doc, ("a", "b", "c")) == (False, None)
