"""Writing the verdict onto an execution, at most once per execution.

The ledger is claimed *before* the first call, so a second attempt for the same execution (a
retry after a lost answer, a re-run example that adopted an orphan) never writes again.

Every part of the write is safe to repeat: the PATCH sends the same body each time, and each
expected file is uploaded under its fixed name (the platform replaces it). So each part is
called patiently (``runner.patience``) until the write's deadline; a part that still fails
ends the write, and the record says which part and why (``FeedbackRecord.error``): the run's
summary lists it under ``feedback_failures``. The parts already written stay written.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from evalkit.client.errors import EigenpalError
from evalkit.runner.calls import PlatformCalls
from evalkit.runner.feedback_body import FeedbackPlan, rating_and_status
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.patience import Patience
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
    platform: PlatformCalls,
    ledger: FeedbackLedger,
    execution_id: str,
    job: ExampleJob,
    verdict: Verdict,
    body: str,
    patience: Patience,
    record: FeedbackRecord,
) -> FeedbackRecord:
    """Write onto ``execution_id``, filling ``record`` as parts are written (the caller keeps
    it should the write be cut short), and return it."""
    if not ledger.claim(execution_id):
        record.error = "feedback already written on this execution by this run"
        return record
    rating, status = rating_and_status(verdict)
    plan = FeedbackPlan(
        rating=rating,
        status=status,
        body=body,
        expected=job.expected_json,
        has_expected=job.has_expected_json,
    )
    record.rating, record.status = plan.rating, plan.status
    doing = "writing the feedback" + (" and the expected JSON" if plan.has_expected else "")
    try:
        await patience.call(lambda: platform.write_feedback(execution_id, plan.patch_fields()))
        record.written = True
        record.expected_json = plan.has_expected
        for name, path in job.expected_files.items():
            doing = f"uploading expected file {name!r}"
            await patience.call(
                functools.partial(platform.upload_expected, execution_id, name, path)
            )
            record.expected_files.append(name)
    except EigenpalError as err:
        record.error = f"{doing}{patience.note()}: {err}"
    except OSError as err:
        record.error = f"{doing}: {err.strerror or err}"
    return record
