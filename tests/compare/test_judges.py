"""``judge:`` rules in the comparison (issue 13 item 3): reading a judge's answer, the verdict
a value gets from a judgement, the values a comparison wants judged, and the rule's place
among the other keys."""

from __future__ import annotations

import math
from typing import Any

import pytest
from pydantic import ValidationError

from evalkit.compare.judges import (
    JudgeAnswer,
    JudgeBook,
    Judgement,
    JudgeRequest,
    judge_agents,
    read_answer,
)
from evalkit.compare.rules import CompareSpec
from evalkit.compare.spec_merge import merge_specs
from evalkit.compare.verdict import compare_example

RUBRIC = "polite, and offers the refund"


def spec(rule: dict[str, Any], pointer: str = "/reply") -> CompareSpec:
    return CompareSpec.model_validate({"rules": {pointer: rule}})


def judged(minimum: float | None = None) -> CompareSpec:
    rule: dict[str, Any] = {"agent": "tone-judge", "rubric": RUBRIC}
    if minimum is not None:
        rule["min"] = minimum
    return spec({"judge": rule})


# --- the judge's answer


def test_an_answer_that_follows_the_contract_is_read() -> None:
    answer = read_answer({"score": 0.8, "passed": True, "reason": "polite", "confidence": "x"})
    assert answer == JudgeAnswer(score=0.8, passed=True, reason="polite")


def test_text_holding_the_object_is_read_too() -> None:
    answer = read_answer('  {"score": 1, "passed": false, "reason": ""}')
    assert answer == JudgeAnswer(score=1.0, passed=False, reason="")


@pytest.mark.parametrize(
    "output",
    [
        'Here is my verdict: {"score": 0.9, "passed": true, "reason": "polite"}. Hope it helps!',
        '```json\n{"score": 0.9, "passed": true, "reason": "polite"}\n```',
        # the object with the answer's keys, not the first one
        'Input was {"name": "Bob"}; verdict: {"score": 0.9, "passed": true, "reason": "polite"}',
        # a brace that starts no JSON before it
        'Scores go {0..1}. {"score": 0.9, "passed": true, "reason": "polite", "extra": [1]}',
    ],
)
def test_the_object_in_a_language_models_text_is_read(output: str) -> None:
    assert read_answer(output) == JudgeAnswer(score=0.9, passed=True, reason="polite")


def test_text_whose_only_object_lacks_keys_says_which() -> None:
    found = read_answer('Verdict: {"score": 0.9, "passed": true} (no reason needed)')
    assert isinstance(found, str)
    assert "answered an object without 'reason'" in found


@pytest.mark.parametrize(
    ("output", "problem"),
    [
        ("yes", "answered text, not a JSON object: yes"),
        ("it was {fine", "answered text, not a JSON object: it was {fine"),
        ('"quoted"', 'answered text, not a JSON object: "quoted"'),
        (None, "answered null, not a JSON object: null"),
        ([1], "answered a list, not a JSON object: [1]"),
        ("{not json", "answered text that is not JSON: {not json"),
        ({"score": 1, "passed": True}, "answered an object without 'reason'"),
        ({"passed": True}, "answered an object without 'score', 'reason'"),
        ({"score": "high", "passed": True, "reason": ""}, "a score that is text, not a number"),
        ({"score": True, "passed": True, "reason": ""}, "a score that is a boolean"),
        ({"score": 1.5, "passed": True, "reason": ""}, "the score 1.5, outside 0 to 1"),
        ({"score": -0.1, "passed": True, "reason": ""}, "the score -0.1, outside 0 to 1"),
        ({"score": math.nan, "passed": True, "reason": ""}, "the score nan, outside 0 to 1"),
        ({"score": 1, "passed": "yes", "reason": ""}, "'passed' as text, not true or false"),
        ({"score": 1, "passed": True, "reason": 3}, "a reason that is a number, not text"),
    ],
)
def test_anything_else_says_what_is_wrong_and_shows_the_answer(output: Any, problem: str) -> None:
    found = read_answer(output)
    assert isinstance(found, str)
    assert problem in found


def test_a_long_answer_is_shown_clipped() -> None:
    found = read_answer("x" * 10_000)
    assert isinstance(found, str)
    assert len(found) < 2100
    assert found.endswith("…")


# --- the verdict


def book_with(answer: JudgeAnswer | None, problem: str | None = None) -> JudgeBook:
    """A book holding the judgement of the value ``compare`` below asks for."""
    book = JudgeBook(input={"ticket": 7})
    request = JudgeRequest("tone-judge", RUBRIC, "/reply", "We refund you.", "Refund sent!")
    book.add(Judgement(request, answer, problem, execution_id="exec_judge"))
    return book


def compare(rules: CompareSpec, book: JudgeBook | None) -> Any:
    return compare_example(
        {"reply": "We refund you."}, {"reply": "Refund sent!"}, None, None, rules, judgements=book
    )


def test_a_value_the_judge_passes_passes_with_its_reason_applied() -> None:
    verdict = compare(judged(), book_with(JudgeAnswer(0.9, True, "polite and\n offers it")))
    assert (verdict.rating, verdict.score) == ("pass", 1.0)
    assert [a.display() for a in verdict.applied] == [
        "/reply: tone-judge passed (score 0.90): polite and offers it"
    ]


def test_a_value_the_judge_fails_earns_its_score_with_the_reason() -> None:
    verdict = compare(judged(), book_with(JudgeAnswer(0.4, False, "curt")))
    (difference,) = verdict.differences
    assert difference.rule == "tone-judge failed (score 0.40): curt"
    assert difference.error is None
    assert verdict.score == pytest.approx(0.4)
    assert verdict.rating == "fail"


def test_passed_below_min_fails_and_at_min_passes() -> None:
    below = compare(judged(0.7), book_with(JudgeAnswer(0.69, True, "fine")))
    assert [d.rule for d in below.differences] == ["tone-judge score 0.69 below 0.7: fine"]
    at = compare(judged(0.7), book_with(JudgeAnswer(0.7, True, "fine")))
    assert at.rating == "pass"


def test_a_high_score_the_judge_did_not_pass_fails() -> None:
    verdict = compare(judged(0.5), book_with(JudgeAnswer(0.9, False, "wrong order number")))
    assert [d.rule for d in verdict.differences] == [
        "tone-judge failed (score 0.90): wrong order number"
    ]


def test_a_judge_that_failed_is_an_error_with_what_went_wrong() -> None:
    problem = "answered text, not a JSON object: yes"
    verdict = compare(judged(), book_with(None, problem))
    (difference,) = verdict.differences
    assert difference.rule == f"tone-judge {problem}"
    assert difference.error == problem
    assert verdict.scorer_errors == [difference]


def test_a_value_without_judgement_is_wanted_and_an_error_meanwhile() -> None:
    book = JudgeBook(input={"ticket": 7})
    verdict = compare(judged(), book)
    (wanted,) = book.wanted.values()
    assert wanted == JudgeRequest("tone-judge", RUBRIC, "/reply", "We refund you.", "Refund sent!")
    assert wanted.judge_input(book.input) == {
        "rubric": RUBRIC,
        "expected": "We refund you.",
        "actual": "Refund sent!",
        "pointer": "/reply",
        "input": {"ticket": 7},
    }
    assert verdict.scorer_errors[0].rule == "tone-judge gave no judgement on this value"


def test_without_a_book_a_judge_rule_is_an_error_not_a_crash() -> None:
    verdict = compare(judged(), None)
    assert verdict.scorer_errors


def test_a_judge_rule_judges_even_identical_values() -> None:
    book = JudgeBook()
    compare_example({"reply": "same"}, {"reply": "same"}, None, None, judged(), judgements=book)
    assert [r.actual for r in book.wanted.values()] == ["same"]


def test_each_element_of_an_order_free_list_is_wanted_once_per_pairing() -> None:
    rules = CompareSpec.model_validate(
        {
            "rules": {
                "/replies": {"order": "ignore"},
                "/replies/*": {"judge": {"agent": "tone-judge", "rubric": RUBRIC}},
            }
        }
    )
    book = JudgeBook()
    compare_example(
        {"replies": ["a", "b"]}, {"replies": ["b", "a"]}, None, None, rules, judgements=book
    )
    pairs = {(r.expected, r.actual) for r in book.wanted.values()}
    assert {("a", "a"), ("b", "b")} <= pairs


def test_the_whole_output_can_be_judged() -> None:
    book = JudgeBook()
    rules = spec({"judge": {"agent": "tone-judge", "rubric": RUBRIC}}, pointer="")
    compare_example({"reply": "x"}, {"reply": "y", "extra": 1}, None, None, rules, judgements=book)
    (wanted,) = book.wanted.values()
    assert (wanted.pointer, wanted.actual) == ("", {"reply": "y", "extra": 1})


# --- the rule


def test_the_rule_merges_across_levels_key_by_key() -> None:
    defaults = spec({"judge": {"agent": "tone-judge", "rubric": RUBRIC}})
    example = spec({"weight": 2})
    merged = merge_specs(defaults, example).rules["/reply"]
    assert merged.judge is not None
    assert merged.judge.agent == "tone-judge"
    assert merged.weight == 2


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"tolerance": 0.1}, "'tolerance' cannot be combined with 'judge'"),
        ({"order": "ignore"}, "'order' cannot be combined with 'judge'"),
        ({"text": ["casefold"]}, "a judge agent gets the raw values"),
        ({"present": True}, "'judge' cannot be combined with 'present: true'"),
    ],
)
def test_keys_that_never_apply_beside_a_judge_are_refused(
    rule: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        spec({**rule, "judge": {"agent": "tone-judge", "rubric": RUBRIC}})
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "judge",
    [
        {"agent": "tone-judge"},
        {"agent": "tone-judge", "rubric": "  "},
        {"agent": "", "rubric": RUBRIC},
        {"agent": "tone-judge", "rubric": RUBRIC, "min": 1.5},
        {"agent": "tone-judge", "rubric": RUBRIC, "model": "gpt"},
    ],
)
def test_a_malformed_judge_rule_is_refused(judge: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        spec({"judge": judge})


def test_the_judges_a_block_names_include_its_files_blocks() -> None:
    rules = CompareSpec.model_validate(
        {
            "rules": {"/a": {"judge": {"agent": "one", "rubric": RUBRIC}}},
            "files": {
                "out.json": {"compare": {"rules": {"": {"judge": {"agent": "two", "rubric": "r"}}}}}
            },
        }
    )
    assert judge_agents(rules) == {"one", "two"}
    assert judge_agents(None) == set()
    assert judge_agents(CompareSpec()) == set()
    other = CompareSpec.model_validate(
        {"rules": {"/b": {"judge": {"agent": "three", "rubric": "r"}}}}
    )
    assert judge_agents(rules, None, other) == {"one", "two", "three"}


def test_a_rambling_reason_is_kept_clipped() -> None:
    answer = read_answer({"score": 0.5, "passed": False, "reason": "why " * 100_000})
    assert isinstance(answer, JudgeAnswer)
    assert len(answer.reason) == 2000
    assert answer.reason.endswith("…")
