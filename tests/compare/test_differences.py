"""Differences as data: display truncates, to_dict never does."""

from __future__ import annotations

from evalkit.compare import ABSENT, AppliedRule, Difference
from evalkit.compare.differences import truncate


def test_display_truncates_long_values_but_data_keeps_them() -> None:
    long_text = "x" * 500
    difference = Difference("/a", "changed", long_text, "short")
    shown = difference.display(limit=20)
    assert shown == '/a: changed, expected "xxxxxxxxxxxxxxxxxx…, actual "short"'
    assert difference.to_dict()["expected"] == long_text


def test_display_per_kind() -> None:
    assert Difference("", "missing", {"a": 1}).display() == '(root): missing, expected {"a": 1}'
    assert Difference("/x", "unexpected", actual=None).display() == "/x: unexpected, actual null"
    assert (
        Difference("/l", "order", [1, 2], [2, 1], "order: strict").display()
        == "/l: order [order: strict]"
    )
    assert (
        Difference("/t", "type_changed", 1, "1", "tolerance 0.1").display()
        == '/t: type changed, expected 1, actual "1" [tolerance 0.1]'
    )


def test_to_dict_leaves_out_absent_sides_and_keeps_null() -> None:
    assert Difference("/a", "missing", None).to_dict() == {
        "pointer": "/a",
        "kind": "missing",
        "expected": None,
    }
    assert Difference("/a", "unexpected", ABSENT, 1, "present").to_dict() == {
        "pointer": "/a",
        "kind": "unexpected",
        "actual": 1,
        "rule": "present",
    }


def test_truncate_handles_unicode_and_absent() -> None:
    assert truncate("é" * 3) == '"ééé"'
    assert truncate(ABSENT) == "(absent)"
    assert repr(ABSENT) == "ABSENT"


def test_applied_rule_display_and_data() -> None:
    applied = AppliedRule("/t", "tolerance", "within tolerance 0.01")
    assert applied.display() == "/t: within tolerance 0.01"
    assert applied.to_dict() == {
        "pointer": "/t",
        "kind": "tolerance",
        "detail": "within tolerance 0.01",
    }


def test_a_failed_scorer_leads_with_what_went_wrong_not_the_values() -> None:
    failed = Difference(
        "/reply",
        "changed",
        expected="Hi Malik, " * 50,
        actual="Hello Malik, " * 50,
        rule="reply-judge could not judge: OPENAI_API_KEY is not set",
        error="OPENAI_API_KEY is not set",
    )
    assert failed.display() == "/reply: reply-judge could not judge: OPENAI_API_KEY is not set"
    plain = Difference("/reply", "changed", expected="a", actual="b", rule="similarity 0.40")
    assert plain.display() == '/reply: changed, expected "a", actual "b" [similarity 0.40]'
