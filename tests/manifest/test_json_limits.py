"""JSON that ``json.loads`` reads loosely or crashes on (evalkit/manifest/json_text.py): each is
a ``TextProblem`` at its line and column."""

from __future__ import annotations

import pytest

from evalkit.manifest.json_text import TextProblem, decode_utf8, loads_strict
from evalkit.manifest.limits import MAX_DEPTH


def refused(text: str) -> TextProblem:
    with pytest.raises(TextProblem) as caught:
        loads_strict(text)
    return caught.value


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 100_000])
def test_nesting_past_the_limit_is_refused_at_the_first_bracket_too_deep(depth: int) -> None:
    problem = refused("\n" + "[" * depth + "]" * depth)
    assert str(problem) == f"lists and objects nested more than {MAX_DEPTH} deep"
    assert (problem.line, problem.column) == (2, MAX_DEPTH + 1)
    assert f"at most {MAX_DEPTH} levels" in problem.hint


def test_nesting_up_to_the_limit_is_read_and_brackets_in_strings_do_not_count() -> None:
    text = '{"a": ' * (MAX_DEPTH - 1) + '["[[[[{{{{"]' + "}" * (MAX_DEPTH - 1)
    value = loads_strict(text)
    for _ in range(MAX_DEPTH - 1):
        value = value["a"]
    assert value == ["[[[[{{{{"]


def test_depth_is_the_deepest_branch_not_the_brackets_counted() -> None:
    # a thousand shallow siblings (far more brackets than the limit), then one branch too deep
    siblings = ",".join(['{"a": [1, {"b": []}]}'] * 1000)
    deep = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    assert len(loads_strict(f"[{siblings},\n{deep}]")) == 1001
    problem = refused(f"[{siblings},\n[{deep}]]")
    assert (problem.line, problem.column) == (2, MAX_DEPTH)


def test_lists_and_objects_in_turn_count_one_level_each() -> None:
    levels = MAX_DEPTH // 2
    assert loads_strict('[{"a":' * levels + "1" + "}]" * levels)
    problem = refused('[{"a":' * levels + "[1]" + "}]" * levels)
    assert problem.column == 6 * levels + 1


def test_brackets_in_strings_with_escaped_quotes_do_not_count() -> None:
    inside = '"\\"' + "[" * (MAX_DEPTH + 5) + '\\""'
    text = "[" * (MAX_DEPTH - 1) + inside + "]" * (MAX_DEPTH - 1)
    value = loads_strict(text)
    for _ in range(MAX_DEPTH - 1):
        (value,) = value
    assert value == '"' + "[" * (MAX_DEPTH + 5) + '"'


def test_a_number_too_long_to_convert_is_refused_at_the_number() -> None:
    problem = refused('{"id": "' + "1" * 5000 + '",\n "n": -' + "1" * 5000 + "}")
    assert str(problem) == "a number of 5,000 digits (at most 4,300 are read)"
    assert (problem.line, problem.column) == (2, 7)
    assert "string" in problem.hint


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ('{"a": NaN}', "NaN"),
        ("[1,\n  -Infinity]", "-Infinity"),
        ('{"big": 1e999}', "1e999"),
        ('{"big": -1E400}', "-1E400"),
        # no exponent: 309 digits before the point are past the largest float too
        ('{"big": ' + "9" * 309 + ".5}", "9" * 40),
    ],
)
def test_numbers_json_cannot_hold_are_refused(text: str, shown: str) -> None:
    problem = refused(text)
    assert str(problem) == f"{shown} is not a finite JSON number"
    assert problem.line >= 1
    assert text.splitlines()[problem.line - 1][problem.column - 1 :].startswith(shown)


def test_the_largest_numbers_a_float_holds_are_read() -> None:
    # 308 digits, and an exponent within range: finite, read as floats
    value = loads_strict(f'[{"9" * 308}.5, 1.5e308, "1e999 in a string", 12e-3]')
    assert value[0] == float("9" * 308)
    assert value[1:] == [1.5e308, "1e999 in a string", 0.012]


def test_a_lone_surrogate_is_refused_and_a_pair_is_a_character() -> None:
    assert loads_strict('["\\ud83d\\ude00"]') == ["\U0001f600"]
    problem = refused('{"ok": "\\ud83d\\ude00",\n "bad": "x\\udc00y"}')
    assert str(problem) == "\\udc00 is half of a surrogate pair, not a character"
    assert (problem.line, problem.column) == (2, 9)


def test_an_escaped_backslash_before_u_is_not_a_surrogate() -> None:
    assert loads_strict('["\\\\ud800"]') == ["\\ud800"]


def test_malformed_json_keeps_the_decoder_s_words_and_place() -> None:
    problem = refused('{\n  "a": 1,\n}')
    assert str(problem) == "invalid JSON: Expecting property name enclosed in double quotes"
    assert (problem.line, problem.column) == (3, 1)


def test_text_that_is_not_utf8_is_refused_at_the_byte() -> None:
    with pytest.raises(TextProblem) as caught:
        decode_utf8(b'{"a":\n "\xc3\x28"}')
    assert str(caught.value) == "not UTF-8 text: byte 0xc3 (invalid continuation byte)"
    assert (caught.value.line, caught.value.column) == (2, 3)
