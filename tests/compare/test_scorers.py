"""The scorers that need no model (issue 13 item 1): similarity, contains, not_contains,
contains_any, length, json_schema; their messages, normalisations, edge cases and scores."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from evalkit.compare import (
    CompareSpec,
    FileRule,
    compare_example,
    compare_files,
    compare_json,
    merge_specs,
)
from evalkit.compare.numeric import floored
from evalkit.compare.rules import LengthUnit
from evalkit.compare.scorers import length_of


def judge(rule: dict[str, Any], expected: Any, actual: Any) -> list[str]:
    """The difference messages of one rule at /a."""
    spec = CompareSpec.model_validate({"rules": {"/a": rule}})
    comparison = compare_json({"a": expected}, {"a": actual}, spec)
    return [d.rule or d.kind for d in comparison.differences]


# --- similarity


def test_similarity_at_or_above_min_matches_and_is_noted() -> None:
    spec = CompareSpec.model_validate(
        {"rules": {"/a": {"similarity": {"min": 0.9, "method": "token_set"}}}}
    )
    result = compare_json({"a": "the refund was sent"}, {"a": "sent was the refund"}, spec)
    assert result.passed
    assert result.score == 1.0
    (note,) = result.applied
    assert (note.kind, note.detail) == ("similarity", "similarity 1.00 (token_set, at least 0.9)")


@pytest.mark.parametrize(
    ("method", "expected", "actual", "passes"),
    [
        ("ratio", "refund issued", "refund issued.", True),
        ("ratio", "refund issued", "issued refund", False),  # order matters to ratio
        ("token_set", "refund issued", "issued refund", True),
        ("partial", "refund issued", "Dear customer, refund issued today", True),
        ("ratio", "refund issued", "Dear customer, refund issued today", False),
    ],
)
def test_similarity_methods(method: str, expected: str, actual: str, passes: bool) -> None:
    rule = {"similarity": {"min": 0.9, "method": method}}
    assert (judge(rule, expected, actual) == []) is passes


def test_similarity_below_min_says_by_how_much_and_counts_as_partial_credit() -> None:
    spec = CompareSpec.model_validate(
        {"rules": {"/a": {"similarity": {"min": 0.85, "method": "token_set"}}}}
    )
    result = compare_json(
        {"a": "the refund was sent to the customer", "b": 1},
        {"a": "customer got the money back", "b": 1},
        spec,
    )
    (difference,) = result.differences
    assert difference.rule == "similarity 0.61 below 0.85 (token_set)"
    assert difference.score is not None
    assert 0.61 < difference.score < 0.62
    # /b matches (1), /a earns its similarity: the score is their mean
    assert result.score == pytest.approx((1 + difference.score) / 2)
    assert difference.to_dict()["score"] == difference.score


def test_a_similarity_just_below_min_never_reads_as_min() -> None:
    assert judge({"similarity": {"min": 0.9}}, "abcdefghij", "abcdefghiX") == []  # exactly 0.9
    assert judge({"similarity": {"min": 0.901}}, "abcdefghij", "abcdefghiX") == [
        "similarity 0.900 below 0.901 (ratio)"  # as many places as the minimum has
    ]
    assert floored(0.8999, 2) == "0.89"  # floored, not rounded up to the minimum


def test_partial_credit_is_lost_with_any_other_failure_at_the_path() -> None:
    rule = {"similarity": {"min": 0.9}, "contains": ["refund"]}
    spec = CompareSpec.model_validate({"rules": {"/a": rule}})
    result = compare_json({"a": "refund sent"}, {"a": "money sent"}, spec)
    assert [d.rule for d in result.differences] == [
        "similarity 0.57 below 0.9 (ratio)",
        "missing 'refund'",
    ]
    assert result.score == 0.0


def test_a_passing_example_scores_one_whatever_its_similarities() -> None:
    spec = CompareSpec.model_validate({"rules": {"/a": {"similarity": {"min": 0.5}}}})
    verdict = compare_example({"a": "refund sent"}, {"a": "refund sent!"}, None, None, spec)
    assert (verdict.rating, verdict.score) == ("pass", 1.0)


def test_similarity_with_text_normalisations() -> None:
    rule = {"similarity": {"min": 1.0}, "text": ["casefold", "whitespace", "strip"]}
    assert judge(rule, "Refund  Sent", " refund sent ") == []
    assert judge({"similarity": {"min": 1.0}}, "Refund", "refund") == [
        "similarity 0.83 below 1 (ratio)"
    ]


@pytest.mark.parametrize(
    ("expected", "actual", "messages"),
    [
        (None, None, []),  # the same non-text value on both sides
        ("x", None, ["similarity needs text: the actual value is null"]),
        ("x", 3, ["similarity needs text: the actual value is a number"]),
        (3, "3", ["similarity needs text: the expected value is a number"]),
        (["a"], ["a"], []),
        ("", "", []),  # two empty texts are the same text
        ("café", "cafe\u0301", []),  # NFC: one letter, two spellings
    ],
)
def test_similarity_edge_cases(expected: Any, actual: Any, messages: list[str]) -> None:
    assert judge({"similarity": {"min": 1.0}}, expected, actual) == messages


# --- contains, not_contains, contains_any


@pytest.mark.parametrize(
    ("rule", "actual", "messages"),
    [
        ({"contains": ["refund"]}, "Your refund is on its way", []),
        ({"contains": ["refund", "invoice"]}, "no money", ["missing 'refund' and 'invoice'"]),
        ({"contains": "refund"}, "a refund", []),  # one phrase may be written alone
        ({"contains": ["Refund"]}, "a refund", ["missing 'Refund'"]),  # case counts by default
        ({"contains": ["Refund"], "text": ["casefold"]}, "a REFUND", []),
        ({"contains": ["full refund"], "text": ["whitespace"]}, "a full\n  refund", []),
        ({"contains": ["full refund"]}, "a full\n refund", ["missing 'full refund'"]),
        ({"contains": ["Straße"], "text": ["casefold"]}, "STRASSE 5", []),
        ({"contains": ["café"]}, "un cafe\u0301", []),  # NFC on both sides
        ({"not_contains": ["guarantee"]}, "we guarantee it", ["contains 'guarantee'"]),
        (
            {"not_contains": ["guarantee"], "text": ["casefold"]},
            "We GUARANTEE it",
            ["contains 'guarantee' (text casefold)"],
        ),
        ({"not_contains": ["guarantee"]}, "we promise", []),
        ({"contains_any": ["yes", "no"]}, "no, sorry", []),
        ({"contains_any": ["yes", "no"]}, "maybe", ["contains none of 'yes' or 'no'"]),
        ({"contains": ["urgent"]}, ["urgent", "billing"], []),  # a list holds it as an element
        ({"contains": ["urg"]}, ["urgent"], ["no element 'urg'"]),  # elements, not substrings
        ({"contains": ["urgent"], "text": ["casefold"]}, ["URGENT", 3, None], []),
        ({"not_contains": ["spam"]}, ["spam"], ["has the element 'spam'"]),
        ({"contains_any": ["a", "b"]}, [], ["contains none of 'a' or 'b'"]),
        ({"contains": ["x"]}, None, ["contains needs text or a list: the actual value is null"]),
        (
            {"not_contains": ["x"]},
            5,
            ["not_contains needs text or a list: the actual value is a number"],
        ),
        (
            {"contains_any": ["x"]},
            {"x": 1},
            ["contains_any needs text or a list: the actual value is an object"],
        ),
    ],
)
def test_contains_rules(rule: dict[str, Any], actual: Any, messages: list[str]) -> None:
    assert judge(rule, "the expected text is not compared", actual) == messages


def test_contains_judges_even_a_value_equal_to_the_expected_one() -> None:
    assert judge({"not_contains": ["guarantee"]}, "we guarantee", "we guarantee") == [
        "contains 'guarantee'"
    ]


def test_many_missing_phrases_are_listed_briefly() -> None:
    phrases = [f"w{i}" for i in range(8)]
    (message,) = judge({"contains": phrases}, "", "nothing")
    assert message == "missing 'w0', 'w1', 'w2', 'w3', 'w4' and 3 more"


# --- length


@pytest.mark.parametrize(
    ("text", "unit", "count"),
    [
        ("", LengthUnit.CHARACTERS, 0),
        ("héllo", LengthUnit.CHARACTERS, 5),
        ("he\u0301llo", LengthUnit.CHARACTERS, 5),  # e + combining accent is one character
        ("👍🏽!", LengthUnit.CHARACTERS, 2),  # an emoji with its skin tone is one
        ("one two  three", LengthUnit.WORDS, 3),
        ("one — two", LengthUnit.WORDS, 2),  # a dash alone is no word
        ("don't stop", LengthUnit.WORDS, 2),
        ("", LengthUnit.WORDS, 0),
    ],
)
def test_length_counts(text: str, unit: LengthUnit, count: int) -> None:
    assert length_of(text, unit) == count


@pytest.mark.parametrize(
    ("rule", "actual", "messages"),
    [
        ({"length": {"max": 3, "unit": "words"}}, "one two three four", ["4 words, at most 3"]),
        ({"length": {"min": 2, "unit": "words"}}, "one", ["1 word, at least 2"]),
        ({"length": {"min": 2, "max": 5}}, "abc", []),
        ({"length": {"min": 5}}, "abc", ["3 characters, at least 5"]),
        ({"length": {"max": 3}}, "abcd", ["4 characters, at most 3"]),
        ({"length": {"max": 3}, "text": ["strip"]}, "  abc  ", []),
        ({"length": {"max": 3}}, None, ["length needs text: the actual value is null"]),
        ({"length": {"max": 3}}, ["a"], ["length needs text: the actual value is a list"]),
    ],
)
def test_length_rule(rule: dict[str, Any], actual: Any, messages: list[str]) -> None:
    assert judge(rule, "", actual) == messages


@pytest.mark.parametrize(
    ("length", "message"),
    [
        ({}, "give 'min', 'max' or both"),
        ({"min": 5, "max": 2}, "'min' (5) is above 'max' (2)"),
        ({"max": -1}, "greater than or equal to 0"),
        ({"max": 3, "unit": "lines"}, "'characters' or 'words'"),
    ],
)
def test_bad_length_rules_are_refused(length: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        CompareSpec.model_validate({"rules": {"/a": {"length": length}}})


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"contains": []}, "at least 1 item"),
        ({"contains": ["ok", ""]}, "'' is part of every text"),
        ({"similarity": {"min": 1.5}}, "less than or equal to 1"),
        ({"similarity": {}}, "Field required"),
        ({"similarity": {"min": 0.5, "method": "cosine"}}, "'ratio', 'token_set' or 'partial'"),
        ({"json_schema": ""}, "needs a file"),
        ({"json_schema": "/etc/schema.json"}, "is absolute"),
        ({"json_schema": "schemas\\a.json"}, "contains '\\'"),
    ],
)
def test_bad_scorer_rules_are_refused(rule: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        CompareSpec.model_validate({"rules": {"/a": rule}})


# --- scorers inside lists, on the root, and with other rules


def test_scorers_on_list_elements_and_in_order_insensitive_lists() -> None:
    spec = CompareSpec.model_validate(
        {
            "rules": {
                "/notes": {"order": "ignore"},
                "/notes/*": {"similarity": {"min": 0.8, "method": "token_set"}},
            }
        }
    )
    expected = {"notes": ["refund sent to customer", "ticket closed"]}
    result = compare_json(expected, {"notes": ["ticket closed", "customer refund sent to"]}, spec)
    assert result.passed, result.differences
    result = compare_json(expected, {"notes": ["ticket closed", "nothing happened"]}, spec)
    assert not result.passed


def test_scorers_on_the_whole_output() -> None:
    spec = CompareSpec.model_validate({"rules": {"": {"contains": ["refund"]}}})
    verdict = compare_example("anything", "no money for you", None, None, spec)
    assert verdict.rating == "fail"
    assert [d.display() for d in verdict.differences] == [
        '(root): changed, expected "anything", actual "no money for you" [missing \'refund\']'
    ]


def test_a_missing_value_under_a_scorer_is_missing() -> None:
    spec = CompareSpec.model_validate({"rules": {"/a": {"contains": ["x"]}}})
    result = compare_json({"a": "x"}, {}, spec)
    assert [(d.pointer, d.kind) for d in result.differences] == [("/a", "missing")]


# --- json_schema


def write_schema(folder: Path, schema: Any, name: str = "answer.json") -> Path:
    path = folder / "schemas" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(schema), encoding="utf-8")
    return path


ANSWER = {
    "type": "object",
    "properties": {"total": {"type": "number"}, "currency": {"enum": ["EUR", "USD"]}},
    "required": ["total"],
}


def test_json_schema_on_the_whole_output(tmp_path: Path) -> None:
    path = write_schema(tmp_path, ANSWER)
    spec = CompareSpec.model_validate(
        {"rules": {"": {"json_schema": str(path)}}}, context={"merged": True}
    )
    ok = compare_example({"total": 1}, {"total": 12.5, "currency": "EUR"}, None, None, spec)
    assert ok.rating == "pass"
    assert [a.detail for a in ok.applied] == ["matches schema answer.json"]
    bad = compare_example({"total": 1}, {"total": "x", "currency": "GBP"}, None, None, spec)
    assert [d.rule for d in bad.differences] == [
        "does not match schema answer.json: $.currency: 'GBP' is not one of ['EUR', 'USD'] "
        "(and 1 more)"
    ]


def test_json_schema_on_one_value(tmp_path: Path) -> None:
    path = write_schema(tmp_path, {"type": "string", "format": "date"})
    spec = CompareSpec.model_validate(
        {"rules": {"/due": {"json_schema": str(path)}}}, context={"merged": True}
    )
    assert compare_json({"due": "x"}, {"due": "2024-02-30"}, spec).differences[0].rule == (
        "does not match schema answer.json: $: '2024-02-30' is not a 'date'"
    )
    assert compare_json({"due": "x"}, {"due": "2024-02-28"}, spec).passed


# --- text files, and where the scorer keys may go


def test_a_text_file_is_judged_as_one_text_by_its_scorers() -> None:
    rule = FileRule(similarity={"min": 0.9}, not_contains=["guarantee"], text=["casefold"])
    (close,) = compare_files(
        {"s.md": b"Refund sent.\n"}, {"s.md": b"refund sent\r\n"}, {"s.md": rule}
    )
    assert (close.status, close.score) == ("match", 1.0)
    (far,) = compare_files(
        {"s.md": b"Refund sent.\n"}, {"s.md": b"We GUARANTEE a refund\n"}, {"*.md": rule}
    )
    assert far.status == "differ"
    assert [(d.pointer, d.rule) for d in far.differences] == [
        ("", "similarity 0.36 below 0.9 (ratio, text casefold)"),
        ("", "contains 'guarantee' (text casefold)"),
    ]
    assert far.score == 0.0


def test_a_text_file_equal_to_the_expected_one_is_still_judged() -> None:
    (same,) = compare_files(
        {"s.md": b"we guarantee\n"},
        {"s.md": b"we guarantee\n"},
        {"s.md": FileRule(not_contains=["guarantee"])},
    )
    assert same.status == "differ"


def test_a_similarity_file_scores_its_similarity() -> None:
    (file,) = compare_files(
        {"s.txt": b"abcdefghij"},
        {"s.txt": b"abcdefghiX"},
        {"s.txt": FileRule(similarity={"min": 0.95})},
    )
    assert file.score == pytest.approx(0.9)


@pytest.mark.parametrize("glob", ["*.csv", "out.json"])
def test_text_scorers_on_json_or_csv_files_are_refused(glob: str) -> None:
    with pytest.raises(ValueError, match="'contains' is for text files"):
        CompareSpec.model_validate({"files": {glob: {"contains": ["x"]}}})


def test_text_with_json_schema_alone_is_refused_but_fine_beside_a_text_scorer() -> None:
    with pytest.raises(ValueError, match="'text' cannot be combined with 'json_schema'"):
        CompareSpec.model_validate({"rules": {"/a": {"json_schema": "s.json", "text": "strip"}}})
    CompareSpec.model_validate(
        {"rules": {"/a": {"json_schema": "s.json", "contains": ["x"], "text": "strip"}}}
    )


def test_scorers_merge_across_levels_field_by_field() -> None:
    defaults = CompareSpec.model_validate(
        {"rules": {"/a": {"similarity": {"min": 0.5}, "text": ["casefold"]}}}
    )
    example = CompareSpec.model_validate({"rules": {"/a": {"contains": ["Refund"]}}})
    merged = merge_specs(defaults, example)
    assert merged.rules["/a"].similarity is not None
    assert merged.rules["/a"].contains == ["Refund"]
    assert compare_json({"a": "a refund"}, {"a": "A REFUND!"}, merged).passed
    # a default tolerance and an example's similarity are a refinement, not a contradiction
    numeric = CompareSpec.model_validate({"rules": {"/a": {"tolerance": 0.1}}})
    assert merge_specs(numeric, example).rules["/a"].tolerance == 0.1


# --- rules below a value judged whole (a scorer, a regex, present) still apply


REPLY_RULES: dict[str, Any] = {
    "/reply": {
        "contains": ["Refund", "100 EUR"],
        "not_contains": ["guarantee"],
        "length": {"max": 10, "unit": "words"},
    },
    "/tags": {"contains": ["urgent"]},
}
EXPECTED_ANSWER = {"reply": "", "tags": [], "total": 0}
BAD_REPLY = {"reply": "we guarantee nothing, maybe a refund of some money later on", "tags": []}


def whole_output_spec(tmp_path: Path, whole: dict[str, Any]) -> CompareSpec:
    path = write_schema(tmp_path, {"type": "object", "required": ["total"]})
    rule = {key: str(path) if value == "SCHEMA" else value for key, value in whole.items()}
    return CompareSpec.model_validate(
        {"rules": {"": rule, **REPLY_RULES}}, context={"merged": True}
    )


REPLY_FAILURES = [
    ("/reply", "missing 'Refund' and '100 EUR'"),
    ("/reply", "contains 'guarantee'"),
    ("/reply", "11 words, at most 10"),
    ("/tags", "no element 'urgent'"),
]


def test_a_json_schema_on_the_whole_output_leaves_the_rules_below_it_in_force(
    tmp_path: Path,
) -> None:
    spec = whole_output_spec(tmp_path, {"json_schema": "SCHEMA"})
    fits = compare_json(EXPECTED_ANSWER, {**BAD_REPLY, "total": 5}, spec)
    # /total has no rule of its own: the schema judges it (5 against the placeholder 0 is fine)
    assert [(d.pointer, d.rule) for d in fits.differences] == REPLY_FAILURES
    assert fits.score == pytest.approx(1 / 3)  # the schema's leaf, not /reply's nor /tags's
    breaks = compare_json(EXPECTED_ANSWER, BAD_REPLY, spec)
    assert [(d.pointer, d.rule) for d in breaks.differences] == [
        ("", "does not match schema answer.json: $: 'total' is a required property"),
        *REPLY_FAILURES,
    ]
    assert breaks.score == 0.0
    good = {"reply": "Refund of 100 EUR sent", "tags": ["urgent"], "total": 5}
    passed = compare_json(EXPECTED_ANSWER, good, spec)
    assert passed.passed
    assert passed.score == 1.0


@pytest.mark.parametrize(
    "whole",
    [
        {"json_schema": "SCHEMA"},
        {"contains_any": ["reply"]},
        {"length": {"min": 0}},
        {"similarity": {"min": 0.0}},
        {"regex": "(?s).*"},
        {"present": True},
    ],
    ids=lambda whole: next(iter(whole)),
)
def test_every_whole_value_judge_leaves_the_rules_below_it_in_force(
    tmp_path: Path, whole: dict[str, Any]
) -> None:
    spec = whole_output_spec(tmp_path, whole)
    result = compare_json(EXPECTED_ANSWER, {**BAD_REPLY, "total": 5}, spec)
    below = [(d.pointer, d.rule) for d in result.differences if d.pointer]
    assert below == REPLY_FAILURES
    # the order-free list matching agrees with the walk (values_match)
    wrapped = CompareSpec.model_validate(
        {
            "rules": {
                "/all": {"order": "ignore"},
                **{f"/all/*{pointer}": rule for pointer, rule in spec.rules.items()},
            }
        },
        context={"merged": True},
    )
    good = {"reply": "Refund of 100 EUR sent", "tags": ["urgent"], "total": 5}
    alone = compare_json(EXPECTED_ANSWER, good, spec)
    assert [d.pointer for d in alone.differences] in ([], [""])  # the judge may refuse objects
    answers = {"all": [{**BAD_REPLY, "total": 5}, good]}
    assert not compare_json({"all": [EXPECTED_ANSWER] * 2}, answers, wrapped).passed
    in_a_list = compare_json({"all": [EXPECTED_ANSWER] * 2}, {"all": [good, good]}, wrapped)
    assert in_a_list.passed is alone.passed


def test_rules_below_a_judged_value_see_a_value_of_another_kind_as_missing(
    tmp_path: Path,
) -> None:
    spec = whole_output_spec(tmp_path, {"contains": ["refund"]})
    result = compare_json(EXPECTED_ANSWER, "a refund, as text", spec)
    assert [(d.pointer, d.kind) for d in result.differences] == [
        ("/reply", "missing"),
        ("/tags", "missing"),
    ]
    assert result.score == pytest.approx(1 / 3)  # the text scorer on "" passed


def test_a_rule_below_a_judged_value_with_no_judge_compares_with_the_expected(
    tmp_path: Path,
) -> None:
    path = write_schema(tmp_path, {"type": "object"})
    spec = CompareSpec.model_validate(
        {
            "rules": {
                "": {"json_schema": str(path)},
                "/total": {"tolerance": 0.01},
                "/meta": {"ignore": False},
                "/**": {"text": ["casefold"]},  # covers the whole output: brings nothing back
            }
        },
        context={"merged": True},
    )
    expected = {"total": 10, "meta": {"by": "me"}, "note": "x", "items": [1]}
    actual = {"total": 10.5, "meta": {"by": "you"}, "note": "y", "items": [2, 3]}
    result = compare_json(expected, actual, spec)
    assert [(d.pointer, d.kind) for d in result.differences] == [
        ("/meta/by", "changed"),
        ("/total", "changed"),
    ]
    assert compare_json(expected, {**actual, "total": 10.001, "meta": {"by": "ME"}}, spec).passed
