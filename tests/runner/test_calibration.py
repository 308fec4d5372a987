"""Which labelled judge examples join a run, and the agreement the run records per judge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evalkit.compare.rules import CompareSpec
from evalkit.manifest import load_manifest
from evalkit.runner.calibration import (
    CalibrationPlan,
    CalibrationTally,
    calibration_plan,
    label_of,
    merged_calibration,
    with_calibration,
)
from evalkit.runner.from_manifest import selected_jobs
from evalkit.runner.jobs import ExampleJob, Selection
from evalkit.runner.results import ErrorKind, ExampleError, ExampleResult, Verdict
from evalkit.runner.shards import Shard
from tests.manifest.project_files import write_files

JUDGED = CompareSpec.model_validate(
    {"rules": {"/reply": {"judge": {"agent": "judge", "rubric": "polite"}}}}
)


def _job(
    suite: str, name: str, expected: Any = None, compare: CompareSpec | None = None
) -> ExampleJob:
    return ExampleJob(
        kind="agent",
        platform_name=suite,
        suite=suite,
        name=name,
        expected_json=expected,
        compare=compare,
    )


def _manifest_jobs() -> list[ExampleJob]:
    return [
        _job("writer", "w1", {"reply": "x"}, JUDGED),
        _job("writer", "w2", {"reply": "y"}, JUDGED),
        _job("plain", "p1", {"a": 1}, CompareSpec()),
        _job("judge", "yes", {"passed": True}),
        _job("judge", "no", {"passed": False, "note": "people said no"}),
        _job("judge", "shape", {"score": 1}),  # an example of the judge, but no label
        _job("other-judge", "o1", {"passed": True}),
    ]


def _result(agent: str, example: str, actual: Any, *, error: bool = False) -> ExampleResult:
    return ExampleResult.model_validate(
        {
            "run_id": "run-1",
            "finished_at": "2026-12-04T21:00:00.000Z",
            "agent": agent,
            "example": example,
            "verdict": Verdict.ERROR if error else Verdict.PASS,
            "error": (
                ExampleError(kind=ErrorKind.FAILED, message="boom").model_dump() if error else None
            ),
            "actual_json": actual,
        }
    )


def test_a_label_is_a_boolean_passed() -> None:
    assert label_of({"passed": True}) is True
    assert label_of({"passed": False, "reason": "x"}) is False
    assert label_of({"passed": "yes"}) is None
    assert label_of({"passed": 1}) is None
    assert label_of([True]) is None
    assert label_of(None) is None


def test_the_labelled_examples_of_a_judge_in_use_join_in_manifest_order() -> None:
    every = _manifest_jobs()
    selected = [every[0]]  # writer/w1 alone (--example w1)
    joined = with_calibration(every, selected)
    assert [job.label for job in joined] == ["writer/w1", "judge/yes", "judge/no"]


def test_no_judge_in_use_adds_nothing() -> None:
    every = _manifest_jobs()
    assert with_calibration(every, [every[2]]) == [every[2]]


def test_a_selection_of_the_judge_itself_is_left_as_it_is() -> None:
    every = _manifest_jobs()
    judge = [job for job in every if job.suite == "judge"]
    assert with_calibration(every, judge) == judge


def test_selected_jobs_add_the_calibration_and_shards_split_it(tmp_path: Path) -> None:
    judge_examples = {
        f"judge/examples/{name}/{part}": content
        for name, label in (("j1", True), ("j2", False), ("j3", True))
        for part, content in (
            ("input.json", {"actual": name}),
            ("expected.json", {"passed": label}),
        )
    }
    manifest = load_manifest(
        write_files(
            tmp_path,
            {
                "evalkit.yaml": (
                    "version: 1\n"
                    "agents:\n"
                    "  - slug: writer\n"
                    "    examples:\n"
                    "      - folder: writer/examples/\n"
                    "        compare: {rules: {/reply: {judge: {agent: judge, rubric: polite}}}}\n"
                    "  - slug: judge\n"
                    "    examples: judge/examples/\n"
                    "  - slug: plain\n"
                    "    examples: plain/examples/\n"
                ),
                "writer/examples/w1/input.json": {},
                "writer/examples/w1/expected.json": {"reply": "x"},
                "writer/examples/w2/input.json": {},
                "writer/examples/w2/expected.json": {"reply": "y"},
                "plain/examples/p1/input.json": {},
                "plain/examples/p1/expected.json": {"a": 1},
                **judge_examples,
            },
        )
        / "evalkit.yaml",
        env={},
    )
    one = selected_jobs(manifest, Selection(examples=("w1",)))
    assert [job.label for job in one] == ["writer/w1", "judge/j1", "judge/j2", "judge/j3"]
    assert [job.label for job in selected_jobs(manifest, Selection(only=("plain",)))] == [
        "plain/p1"
    ]
    shards = [selected_jobs(manifest, Selection(shard=Shard(k, 3))) for k in (1, 2, 3)]
    labels = [job.label for shard in shards for job in shard]
    assert sorted(labels) == sorted(job.label for job in selected_jobs(manifest, Selection()))
    assert len(labels) == len(set(labels)) == 6


def test_the_plan_names_judges_in_use_and_judges_whose_labels_run() -> None:
    every = _manifest_jobs()
    used = calibration_plan(every, with_calibration(every, every[:1]))
    assert used.labels == {"judge": {"yes": True, "no": False}}
    # --only judge: not used by any job that runs, but its labelled examples do run
    alone = calibration_plan(every, [job for job in every if job.suite == "judge"])
    assert alone.labels == {"judge": {"yes": True, "no": False}}
    # an agent with labels that no rule names as a judge is not a judge
    assert calibration_plan(every, [every[-1]]).empty
    assert calibration_plan(every, [every[2]]).empty


def test_the_plan_reads_only_the_expected_outputs_of_judges() -> None:
    """An example's expected output is parsed on each reading: the plan reads those of the
    judges' examples only (a run without judges read all of them, ~5 ms at 500 examples)."""
    unreadable = b"{not json"
    plain = ExampleJob("agent", "plain", "plain", "p1", expected_text=unreadable)
    assert calibration_plan([plain], [plain]).empty
    every = [*_manifest_jobs(), plain]
    assert calibration_plan(every, every[:1]).labels == {"judge": {"yes": True, "no": False}}


def test_the_tally_pairs_labels_with_the_judges_verdicts() -> None:
    every = _manifest_jobs()
    tally = CalibrationTally(calibration_plan(every, every[:1]))
    tally.add(_result("judge", "yes", {"passed": True, "score": 1, "reason": "ok"}))
    tally.add(_result("judge", "no", {"passed": True, "score": 0.9, "reason": "ok"}))
    tally.add(_result("writer", "w1", {"reply": "x"}))  # not a labelled example: ignored
    tally.add(_result("judge", "shape", {"passed": False}))  # not labelled: ignored
    (record,) = tally.records()
    assert record.judge == "judge"
    assert record.labelled == 2
    assert [(v.example, v.label, v.verdict) for v in record.verdicts] == [
        ("yes", True, True),
        ("no", False, True),
    ]
    assert (record.agreed, record.accuracy) == (1, 0.5)
    assert record.kappa == 0.0  # the judge always passes: no better than chance


def test_an_error_or_an_answer_without_passed_is_no_verdict() -> None:
    every = _manifest_jobs()
    tally = CalibrationTally(calibration_plan(every, every[:1]))
    tally.add(_result("judge", "yes", None, error=True))
    tally.add(_result("judge", "no", {"score": 0.2}))
    (record,) = tally.records()
    assert [v.verdict for v in record.verdicts] == [None, None]
    assert (record.agreed, record.accuracy, record.kappa) == (0, None, None)


def test_a_judge_without_labels_is_recorded_uncalibrated() -> None:
    jobs = [_job("writer", "w1", {"reply": "x"}, JUDGED)]
    (record,) = CalibrationTally(calibration_plan(jobs, jobs)).records()
    assert (record.judge, record.labelled, record.verdicts) == ("judge", 0, [])
    assert CalibrationTally(CalibrationPlan()).records() == []


def test_shards_pool_their_verdicts_and_compute_the_figures_again() -> None:
    every = _manifest_jobs()
    plan = calibration_plan(every, every[:1])
    answers = {"yes": True, "no": True}
    whole = CalibrationTally(plan)
    shards = [CalibrationTally(plan), CalibrationTally(plan)]
    for index, (example, passed) in enumerate(answers.items()):
        result = _result("judge", example, {"passed": passed})
        whole.add(result)
        shards[index].add(result)
    merged = merged_calibration(shard.records() for shard in shards)
    assert merged == whole.records()
    # shard 1 alone: one label, one verdict, both pass: kappa undefined; pooled it is 0
    assert [record.kappa for shard in shards for record in shard.records()] == [None, 0.0]
    assert (merged[0].agreed, merged[0].kappa) == (1, 0.0)
    assert merged_calibration([[], []]) == []
