"""``json_edit``: a new value written into a JSON text changes only the lines of the values
that differ; the text always reads back as the new value."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.compare.json_edit import JsonSyntax, edited, edited_node, parse

INVOICE = """\
{
  "vendor": "Nordlicht",
  "lineItems": [
    {"description": "Cards", "quantity": 4, "unitPrice": 38.50},
    {"description": "Design", "quantity": 6.5, "unitPrice": 85.00}
  ],
  "total": 2582.66
}
"""


def test_a_changed_value_changes_its_text_only() -> None:
    value = parse(INVOICE).value
    value["lineItems"][1] = {**value["lineItems"][1], "quantity": 6}
    assert edited(INVOICE, value) == INVOICE.replace('"quantity": 6.5', '"quantity": 6')


def test_unchanged_numbers_keep_how_they_are_written() -> None:
    root = parse(INVOICE)
    new = {**root.value, "vendor": "Nordlicht GmbH"}
    text = edited(INVOICE, new)
    assert '"unitPrice": 38.50' in text
    assert text == INVOICE.replace('"Nordlicht"', '"Nordlicht GmbH"')


def test_keys_added_and_removed() -> None:
    root = parse(INVOICE)
    new = {key: item for key, item in root.value.items() if key != "vendor"}
    new["currency"] = "EUR"
    text = edited(INVOICE, new)
    assert json.loads(text) == new
    assert '"vendor"' not in text
    assert text.endswith('  "total": 2582.66,\n  "currency": "EUR"\n}\n')


def test_moved_elements_move_their_lines() -> None:
    """Elements are known by identity: the new value holds the parsed objects."""
    root = parse(INVOICE)
    items = root.value["lineItems"]
    text = edited_node(INVOICE, root, {**root.value, "lineItems": [items[1], items[0]]})
    lines = text.splitlines()
    assert lines[3] == '    {"description": "Design", "quantity": 6.5, "unitPrice": 85.00},'
    assert lines[4] == '    {"description": "Cards", "quantity": 4, "unitPrice": 38.50}'


def test_a_new_key_in_a_one_line_object_stays_on_its_line() -> None:
    root = parse(INVOICE)
    items = root.value["lineItems"]
    new_item = {**items[0], "amount": 154}
    text = edited_node(INVOICE, root, {**root.value, "lineItems": [new_item, items[1]]})
    assert '"unitPrice": 38.50, "amount": 154},' in text


def test_an_empty_container_gains_members() -> None:
    assert json.loads(edited('{"a": []}\n', {"a": [1, {"b": 2}]})) == {"a": [1, {"b": 2}]}
    assert edited("{}\n", {"a": 1}) == '{\n  "a": 1\n}\n'


def test_not_json_is_refused() -> None:
    with pytest.raises(JsonSyntax):
        parse('{"a": 1,}')


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(old=json_values, new=json_values, indent=st.sampled_from([None, 2, 4]))
def test_the_text_always_reads_back_as_the_new_value(old: Any, new: Any, indent: Any) -> None:
    text = json.dumps(old, indent=indent) + "\n"
    assert json.loads(edited(text, new)) == new
