"""Regex rules are matched with time limits, off the interpreter lock: a pattern that
backtracks catastrophically gives a difference saying so, never a hang; Python's syntax keeps
working."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evalkit.compare import CompareSpec, compare_example, compare_json, user_regex
from evalkit.compare.regex_shape import MAX_DEPTH, MAX_SIZE
from evalkit.compare.user_regex import (
    EXAMPLE_LIMIT_MS,
    MATCH_LIMIT_MS,
    compile_user_regex,
    regex_problem,
    regex_time_budget,
)

#: the issue's pattern and value: Python's re backtracks on them for hours
NESTED = "(a+)+$"
#: one that the regex package backtracks on too (it sees through NESTED)
ALTERNATIVES = "(a|a)*$"
HOSTILE = "a" * 40 + "!"


def spec(rules: dict[str, Any]) -> CompareSpec:
    return CompareSpec.model_validate({"rules": rules})


@pytest.mark.timeout(120)
def test_the_nested_quantifier_of_the_issue_is_a_plain_difference() -> None:
    result = compare_json({"x": "aaa"}, {"x": HOSTILE}, spec({"/x": {"regex": NESTED}}))
    (difference,) = result.differences
    assert (difference.pointer, difference.kind) == ("/x", "changed")
    assert difference.rule == f"regex {NESTED!r}"
    assert difference.actual == HOSTILE


@pytest.mark.timeout(120)
def test_a_pattern_that_backtracks_is_stopped_and_the_path_says_why() -> None:
    verdict = compare_example(
        {"x": "aaa", "y": "ok"},
        {"x": HOSTILE, "y": "ok"},
        None,
        None,
        spec({"/x": {"regex": ALTERNATIVES}}),
    )
    assert verdict.rating != "pass"
    (difference,) = verdict.differences
    assert (difference.pointer, difference.kind, difference.actual) == ("/x", "changed", HOSTILE)
    assert difference.rule is not None
    assert difference.rule.startswith(
        f"regex {ALTERNATIVES!r} took longer than {MATCH_LIMIT_MS} ms on this value and was stopped"
    )
    assert "evalkit validate" in difference.rule
    assert f"took longer than {MATCH_LIMIT_MS} ms" in verdict.summary()


@pytest.mark.timeout(120)
def test_the_matches_of_one_example_share_a_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # 30 distinct values, each of which would take the whole per-match limit: once the
    # example's budget is spent, the rest are differences without being tried.
    monkeypatch.setattr(user_regex, "MATCH_LIMIT_MS", 50)
    monkeypatch.setattr(user_regex, "EXAMPLE_LIMIT_MS", 200)
    values = ["a" * (40 + i) + "!" for i in range(30)]
    rules = spec({"/items/*": {"regex": ALTERNATIVES}})
    result = compare_json({"items": ["a"] * 30}, {"items": values}, rules)
    assert [d.pointer for d in result.differences] == [f"/items/{i}" for i in range(30)]
    stopped = [d for d in result.differences if "took longer than 50 ms" in (d.rule or "")]
    undecided = [d for d in result.differences if "not decided" in (d.rule or "")]
    assert len(stopped) + len(undecided) == 30
    assert 1 <= len(stopped) <= 200 // 50 + 1
    assert undecided[0].rule == (
        f"regex {ALTERNATIVES!r} not decided: this example's regex matches took 200 ms in all, "
        "the most they may"
    )


@pytest.mark.timeout(120)
def test_an_order_insensitive_list_tries_a_stopped_value_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Matching a list without order tries every pair: a value stopped once is not matched
    # again (the budget would not last), and identical values still fail.
    monkeypatch.setattr(user_regex, "MATCH_LIMIT_MS", 50)
    values = [HOSTILE] * 6
    rules = spec({"/items": {"order": "ignore"}, "/items/*": {"regex": ALTERNATIVES}})
    result = compare_json({"items": values}, {"items": list(values)}, rules)
    kinds = [(d.pointer, d.kind) for d in result.differences]
    assert kinds == [(f"/items/{i}", k) for i in range(6) for k in ("missing", "unexpected")]
    for difference in result.differences:
        if difference.kind == "unexpected":
            assert "took longer than 50 ms" in (difference.rule or "")


def test_a_budget_inside_another_is_the_same_budget() -> None:
    with regex_time_budget(100):
        outer = user_regex._BUDGET.get()
        with regex_time_budget():
            assert user_regex._BUDGET.get() is outer
    assert user_regex._BUDGET.get() is None


@pytest.mark.timeout(120)
def test_matching_leaves_the_interpreter_lock_to_other_threads() -> None:
    # The local platform runs in the same process: while a slow match runs in a worker
    # thread, this thread must get to run (Python's re would hold the lock to the end).
    finished = threading.Event()
    slow = compile_user_regex(ALTERNATIVES)

    def match() -> None:
        assert slow.judge(HOSTILE) == "timed_out"
        finished.set()

    worker = threading.Thread(target=match)
    worker.start()
    time.sleep(0.05)  # the match needs a full second of processor time
    ran_meanwhile = not finished.is_set()
    worker.join()
    assert ran_meanwhile


PYTHON_PATTERNS = [
    r"[A-Z]{3}-\d+",
    r"(?P<year>\d{4})-(?P=year)",
    r"(\w)\1",
    r"(?i)inv-\d+",
    r"(?x) \d+  # digits",
    r"(?=.*\d)[a-z0-9]+",
    r"(?<=x)y|xy",
    r"(?!N/A).+",
    r"a++b|(?>a+)c",
    r"\N{EM DASH}?\w*",
    r"[^\W\d_]+",
    r"\s*\S+\s*",
    r".{0,3}\Z",
]


@pytest.mark.parametrize("pattern", PYTHON_PATTERNS)
def test_python_patterns_compile(pattern: str) -> None:
    assert regex_problem(pattern) is None


@given(
    st.sampled_from(PYTHON_PATTERNS),
    st.text(alphabet="aAbxyz0159٣—_ -N/A\n", max_size=12),
)
def test_python_patterns_match_what_re_matches(pattern: str, value: str) -> None:
    expected = re.fullmatch(pattern, value) is not None
    assert (compile_user_regex(pattern).judge(value) == "match") is expected


def test_a_non_string_never_matches_and_costs_nothing() -> None:
    assert compile_user_regex(".*").judge(5) == "no_match"
    assert compile_user_regex(".*").judge(None) == "no_match"


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("[A-Z+", "invalid regex '[A-Z+': unterminated character set"),
        ("(?:(?:a|bc){1000}){1000}", "is too large to compile safely: its counted repeats"),
        ("x" * 30_000, "is too large to compile safely"),
        ("(" * 200 + ")" * 200, "it nests groups more than 100 deep"),
    ],
)
def test_problems_say_what_is_wrong(pattern: str, message: str) -> None:
    problem = regex_problem(pattern)
    assert problem is not None
    assert message in problem


def test_the_docs_give_the_limits_in_force() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "compare.md").read_text()
    for limit in (f"{MATCH_LIMIT_MS} ms", f"{EXAMPLE_LIMIT_MS} ms", str(MAX_SIZE), str(MAX_DEPTH)):
        assert limit in docs
