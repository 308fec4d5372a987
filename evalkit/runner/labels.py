"""The labels (``_metadata``) evalkit puts on the executions it starts, declared once: the
runner writes them, and the platform baseline and ``evalkit harvest``/``promote`` read them.

Every execution of a run carries the run's labels (``BATCH``, ``MANIFEST_DIGEST`` and, in a
git repository, ``GIT_COMMIT``). An example's execution adds ``EXAMPLE_NAME`` and
``ATTEMPT`` (the start attempt's token); a judge agent's execution adds ``JUDGEMENT`` (the
example it judges), ``JUDGED_POINTER`` and ``JUDGED_EXECUTION``, and no ``EXAMPLE_NAME``.
``BATCH`` and ``EXAMPLE_NAME`` are the contract's labels (B4): a platform may keep them as the
execution's ``batchId``/``exampleName`` too. A server may drop ``_metadata`` altogether.
"""

from __future__ import annotations

#: the run id: the execution's batch
BATCH = "batchId"
#: the example an execution runs
EXAMPLE_NAME = "exampleName"
#: the manifest's digest when the run started
MANIFEST_DIGEST = "manifestDigest"
#: the git commit the run evaluated
GIT_COMMIT = "gitCommit"
#: one start attempt's token: a start whose answer was lost is found again by it
ATTEMPT = "evalkitAttempt"
#: a judge execution: the example it judges (``agent/example``)
JUDGEMENT = "evalkitJudgement"
#: a judge execution: the JSON pointer of the value it judges
JUDGED_POINTER = "judgedPointer"
#: a judge execution: the judged example's execution
JUDGED_EXECUTION = "judgedExecution"

#: the labels only evalkit puts on an execution: one of them says evalkit started it
EVALKIT_ONLY = frozenset({ATTEMPT, JUDGEMENT})
