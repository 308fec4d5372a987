"""Writing the verdict onto an execution, at most once per execution.

The ledger is claimed *before* the first call, so a second attempt for the same execution (a
retry after a lost answer, a re-run example that adopted an orphan) never writes again. The
PATCH itself is retried by the client: it is idempotent (same body every time).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from evalkit.client.errors import EigenpalError
from evalkit.runner.feedback import FeedbackPlan, rating_and_status
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.patience import outlast_rate_limits
from evalkit.runner.platform import Platform
from evalkit.runner.results import FeedbackRecord, Verdict


@dataclass
class FeedbackLedger:
    written: set[str] = field(default_factory=set)

    def claim(self, execution_id: str) -> bool:
        """True the first time an execution id is claimed, False ever after."""
        if execution_id in self.written:
            return False
        self.written.add(execution_id)
        return True


async def write_feedback(
    platform: Platform,
    ledger: FeedbackLedger,
    execution_id: str,
    job: ExampleJob,
    verdict: Verdict,
    body: str,
) -> FeedbackRecord:
    if not ledger.claim(execution_id):
        return FeedbackRecord(error="feedback already written on this execution by this run")
    rating, status = rating_and_status(verdict)
    plan = FeedbackPlan(
        rating=rating,
        status=status,
        body=body,
        expected=job.expected_json,
        has_expected=job.has_expected_json,
    )
    record = FeedbackRecord(rating=plan.rating, status=plan.status)
    try:
        await outlast_rate_limits(
            lambda: platform.write_feedback(execution_id, plan.patch_fields())
        )
    except EigenpalError as err:
        record.error = f"writing feedback: {err}"
        return record
    record.written = True
    record.expected_json = plan.has_expected
    for name, path in job.expected_files.items():
        try:
            await outlast_rate_limits(
                functools.partial(platform.upload_expected, execution_id, name, path)
            )
        except (EigenpalError, OSError) as err:
            record.error = f"uploading expected file {name!r}: {err}"
            break
        record.expected_files.append(name)
    return record
