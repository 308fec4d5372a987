"""Feedback: the status rule, the PATCH fields, and a Markdown body a reviewer can act on."""

from __future__ import annotations

import pytest

from evalkit.runner.feedback_body import (
    MAX_BODY_CHARS,
    FeedbackPlan,
    rating_and_status,
    render_body,
)
from evalkit.runner.results import ErrorKind, ExampleError, Verdict


@pytest.mark.parametrize(
    ("verdict", "expected"),
    [
        (Verdict.PASS, ("pass", "resolved")),
        (Verdict.PARTIAL, ("partial", "open")),
        (Verdict.FAIL, ("fail", "open")),
        (Verdict.ERROR, ("fail", "open")),
    ],
)
def test_status_rule(verdict: Verdict, expected: tuple[str, str]) -> None:
    assert rating_and_status(verdict) == expected


def test_cancelled_examples_get_no_feedback() -> None:
    with pytest.raises(ValueError, match="cancelled"):
        rating_and_status(Verdict.CANCELLED)


def test_patch_fields_include_expected_only_when_there_is_one() -> None:
    plan = FeedbackPlan(rating="fail", status="open", body="b")
    assert plan.patch_fields() == {"rating": "fail", "status": "open", "body": "b"}
    with_null = FeedbackPlan(
        rating="fail", status="open", body="b", expected=None, has_expected=True
    )
    assert with_null.patch_fields()["expected"] is None


def test_body_lists_each_difference_with_pointer_values_and_rule() -> None:
    body = render_body(
        verdict=Verdict.FAIL,
        score=0.5,
        example="march-invoice",
        run_id="run-1",
        comparison={
            "differences": [
                {
                    "pointer": "/total",
                    "kind": "changed",
                    "expected": 10.5,
                    "actual": 12,
                    "rule": "tolerance 0.01",
                },
                {"pointer": "/vendor|x", "expected": "A`cme", "kind": "missing"},
            ],
            "files": [{"name": "out.csv", "status": "differs", "message": "row 2 differs"}],
            "applied": [{"pointer": "/date", "kind": "ignored", "detail": "ignored by rule"}],
        },
        error=None,
    )
    assert body.startswith("**evalkit: fail** (score 0.50)")
    assert "Example `march-invoice`, run `run-1`." in body
    assert "| `/total` | changed | `10.5` | `12` | tolerance 0.01 |" in body
    # A pipe cannot break the table; a backtick cannot close the code span; absent is shown.
    assert '| `/vendor\\|x` | missing | `"A\'cme"` | _(absent)_ |  |' in body
    assert "- `out.csv`: differs: row 2 differs" in body
    assert "### Rules applied" in body
    assert "- `/date`: ignored by rule" in body


def test_body_of_a_passing_example_says_there_are_no_differences() -> None:
    body = render_body(
        verdict=Verdict.PASS,
        score=1.0,
        example="e",
        run_id="r",
        comparison={"differences": []},
        error=None,
    )
    assert "No differences in the JSON output." in body


def test_body_of_an_errored_execution_carries_the_error() -> None:
    body = render_body(
        verdict=Verdict.ERROR,
        score=None,
        example="e",
        run_id="r",
        comparison=None,
        error=ExampleError(kind=ErrorKind.FAILED, message="Traceback...\nValueError: bad"),
    )
    assert body.startswith("**evalkit: error**\n")
    assert "Error (failed): Traceback... ValueError: bad" in body


def test_huge_bodies_are_bounded() -> None:
    differences = [
        {"path": f"/items/{i}", "expected": "x" * 500, "actual": "y"} for i in range(500)
    ]
    body = render_body(
        verdict=Verdict.FAIL,
        score=0.0,
        example="e",
        run_id="r",
        comparison={"differences": differences},
        error=None,
    )
    assert len(body) <= MAX_BODY_CHARS
    assert "400 more differences" in body or "truncated" in body


def test_file_comparisons_show_status_problem_and_a_safely_fenced_diff() -> None:
    body = render_body(
        verdict=Verdict.FAIL,
        score=0.5,
        example="e",
        run_id="r",
        comparison={
            "differences": [],
            "files": [
                {"name": "notes.md", "mode": "text", "status": "differ", "diff": "-a ```\n+b"},
                {"name": "data.csv", "mode": "csv", "status": "missing"},
                {
                    "name": "x.json",
                    "mode": "json",
                    "status": "differ",
                    "differences": [{"pointer": "/a", "kind": "changed"}],
                },
                {"name": "pic.png", "mode": "bytes", "status": "differ", "problem": "not an image"},
            ],
        },
        error=None,
    )
    assert "- `notes.md` (text): differ" in body
    assert "  ````diff\n  -a ```\n  +b\n  ````" in body
    assert "- `data.csv` (csv): missing" in body
    assert "  - /a changed" in body
    assert "- `pic.png` (bytes): differ: not an image" in body


def test_scores_are_floored_so_a_near_miss_never_reads_as_full_marks() -> None:
    judged = {"pointer": "/reply", "agent": "tone", "score": 0.666, "passed": False}
    body = render_body(
        verdict=Verdict.PARTIAL,
        score=0.996,
        example="e",
        run_id="r",
        comparison={"differences": [], "judgements": [judged]},
        error=None,
    )
    assert "**evalkit: partial** (score 0.99)" in body
    assert "- `/reply`: tone said failed (score 0.66)" in body
