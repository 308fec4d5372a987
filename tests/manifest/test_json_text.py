"""Strict JSON for example files: a repeated key is an error at its second use."""

from __future__ import annotations

import pytest

from evalkit.manifest.json_text import DuplicateKeyError, TextProblem, loads_strict


def test_plain_json_reads_as_json_loads_would() -> None:
    assert loads_strict('{"a": [1, {"b": null}], "c": "x"}') == {"a": [1, {"b": None}], "c": "x"}


def test_a_repeated_key_names_the_key_and_its_second_place() -> None:
    with pytest.raises(DuplicateKeyError) as caught:
        loads_strict('{\n  "items": [{"total": 1,\n    "total": 2}]\n}')
    assert caught.value.key == "total"
    assert (caught.value.line, caught.value.column) == (3, 5)
    assert "appears twice" in str(caught.value)


def test_equal_keys_in_different_objects_are_fine() -> None:
    assert loads_strict('[{"a": 1}, {"a": 2}]') == [{"a": 1}, {"a": 2}]


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("9" * 5000, 1, 1),
        ("[1,\n  " + "9" * 5000 + "]", 2, 3),
        # the parser stops at the letter after failing to convert the number before it
        ("9" * 5000 + "\u00e9", 1, 1),
        ('{"a":\n -' + "9" * 5000 + "x}", 2, 2),
    ],
)
def test_a_number_with_too_many_digits_is_located(text: str, line: int, column: int) -> None:
    with pytest.raises(TextProblem) as refused:
        loads_strict(text)
    assert "5,000 digits" in str(refused.value)
    assert (refused.value.line, refused.value.column) == (line, column)


@pytest.mark.parametrize("text", ["1e999\u00e9", "[1,\n 1e999\u00e9]"])
def test_a_number_not_finite_before_a_letter_is_located(text: str) -> None:
    # the letter after the number is not part of it (it was read as one word, not located)
    with pytest.raises(TextProblem) as refused:
        loads_strict(text)
    assert "1e999 is not a finite JSON number" in str(refused.value)
    assert refused.value.line >= 1
