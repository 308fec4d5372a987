"""Which examples of a run ``evalkit accept`` leaves alone, before it plans anything, and why
(each reason is listed beside the example, see ``runner.accept``):

- a labelled example of a judge agent the manifest uses (``runner.calibration``): its
  expected output is a person's label, the truth the judge is measured against;
- an error or a cancelled example: the run has no output to accept;
- repeats whose attempts disagree, or that share one output folder for their files;
- an example whose expected output changed since the run (stale: run it again first).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from evalkit.compare.files import rule_for
from evalkit.runner.calibration import is_labelled
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.results import ExampleResult, Verdict

#: why a judge's labelled example is never accepted
LABELLED = "a person's label: the judge disagrees with it; edit it by hand if the label is wrong"


def why_not_accepted(result: ExampleResult, job: ExampleJob, judges: set[str]) -> str | None:
    """Why ``result`` (of ``job``, which did not pass) is not accepted, if it is not
    (``judges``: the judge agents the manifest's rules name)."""
    if job.suite in judges and is_labelled(job):
        return LABELLED
    return _no_output(result, job) or stale_reason(result, job)


def _no_output(result: ExampleResult, job: ExampleJob) -> str | None:
    """Why the run gives nothing to accept for this example, if it does not."""
    if result.verdict is Verdict.CANCELLED:
        return "cancelled: the run stopped before it ended"
    if result.verdict is Verdict.ERROR:
        why = f"{result.error.kind.value}: {result.error.message}" if result.error else "errored"
        return f"errored ({why}): no output to accept"
    repeats = result.repeats
    if repeats is not None and repeats.trials > 1:
        if repeats.passes:
            return (
                f"its attempts disagree ({repeats.passes} of {repeats.trials} passed): the "
                "expected output would follow one draw of a flaky agent"
            )
        if job.expected_files:
            return (
                f"it ran {repeats.trials} attempts, which share one output folder in the run: "
                "accept it from a run of one attempt (evalkit run --repeat 1 --update)"
            )
    return None


def stale_reason(result: ExampleResult, job: ExampleJob) -> str | None:
    """Why the example's expected output is no longer the one the run compared, if it is not."""
    extra = result.model_extra or {}
    if job.has_expected_json != ("expected_json" in extra) or (
        job.has_expected_json
        and _canonical(extra["expected_json"]) != _canonical(job.expected_json)
    ):
        return "its expected JSON changed since the run: run it again, then accept"
    compared = {
        file["name"]: file.get("expectedSha256")
        for file in (result.comparison or {}).get("files") or []
        if file.get("expectedSha256")
    }
    rules = job.compare.files if job.compare is not None else {}  # None: the defaults
    for name, path in job.expected_files.items():
        rule = rule_for(name, rules)
        if rule is not None and rule.ignore:
            continue
        if compared.pop(name, None) != _sha256(path):
            return f"its expected file {name!r} changed since the run: run it again, then accept"
    if compared:
        return "its expected files changed since the run: run it again, then accept"
    return None


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr)


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
