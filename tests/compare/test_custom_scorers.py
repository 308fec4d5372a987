"""Custom scorers in Python (issue 13 item 2): what a scorer receives and returns, how its
verdicts and failures read, its process kept apart from evalkit's, and its file checked where
the manifest declares it."""

from __future__ import annotations

import functools
import json
import os
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from evalkit.compare import CompareSpec, compare_example
from evalkit.compare.custom import ARGUMENT_NAMES, ScorerArguments
from evalkit.compare.python_scorers import anchor_python_scorers, read_return
from evalkit.compare.rules import MERGED, PythonScorer
from evalkit.compare.scorer_pool import ScorerPool, ScorerTimeout
from evalkit.compare.verdict import ExampleVerdict
from evalkit.safe_paths import resolve_manifest_path
from tests.compare.custom_scorer_files import write_scorers


@pytest.fixture(scope="module")
def scorers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_scorers(tmp_path_factory.mktemp("custom"))


def rules(scorers: Path, pointer: str, function: str, **options: Any) -> CompareSpec:
    """A block as the manifest leaves it: the scorer's file anchored (absolute)."""
    scorer = {"scorer": f"{scorers}:{function}", **options}
    return CompareSpec.model_validate({"rules": {pointer: {"python": scorer}}}, context=MERGED)


def judge(
    scorers: Path,
    function: str,
    expected: Any = 100,
    actual: Any = 88,
    **options: Any,
) -> ExampleVerdict:
    spec = rules(scorers, "/total", function, **options)
    return compare_example({"total": expected}, {"total": actual}, None, None, spec)


def details(verdict: ExampleVerdict) -> list[str | None]:
    return [d.rule for d in verdict.differences]


# --- what a scorer returns


def test_true_passes_and_false_fails_with_no_credit(scorers: Path) -> None:
    passed = judge(scorers, "equal", 88, 88)
    assert (passed.rating, passed.score, passed.differences) == ("pass", 1.0, [])
    failed = judge(scorers, "equal")
    assert (failed.rating, failed.score) == ("fail", 0.0)
    assert details(failed) == ["equal failed"]
    assert failed.scorer_errors == []  # the value failed, not the scorer


def test_a_number_passes_from_min_and_is_partial_credit_below_it(scorers: Path) -> None:
    below = judge(scorers, "closeness")
    assert details(below) == ["closeness 0.88 below 1"]
    assert below.differences[0].score == pytest.approx(0.88)
    assert below.rating == "partial"
    assert below.score == pytest.approx(0.88)
    above = judge(scorers, "closeness", min=0.85)
    assert (above.rating, above.score) == ("pass", 1.0)
    assert [a.display() for a in above.applied] == ["/total: closeness 0.88 (at least 0.85)"]


def test_a_result_object_brings_its_reason_into_the_difference(scorers: Path) -> None:
    verdict = judge(scorers, "result")
    assert details(verdict) == ["result 0.88 below 1: off by 12 EUR"]
    assert "[result 0.88 below 1: off by 12 EUR]" in verdict.summary()


def test_passed_when_given_decides_over_the_score(scorers: Path) -> None:
    verdict = judge(scorers, "passed_anyway")
    assert verdict.rating == "pass"
    assert [a.detail for a in verdict.applied] == [
        "passed_anyway passed (score 0.40): close enough for a draft"
    ]


def test_a_dict_and_an_object_with_the_fields_are_results_too(scorers: Path) -> None:
    assert judge(scorers, "as_dict", 42, 42).rating == "pass"
    assert details(judge(scorers, "as_dict", 42, 41)) == ["as_dict failed: not 42"]
    assert details(judge(scorers, "own_object")) == [
        "own_object 0.25 below 1: an object of its own"
    ]


def test_an_async_scorer_is_awaited(scorers: Path) -> None:
    assert judge(scorers, "later", 42, 42).rating == "pass"


@pytest.mark.parametrize(
    ("function", "returned"),
    [
        ("says_yes", "'yes' (a str)"),
        ("not_a_number", "nan, not a number"),
        ("too_much", "1.7, outside 0 to 1"),
        ("nothing", "None (a NoneType)"),
        ("odd_keys", "a dict with the key 'ok'; it may have score, passed, reason"),
        ("text_score", "a dict whose score is 'high', not a number"),
    ],
)
def test_nonsense_is_an_error_naming_the_scorer_and_what_it_returned(
    scorers: Path, function: str, returned: str
) -> None:
    verdict = judge(scorers, function)
    expected = (
        f"{function} returned {returned}: return True/False, a number from 0 to 1, or "
        "{score, passed, reason}"
    )
    assert details(verdict) == [expected]
    assert verdict.rating == "fail"
    assert [d.error for d in verdict.scorer_errors] == [expected]


def test_the_fields_of_a_result_are_checked() -> None:
    scorer = PythonScorer.model_validate({"scorer": "/s.py:f"}, context=MERGED)
    cases = {
        "passed": {"type": "dict", "repr": "", "fields": {"passed": "yes"}},
        "reason": {"type": "dict", "repr": "", "fields": {"score": 1, "reason": 3}},
        "neither": {"type": "dict", "repr": "", "fields": {"reason": "why"}},
    }
    said = {name: read_return(scorer, plain).detail for name, plain in cases.items()}
    assert said["passed"].startswith("f returned a dict whose passed is 'yes', not True or False")
    assert said["reason"].startswith("f returned a dict whose reason is 3, not text")
    assert said["neither"].startswith("f returned a dict with neither score nor passed")


# --- what a scorer receives


def test_a_scorer_may_take_every_argument(scorers: Path) -> None:
    spec = rules(scorers, "/lines/1", "everything")
    expected = {"lines": ["a", "b"]}
    actual = {"lines": ["a", "c"], "extra": True}
    verdict = compare_example(expected, actual, None, None, spec, input={"q": "refund"})
    (difference,) = [d for d in verdict.differences if d.kind == "changed"]
    assert difference.pointer == "/lines/1"
    received = json.loads((difference.rule or "").split(": ", 1)[1])
    assert received == {
        "expected": "b",
        "actual": "c",
        "pointer": "/lines/1",
        "input": {"q": "refund"},
        "expected_document": expected,
        "actual_document": actual,
    }
    assert sorted(received) == sorted(ARGUMENT_NAMES) == sorted(ScorerArguments.__annotations__)


def test_a_scorer_takes_only_what_it_names(scorers: Path) -> None:
    assert judge(scorers, "only_actual").rating == "pass"


def test_each_value_is_scored_once_even_in_an_order_free_list(tmp_path: Path) -> None:
    scorers = write_scorers(tmp_path)
    spec = CompareSpec.model_validate(
        {"rules": {"/tags": {"order": "ignore"}, "/tags/*": {"python": f"{scorers}:counted"}}},
        context=MERGED,
    )
    verdict = compare_example(
        {"tags": ["x", "y", "z"]}, {"tags": ["C", "b", "A"]}, None, None, spec
    )
    # 'b' fails the scorer wherever it goes: no expected element takes it
    assert [(d.pointer, d.kind) for d in verdict.differences] == [
        ("/tags/1", "unexpected"),
        ("/tags/2", "missing"),
    ]
    calls = (scorers.parent / "calls.txt").read_text().split()
    # it takes only the actual value: each element is scored once, in the matching and after
    assert sorted(calls) == ["A", "C", "b"]


# --- a scorer that fails


def test_a_scorer_that_raises_is_an_error_with_its_traceback(scorers: Path) -> None:
    verdict = judge(scorers, "raises")
    line = scorers.read_text().splitlines().index('    return totals["total"] > 0') + 1
    assert details(verdict) == [f"raises raised KeyError: 'total' (scorers.py line {line})"]
    (error,) = verdict.scorer_errors
    assert error.error is not None
    assert error.error.startswith("Traceback (most recent call last):\n")
    assert f'scorers.py", line {line}, in raises' in error.error
    assert "scorer_worker" not in error.error  # evalkit's own frames say nothing to the author
    assert error.to_dict()["error"] == error.error
    assert verdict.rating == "fail"


def test_a_scorer_past_its_time_limit_is_stopped_once_per_example(scorers: Path) -> None:
    spec = CompareSpec.model_validate(
        {"rules": {"/*": {"python": {"scorer": f"{scorers}:hangs", "timeout": 1}}}},
        context=MERGED,
    )
    verdict = compare_example({"a": 1, "b": 2}, {"a": 1, "b": 2}, None, None, spec)
    assert details(verdict) == [
        "hangs was stopped after 1 s (its time limit; 'timeout' on the rule sets it)",
        "hangs was not called: it ran past its time limit (1 s) earlier in this example",
    ]
    assert len(verdict.scorer_errors) == 2
    assert judge(scorers, "equal", 88, 88).rating == "pass"  # a fresh worker took over


@pytest.mark.parametrize(
    ("function", "ending"),
    [("exits", "exited with code 3"), ("segfaults", f"was killed by {signal.SIGSEGV.name}")],
)
def test_a_scorer_that_ends_its_process_is_an_error_and_evalkit_goes_on(
    scorers: Path, function: str, ending: str
) -> None:
    verdict = judge(scorers, function)
    assert details(verdict) == [f"{function} crashed (its process {ending})"]
    assert len(verdict.scorer_errors) == 1
    assert judge(scorers, "equal", 88, 88).rating == "pass"


def test_a_scorer_left_relative_is_never_passed(scorers: Path) -> None:
    spec = CompareSpec.model_validate({"rules": {"/total": {"python": "scorers.py:equal"}}})
    verdict = compare_example({"total": 1}, {"total": 1}, None, None, spec)
    assert details(verdict) == [
        "python scorer 'scorers.py:equal' was not run: its file 'scorers.py' was not resolved "
        "against the manifest's folder"
    ]


def test_what_a_scorer_prints_never_reaches_standard_output(
    scorers: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    pool = ScorerPool(size=1)  # started under capfd, so its output is captured here
    try:
        reply = pool.request(("call", str(scorers), "prints", {"actual": 1}), 10)
    finally:
        pool.close()
    assert reply[0] == "returned"
    out, err = capfd.readouterr()
    assert "debugging output" not in out
    assert "debugging output" in err


# --- the pool


def test_the_pool_serves_threads_with_its_few_workers(scorers: Path) -> None:
    pool = ScorerPool(size=2)
    try:
        request = ("call", str(scorers), "equal", {"expected": 1, "actual": 1})
        with ThreadPoolExecutor(6) as threads:
            replies = list(threads.map(lambda _: pool.request(request, 10), range(24)))
        assert {kind for kind, _ in replies} == {"returned"}
        assert pool.starts == 2
    finally:
        pool.close()


def test_a_worker_past_the_time_limit_is_killed_and_replaced(scorers: Path) -> None:
    pool = ScorerPool(size=1)
    try:
        with pytest.raises(ScorerTimeout):
            pool.request(("call", str(scorers), "hangs", {"actual": 1}), 0.5)
        assert pool._workers == []
        request = ("call", str(scorers), "equal", {"expected": 1, "actual": 1})
        assert pool.request(request, 10) == (
            "returned",
            {"type": "bool", "repr": "True", "value": True},
        )
        assert pool.starts == 2
    finally:
        pool.close()


def test_a_worker_that_died_while_idle_is_replaced(scorers: Path) -> None:
    pool = ScorerPool(size=1)
    try:
        request = ("call", str(scorers), "equal", {"expected": 1, "actual": 1})
        pool.request(request, 10)
        (worker,) = pool._workers
        os.kill(worker.process.pid, signal.SIGKILL)
        worker.process.wait()
        assert pool.request(request, 10)[0] == "returned"
        assert pool.starts == 2
    finally:
        pool.close()


# --- anchoring: the file and the function, checked where the manifest declares them


def anchor(root: Path, folder: Path, rule: Any) -> tuple[CompareSpec | None, list[Any]]:
    spec = CompareSpec.model_validate({"rules": {"/total": rule}})
    return anchor_python_scorers(spec, functools.partial(resolve_manifest_path, root, start=folder))


def test_files_are_anchored_relative_to_the_manifest_folder(tmp_path: Path) -> None:
    path = write_scorers(tmp_path)
    (tmp_path / "agents").mkdir()
    anchored, problems = anchor(
        tmp_path,
        tmp_path / "agents",
        {"python": ["../scorers/scorers.py:equal", {"scorer": "../scorers/scorers.py:result"}]},
    )
    assert problems == []
    assert anchored is not None
    assert [s.scorer for s in anchored.rules["/total"].python_scorers] == [
        f"{path.resolve()}:equal",
        f"{path.resolve()}:result",
    ]
    verdict = compare_example({"total": 1}, {"total": 1}, None, None, anchored)
    assert verdict.rating == "pass"


@pytest.mark.parametrize(
    ("written", "content", "message"),
    [
        ("scorers/nope.py:f", None, "python scorer file 'scorers/nope.py' not found"),
        (
            "scorers/bad.py:f",
            "def f(actual):\n    return (\n",
            "python scorer 'scorers/bad.py:f' cannot be used: bad.py line 2: '(' was never closed",
        ),
        (
            "scorers/bad.py:f",
            "import not_a_module_anywhere\n",
            "python scorer 'scorers/bad.py:f' cannot be used: importing bad.py failed: "
            "ModuleNotFoundError: No module named 'not_a_module_anywhere' (bad.py line 1)",
        ),
        (
            "scorers/bad.py:score",
            "def scored(actual):\n    return True\n",
            "python scorer 'scorers/bad.py:score' cannot be used: bad.py has no function "
            "'score'; it defines scored",
        ),
        (
            "scorers/bad.py:f",
            "def f(actual, reference):\n    return True\n",
            "python scorer 'scorers/bad.py:f' cannot be used: f() needs 'reference', which "
            "evalkit does not pass; a scorer takes any of expected, actual, pointer, input, "
            "expected_document, actual_document (by name)",
        ),
        (
            "scorers/bad.py:f",
            "def f(actual, /):\n    return True\n",
            "python scorer 'scorers/bad.py:f' cannot be used: f() takes 'actual' by position "
            "only, but scorers are called with keyword arguments",
        ),
        (
            "scorers/bad.py:f",
            "f = 3\n",
            "python scorer 'scorers/bad.py:f' cannot be used: 'f' in bad.py is not a function",
        ),
        ("../outside.py:f", None, "python: "),
    ],
)
def test_unusable_scorers_are_problems_at_the_rule(
    tmp_path: Path, written: str, content: str | None, message: str
) -> None:
    root = tmp_path / "project"
    (root / "scorers").mkdir(parents=True)
    (tmp_path / "outside.py").write_text("def f(actual):\n    return True\n")
    if content is not None:
        (root / written.split(":")[0]).write_text(content)
    anchored, problems = anchor(root, root, {"python": written})
    (problem,) = problems
    assert problem.loc == ("rules", "/total", "python")
    assert problem.message.startswith(message)
    assert problem.hint
    assert anchored is not None
    verdict = compare_example({"total": 1}, {"total": 1}, None, None, anchored)
    assert verdict.rating == "fail"  # a run reports it too, never passes it


def test_a_file_is_checked_once_per_version(tmp_path: Path) -> None:
    path = write_scorers(tmp_path)
    first = anchor(tmp_path, tmp_path, {"python": "scorers/scorers.py:equal"})
    assert first[1] == []
    path.write_text(path.read_text() + "\nbroken(\n")
    os.utime(path, ns=(1, 1))  # a new version, whatever the clock's resolution
    _, problems = anchor(tmp_path, tmp_path, {"python": "scorers/scorers.py:equal"})
    assert [p.message.split(": ", 1)[1].split(" line")[0] for p in problems] == ["scorers.py"]


def test_a_whole_output_scorer_leaves_the_rules_below_it_in_force(scorers: Path) -> None:
    spec = CompareSpec.model_validate(
        {
            "rules": {
                "": {"python": f"{scorers}:passed_anyway"},
                "/reply": {"contains": ["refund"]},
                "/total": {"tolerance": 0.5},
            }
        },
        context=MERGED,
    )
    expected = {"reply": "", "total": 10, "note": "placeholder"}
    verdict = compare_example(expected, {"reply": "no", "total": 12, "note": "x"}, None, None, spec)
    # /note has no rule of its own: the scorer on "" judged it
    assert [(d.pointer, d.rule) for d in verdict.differences] == [
        ("/reply", "missing 'refund'"),
        ("/total", "tolerance 0.5"),
    ]
    ok = compare_example(expected, {"reply": "a refund", "total": 10.4}, None, None, spec)
    assert (ok.rating, ok.score) == ("pass", 1.0)
