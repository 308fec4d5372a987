"""Judge calibration: a run that uses a judge agent also measures it against people's labels.

A judge's *labelled examples* are its own examples whose expected output is
``{"passed": true|false}`` (their compare rules ignore ``score`` and ``reason``). They are
ordinary examples of the judge agent: ``evalkit run --only JUDGE`` runs them like any agent's.

- **Selection** (``with_calibration``): when the selected examples have rules naming judge J
  (``judge: {agent: J}``), J's labelled examples join the run, as a suite of J like any other:
  their results are J's results, counted, gated and reported as such. A shard splits them
  like every other example.
- **Measure** (``CalibrationTally``): each labelled result gives a pair (label, the judge's
  ``passed``); per judge, accuracy and Cohen's kappa (``stats.agreement``) go into the
  summary as ``calibration`` (``runner.calibration_record``), which every report shows;
  merged shards pool their verdicts and compute the figures again (``merged_calibration``).
  A judge named by the run's rules without labelled examples is recorded as such
  ("uncalibrated"): nobody should trust a judge without seeing how it was checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from evalkit.compare.judges import judge_agents
from evalkit.runner.calibration_record import JudgeCalibration, LabelledVerdict
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.results import ExampleResult
from evalkit.stats.agreement import agreement


def label_of(expected: Any) -> bool | None:
    """The verdict people gave in a judge example's expected output, or None when it is not
    a labelled example (``{"passed": true|false}``, other keys allowed)."""
    if isinstance(expected, Mapping) and isinstance(expected.get("passed"), bool):
        return bool(expected["passed"])
    return None


def is_labelled(job: ExampleJob) -> bool:
    """A labelled example of a judge: its expected output is ``{"passed": true|false}``."""
    return job.kind == "agent" and label_of(job.expected_json) is not None


def judges_used(jobs: Iterable[ExampleJob]) -> set[str]:
    """The judge agents the jobs' rules name."""
    return judge_agents(*(job.compare for job in jobs))


def with_calibration(
    every_job: Sequence[ExampleJob], selected: Sequence[ExampleJob]
) -> list[ExampleJob]:
    """``selected`` plus the labelled examples of each judge they use, in manifest order
    (``every_job``: the manifest's jobs, ``jobs_from_manifest``)."""
    chosen = {job.key for job in selected}
    judges = judges_used(selected)
    return [
        job for job in every_job if job.key in chosen or (job.suite in judges and is_labelled(job))
    ]


@dataclass(frozen=True)
class CalibrationPlan:
    """The judges a run reports on, with the labels of all their labelled examples."""

    #: judge slug -> example name -> label, for every labelled example in the manifest
    labels: Mapping[str, Mapping[str, bool]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.labels


def calibration_plan(
    every_job: Sequence[ExampleJob], jobs: Sequence[ExampleJob]
) -> CalibrationPlan:
    """The judges to report for a run of ``jobs``: those their rules use, and any judge of
    the manifest whose labelled examples run (``--only JUDGE``)."""
    named = judges_used(every_job)
    running = {job.suite for job in jobs if job.suite in named and is_labelled(job)}
    labels: dict[str, dict[str, bool]] = {
        judge: {} for judge in sorted(judges_used(jobs) | running)
    }
    for job in every_job:
        # (the suite first: an example's expected output is parsed again on each reading)
        if job.suite not in labels or job.kind != "agent":
            continue
        label = label_of(job.expected_json)
        if label is not None:
            labels[job.suite][job.name] = label
    return CalibrationPlan(labels=labels)


class CalibrationTally:
    """The judges' verdicts on their labelled examples, as the run's results come in."""

    def __init__(self, plan: CalibrationPlan) -> None:
        self._plan = plan
        #: judge -> example -> the judge's verdict (None: it gave none); the last result wins
        self._verdicts: dict[str, dict[str, bool | None]] = {judge: {} for judge in plan.labels}

    def add(self, result: ExampleResult) -> None:
        if result.kind != "agent":
            return
        labels = self._plan.labels.get(result.agent)
        if labels is None or result.example not in labels:
            return
        self._verdicts[result.agent][result.example] = _verdict_of(result)

    def records(self) -> list[JudgeCalibration]:
        """One record per judge of the plan, in slug order."""
        return [
            calibration_of(
                judge,
                len(labels),
                [
                    LabelledVerdict(example=example, label=labels[example], verdict=verdict)
                    for example, verdict in self._verdicts[judge].items()
                ],
            )
            for judge, labels in self._plan.labels.items()
        ]


def calibration_of(
    judge: str, labelled: int, verdicts: Sequence[LabelledVerdict]
) -> JudgeCalibration:
    """A judge's record: its verdicts beside their labels, and the agreement they make."""
    found = agreement((item.label, item.verdict) for item in verdicts if item.verdict is not None)
    return JudgeCalibration(
        judge=judge,
        labelled=labelled,
        verdicts=list(verdicts),
        agreed=found.agreed,
        accuracy=found.accuracy,
        kappa=found.kappa,
        kappa_undefined=found.kappa_undefined,
    )


def merged_calibration(parts: Iterable[Sequence[JudgeCalibration]]) -> list[JudgeCalibration]:
    """The records of a run's shards as the whole run's: each judge's verdicts together and
    its figures computed again (agreement does not add up shard by shard)."""
    verdicts: dict[str, list[LabelledVerdict]] = {}
    labelled: dict[str, int] = {}
    for records in parts:
        for record in records:
            verdicts.setdefault(record.judge, []).extend(record.verdicts)
            labelled[record.judge] = max(labelled.get(record.judge, 0), record.labelled)
    return [calibration_of(judge, labelled[judge], verdicts[judge]) for judge in sorted(verdicts)]


def _verdict_of(result: ExampleResult) -> bool | None:
    """The judge's ``passed`` in a result's output (the ``actual_json`` it records)."""
    if result.error is not None:
        return None
    actual = (result.model_extra or {}).get("actual_json")
    return label_of(actual)
