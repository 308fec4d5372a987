"""The runner's comparer: ``evalkit.compare.compare_example`` over a job and its outputs.

Files are read only here, one example at a time, so memory holds at most the files of the
examples being compared at that moment. The comparison itself (``compare.verdict`` and all it
imports) loads at the first comparison, or before it in ``warm_up``: not before a run's first
start.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalkit.compare.judges import JudgeBook, judgement_data
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.results import ErrorKind, ExampleError, Verdict


@dataclass(frozen=True)
class Comparison:
    """What the comparison decided for one example ."""

    verdict: Verdict
    score: float
    details: dict[str, Any]
    #: a custom scorer or a judge agent that failed: the example's verdict is then ``error``
    error: ExampleError | None = None


_VERDICTS = {"pass": Verdict.PASS, "partial": Verdict.PARTIAL, "fail": Verdict.FAIL}


def compare_job(
    job: ExampleJob,
    actual_json: Any,
    actual_files: dict[str, Path],
    judgements: JudgeBook | None = None,
) -> Comparison:
    """Compare; an example that declares no expected files has no file checks at all (extra
    output files are then fine), one that declares some also flags unexpected output files.
    ``judgements``: the judge agents' judgements (``runner.judging``); the values it lacks
    are left in ``judgements.wanted``, and the judgements read are kept in the details."""
    expected_files = (
        {name: path.read_bytes() for name, path in job.expected_files.items()}
        if job.expected_files
        else None
    )
    actual = (
        {name: path.read_bytes() for name, path in actual_files.items()}
        if expected_files is not None
        else None
    )
    from evalkit.compare.verdict import compare_example

    verdict = compare_example(
        job.expected_json if job.has_expected_json else None,
        actual_json,
        expected_files,
        actual,
        job.compare,
        input=job.input_json,
        judgements=judgements,
    )
    details = verdict.to_dict()
    if judgements is not None and judgements.read:
        details["judgements"] = [judgement_data(j) for j in judgements.read.values()]
    failed = verdict.scorer_errors
    if failed:
        # The scorer, not the agent, failed: no verdict on the agent can be drawn from it.
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        error = ExampleError(kind=ErrorKind.SCORER, message=f"{failed[0].display()}{more}")
        return Comparison(Verdict.ERROR, verdict.score, details, error)
    return Comparison(verdict=_VERDICTS[verdict.rating], score=verdict.score, details=details)


def warm_up() -> None:
    """The imports of a first comparison (``compare.verdict``, ``compare.walk.warm_up``), for
    a worker thread while a run's first executions are away."""
    import evalkit.compare.verdict  # noqa: F401 - the import is the warm-up
    from evalkit.compare.walk import warm_up as warm_up_compare

    warm_up_compare()
