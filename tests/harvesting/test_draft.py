"""``draft_example``: which file of an execution goes where, decided from the execution as the
platform sends it; names from the platform that would leave the example folder are refused."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evalkit.api import AgentExecutionSummary
from evalkit.harvesting.draft import (
    NotPromotable,
    draft_example,
    file_fields_of,
    judged_example,
    started_by_evalkit,
)
from evalkit.runner import labels as run_labels


def execution(**fields: Any) -> AgentExecutionSummary:
    wire = {"id": "exec_abc123", "status": "completed", "createdAt": "2026-03-01T10:00:00.000Z"}
    return AgentExecutionSummary.model_validate({**wire, **fields})


def draft(fields: frozenset[str] | None = None, /, **wire: Any) -> Any:
    return draft_example(execution(**wire), agent_slug="shop", file_fields=fields)


def targets(made: Any) -> dict[str, tuple[str, str]]:
    return {item.target_text: (item.kind, item.name) for item in made.files}


def test_reviewer_expected_wins_over_the_output() -> None:
    made = draft(
        inputJson={"order": "A"},
        output={"total": 9},
        expected={"total": 10},
        expectedFiles=[{"name": "lines.csv"}],
        resultFiles=[{"name": "lines.csv", "size": 3}, {"name": "extra.txt", "size": 1}],
    )
    assert made.json_files["input.json"] == {"order": "A"}
    assert made.json_files["expected.json"] == {"total": 10}
    assert targets(made) == {"expected/lines.csv": ("expected", "lines.csv")}
    assert made.source.expected_from == {"json": "feedback", "files": "feedback"}
    assert made.json_files["source.json"]["execution"] == "exec_abc123"


def test_without_review_the_output_is_expected() -> None:
    made = draft(output={"total": 9}, resultFiles=[{"name": "pages/1.txt", "size": 2}])
    assert made.json_files["expected.json"] == {"total": 9}
    assert targets(made) == {"expected/pages/1.txt": ("output", "pages/1.txt")}
    assert made.source.expected_from == {"json": "output", "files": "output"}
    assert made.json_files["input.json"] == {}  # an example needs an input


def test_input_files_land_under_their_field() -> None:
    made = draft(inputJson={"order": "A"}, inputFiles=[{"name": "invoice.pdf"}], output={})
    assert targets(made) == {"input/invoice.pdf": ("input", "invoice.pdf")}
    assert made.paths == ["expected.json", "input.json", "input/invoice.pdf", "source.json"]


def test_the_input_schema_names_the_field_of_a_file_the_user_named_otherwise() -> None:
    made = draft(frozenset({"invoice"}), inputFiles=[{"name": "march.pdf"}], output={})
    assert targets(made)["input/invoice.pdf"] == ("input", "march.pdf")
    assert "input.json" not in made.json_files  # files only: no empty input.json


def test_a_file_whose_field_cannot_be_told_is_refused() -> None:
    with pytest.raises(NotPromotable, match="which input field"):
        draft(
            frozenset({"invoice", "receipt"}),
            inputFiles=[{"name": "a.pdf"}, {"name": "b.pdf"}],
            output={},
        )


def test_a_field_given_twice_is_refused() -> None:
    with pytest.raises(NotPromotable, match="both in its input JSON and a file"):
        draft(inputJson={"invoice": "x"}, inputFiles=[{"name": "invoice.pdf"}], output={})
    with pytest.raises(NotPromotable, match="both for input field"):
        draft(inputFiles=[{"name": "invoice.pdf"}, {"name": "invoice.txt"}], output={})


@pytest.mark.parametrize(
    "name", ["../evil.txt", "../../etc/passwd", "/etc/passwd", "a/b.txt", "..", "a\\..\\b", ""]
)
def test_hostile_input_file_names_are_refused(name: str) -> None:
    with pytest.raises(NotPromotable, match="input file"):
        draft(inputFiles=[{"name": name}], output={})


@pytest.mark.parametrize(
    "name", ["../evil.txt", "a/../../b", "/abs", "x/./y", "%2e%2e/evil", "a\x00b", "a//b"]
)
@pytest.mark.parametrize("source", ["expectedFiles", "resultFiles"])
def test_hostile_expected_file_names_are_refused(name: str, source: str) -> None:
    with pytest.raises(NotPromotable, match="file"):
        draft(None, output={}, **{source: [{"name": name}]})


@pytest.mark.parametrize("status", ["created", "pending", "running", "waiting", "finalizing"])
def test_an_execution_still_running_is_refused(status: str) -> None:
    with pytest.raises(NotPromotable, match=f"still {status}"):
        draft(status=status, output={"total": 1})


@pytest.mark.parametrize("status", ["failed", "cancelled", "rejected"])
def test_an_execution_that_did_not_complete_needs_a_reviewers_expected_output(
    status: str,
) -> None:
    with pytest.raises(NotPromotable, match="write the expected JSON"):
        draft(status=status, output={"partial": True}, resultFiles=[{"name": "x.csv"}])
    made = draft(status=status, expected={"total": 10}, resultFiles=[{"name": "x.csv"}])
    assert made.json_files["expected.json"] == {"total": 10}
    assert made.files == ()  # its output files are not what was expected


def test_a_completed_execution_with_nothing_to_expect_is_refused() -> None:
    with pytest.raises(NotPromotable, match="no output and no reviewer's expected output"):
        draft(output=None)


def test_file_fields_come_from_the_input_schema(tmp_path: Path) -> None:
    schema = tmp_path / "input-schema.json"
    schema.write_text(
        json.dumps(
            {
                "properties": {
                    "invoice": {"type": "string", "x-eigenpal-type": "file"},
                    "order": {"type": "string"},
                }
            }
        )
    )
    assert file_fields_of({"input-schema.json": schema}) == frozenset({"invoice"})
    assert file_fields_of({}) is None
    schema.write_text("{not json")
    assert file_fields_of({"input-schema.json": schema}) is None


def test_the_reviewers_note_becomes_the_examples_readme_but_not_evalkits_own_verdict() -> None:
    review = {"body": "  the total misses the late fee \n", "rating": "fail"}
    made = draft(output={}, feedback=review)
    assert made.notes == "the total misses the late fee\n"
    assert "README.md" in made.paths
    assert draft(output={}, feedback={**review, "body": " "}).notes is None
    verdict = {"body": "**evalkit: fail** (score 0.50)", "rating": "fail"}
    labels = {run_labels.ATTEMPT: "run-1.ab", run_labels.EXAMPLE_NAME: "seed"}
    assert draft(output={}, feedback=verdict, metadata=labels).notes is None


NAMES = st.one_of(
    st.text(max_size=30),
    st.lists(st.sampled_from(["..", ".", "", "a", "b.txt", "%2e%2e", "\\", "/"]), max_size=5).map(
        "/".join
    ),
)


@given(inputs=st.lists(NAMES, max_size=3), outputs=st.lists(NAMES, max_size=3))
def test_any_names_from_the_platform_either_refuse_or_stay_in_the_folder(
    inputs: list[str], outputs: list[str]
) -> None:
    wire = {
        "inputFiles": [{"name": name} for name in inputs],
        "resultFiles": [{"name": name} for name in outputs],
        "output": {},
    }
    try:
        made = draft(None, **wire)
    except NotPromotable:
        return
    root = PurePosixPath("/examples/new")
    for item in made.files:
        joined = root.joinpath(*item.target)
        assert all(part not in ("..", ".", "") for part in item.target)
        assert joined.is_relative_to(root)
        assert item.target[0] in ("input", "expected")
        if item.kind == "input":
            assert len(item.target) == 2


@pytest.mark.parametrize("name", [".DS_Store", ".env", "notes.txt~", "__pycache__/x.pyc"])
def test_a_file_the_examples_reader_would_leave_out_is_refused_not_lost(name: str) -> None:
    with pytest.raises(NotPromotable, match="leaves out of example folders"):
        draft(None, output={}, resultFiles=[{"name": name}])
    if "/" not in name:
        with pytest.raises(NotPromotable, match="leaves out of example folders"):
            draft(None, output={}, inputFiles=[{"name": name}])


def test_an_execution_evalkit_reviewed_is_known_by_its_verdict_without_labels() -> None:
    """A server may drop ``_metadata``; evalkit's verdict in the feedback still tells."""
    verdict = {"body": "**evalkit: pass** (score 1.00)\n\nExample `seed`", "rating": "pass"}
    assert started_by_evalkit(execution(feedback=verdict))
    assert started_by_evalkit(execution(metadata={run_labels.ATTEMPT: "run-1.ab"}))
    assert not started_by_evalkit(execution(feedback={"body": "evalkit: looks fine"}))
    assert not started_by_evalkit(execution())


def test_a_judge_execution_is_evalkits_by_its_judgement_label() -> None:
    """A judge execution has no attempt token and no feedback: its judgement label tells."""
    judge = execution(metadata={run_labels.BATCH: "run-1", run_labels.JUDGEMENT: "writer/polite"})
    assert started_by_evalkit(judge)
    assert judged_example(judge) == "writer/polite"
    assert judged_example(execution(metadata={run_labels.ATTEMPT: "run-1.ab"})) is None
    assert not started_by_evalkit(execution(metadata={run_labels.BATCH: "mine"}))
