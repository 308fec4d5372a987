"""A run whose problems look like passes at a glance (issue 10): partials whose score rounds to
1.00, an example whose output JSON was not checked, and no baseline (so the regression gate
could not be checked). Made with the real compare engine on the example project.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

from evalkit.report import RunResults
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.results import ExampleResult
from tests.report.sample_runs import (
    expected_files_of,
    invoice_jobs,
    run_example,
    truncate_quantities,
    with_summary,
)

CSV_ROWS = 20_000
BIG_CSV = "big.csv"


def near_pass_run(folder: Path) -> RunResults:
    """Five examples, in this order of jobs:

    - one row wrong in a 20,000-row CSV: partial, score 0.999999 (1 difference);
    - one extra key in the output JSON: partial, score 1.0 (1 difference);
    - quantities truncated: partial, score 0.95;
    - a pass whose output JSON was not checked (``output_json_checked: false``);
    - a plain pass.
    """
    jobs = {job.name: job for job in invoice_jobs()}
    big, extra, truncated, unchecked, plain = (
        jobs[name]
        for name in (
            "acme-us-letter",
            "alpenblick-swiss-chf-export",
            "pinecone-hours-cad",
            "harbor-quoted-csv-usd",
            "brightside-rounding-cent",
        )
    )
    results = [
        _one_csv_row_wrong(big, folder),
        run_example(extra, {**extra.expected_json, "note": "extra"}, _files(extra), folder, 1),
        run_example(
            truncated, truncate_quantities(truncated.expected_json), _files(truncated), folder, 2
        ),
        run_example(
            unchecked,
            unchecked.expected_json,
            _files(unchecked),
            folder,
            3,
            output_json_checked=False,
        ),
        run_example(plain, plain.expected_json, _files(plain), folder, 4),
    ]
    run = with_summary(results, baseline=None)
    assert run.summary is not None
    # as 'evalkit run' writes it without --baseline (with_summary names one regardless)
    summary = run.summary.model_copy(update={"baseline": None})
    return RunResults(results=run.results, summary=summary)


def _files(job: ExampleJob) -> dict[str, bytes]:
    return expected_files_of(job)


def _one_csv_row_wrong(job: ExampleJob, folder: Path) -> ExampleResult:
    expected_dir = folder / "expected-big"
    expected_dir.mkdir(parents=True, exist_ok=True)
    rows = ["id,amount", *(f"{i},{i * 3}" for i in range(CSV_ROWS))]
    (expected_dir / BIG_CSV).write_text("\n".join(rows) + "\n", encoding="utf-8")
    job = replace(job, expected_files={**job.expected_files, BIG_CSV: expected_dir / BIG_CSV})
    files = expected_files_of(job)
    wrong = copy.copy(rows)
    wrong[CSV_ROWS // 2] = f"{CSV_ROWS // 2 - 1},0"
    files[BIG_CSV] = ("\n".join(wrong) + "\n").encode()
    return run_example(job, job.expected_json, files, folder, 0)
