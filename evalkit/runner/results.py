"""What a run records: one ``ExampleResult`` per example, run metadata, and the run summary.

The models are the single definition of the results format: ``schemas/results.schema.json``
(one JSON line per example) and ``schemas/summary.schema.json`` (the summary) are generated
from them, and a test keeps the committed schemas equal to the models.

Keys are snake_case, like the manifest (the camelCase wire format is the platform's, not ours).
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from evalkit.runner.calibration_record import JudgeCalibration

RESULTS_FORMAT_VERSION: Literal[1] = 1
#: the two files of a run folder: one line per example as it finishes, and the run's summary
RESULTS_NAME = "results.jsonl"
SUMMARY_NAME = "summary.json"
#: the run folder's folder of downloaded output files: files/<suite>/<example>/<name>
OUTPUT_FILES_FOLDER = "files"


class _Record(BaseModel):
    # Extra keys are kept so that an older evalkit can read a newer file without losing data.
    # Each record's validator and serializer are built at its first use, not at import: a run
    # uses a few before its first start (its metadata), and has the rest built by its warm-up
    # (``build_records``) while the first executions are away (~12 ms of its start).
    model_config = ConfigDict(extra="allow", defer_build=True)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class Verdict(str, Enum):
    """The outcome of one example."""

    PASS = "pass"
    PARTIAL = "partial"
    FAIL = "fail"
    #: the execution failed, was rejected, timed out, or the platform could not be used
    ERROR = "error"
    #: the run was interrupted (Ctrl-C) before this example finished
    CANCELLED = "cancelled"


class ErrorKind(str, Enum):
    """Why an example has no comparison."""

    FAILED = "failed"  # the execution ended ``failed``
    REJECTED = "rejected"  # the execution ended ``rejected``
    CANCELLED = "cancelled"  # the execution was cancelled (by someone else, or by us)
    TIMEOUT = "timeout"  # the per-example time limit ran out
    START = "start"  # the platform refused the run (4xx other than auth/rate limit)
    AUTH = "auth"  # 401/403: the key is missing, wrong, or has no access
    PLATFORM = "platform"  # 5xx, dropped connections, after retries
    UNREACHABLE = "unreachable"  # no connection could be made, or the platform is down
    INPUT = "input"  # an input file is missing or unreadable
    OUTPUT = "output"  # the output cannot be used (e.g. an unsafe output file name)
    SCORER = "scorer"  # a custom scorer of the example raised, hung, crashed or returned nonsense
    INTERNAL = "internal"  # a bug in evalkit, kept as data so the run goes on


#: error kinds caused by the platform or the network rather than by the agent or the example
INFRASTRUCTURE_ERRORS = frozenset({ErrorKind.AUTH, ErrorKind.PLATFORM, ErrorKind.UNREACHABLE})
#: error kinds that stop the run: every further call would fail the same way
FATAL_ERRORS = frozenset({ErrorKind.AUTH, ErrorKind.UNREACHABLE})


class ExampleError(_Record):
    kind: ErrorKind
    message: str
    status: int | None = Field(None, description="HTTP status of the failing call, if any.")
    request_id: str | None = Field(None, description="x-request-id of the failing call.")


class ExecutionRef(_Record):
    id: str
    status: str = Field(description="Last known execution status.")
    link: str = Field(description="Where to see the execution.")


class Durations(_Record):
    """Milliseconds. ``total`` is wall time from the first start attempt to the record."""

    total_ms: int = 0
    queued_ms: int = Field(0, description="Waiting for a concurrency slot.")
    execution_ms: int | None = Field(None, description="Platform time (startedAt->completedAt).")
    compare_ms: int | None = None


Rating = Literal["pass", "fail", "partial"]
ReviewStatus = Literal["open", "resolved", "ignored"]


class FeedbackRecord(_Record):
    """The review written onto the execution (``written`` false when skipped or failed)."""

    written: bool = False
    rating: Rating | None = None
    status: ReviewStatus | None = None
    expected_json: bool = Field(False, description="The expected JSON was attached.")
    expected_files: list[str] = Field(default_factory=list, description="Files uploaded.")
    error: str | None = Field(None, description="Why writing failed, when it did.")


class Attempt(_Record):
    """One execution of a repeated example."""

    verdict: Verdict
    score: float | None = None
    execution_id: str | None = None
    error: str | None = Field(None, description="'kind: message' when the attempt errored.")
    feedback_written: bool = False
    total_ms: int = 0
    execution_ms: int | None = Field(None, description="Platform time, as on the result.")
    cost: dict[str, float | str] | None = Field(None, description="As on the result.")
    model: str | None = Field(None, description="As on the result.")


class Repeats(_Record):
    """How an example run more than once was judged (``repeat``, ``--repeat``, ``--confirm``).
    The result's ``verdict`` is the ``pass_if`` rule's; its ``score`` the attempts' mean."""

    trials: int = Field(description="Attempts that ended (cancelled ones aside).")
    passes: int
    pass_if: str = Field(description="The rule that made the verdict: all, any, at_least K, rate R")
    attempts: list[Attempt] = Field(default_factory=list)
    pass_interval: list[float] = Field(
        default_factory=list, description="[low, high] of the pass rate (Wilson, at confidence)."
    )
    score_interval: list[float] | None = Field(
        None, description="[low, high] of the mean score (Student t), with 2+ scores."
    )
    confidence: float = 0.95
    adaptive: bool = Field(False, description="Attempts were added only while undecided.")
    most: int | None = Field(
        None, description="With adaptive: the most attempts it could have had (--confirm)."
    )


class ExampleResult(_Record):
    """One example's outcome: one line of ``results.jsonl``.

    Extra keys (kept in ``model_extra``, read so by the reports): ``expected_json`` (the
    expected JSON compared, when there is one) and ``actual_json`` (the output JSON read).
    """

    # More extra keys, present only when true or non-empty: ``quarantined`` (tagged
    # ``quarantine``: never fails a gate), ``flaky`` (passed only on a retry),
    # ``earlier_attempts`` (a brief per attempt before the last; see runner.retries) and
    # ``notes`` (the example's notes for reviewers: its manifest ``notes:`` or README.md).

    format: Literal[1] = RESULTS_FORMAT_VERSION
    run_id: str
    kind: Literal["agent", "workflow"] = "agent"
    agent: str = Field(description="Agent slug, or workflow name for workflow suites.")
    example: str
    tags: list[str] = Field(default_factory=list)
    mark: str | None = Field(None, description="Where the example is declared (file:line:col).")
    verdict: Verdict
    score: float | None = Field(None, description="0..1 from the comparison; none on errors.")
    comparison: dict[str, Any] | None = Field(
        None,
        description=(
            "The comparison as evalkit.compare reports it: differences with JSON pointers, "
            "rules applied, file comparisons."
        ),
    )
    error: ExampleError | None = None
    execution: ExecutionRef | None = None
    attempts: int = Field(0, description="Start attempts (retries after 429/5xx included).")
    adopted: bool = Field(
        False,
        description="A start answer was lost; the execution it created was found by its labels.",
    )
    output_files: list[str] = Field(
        default_factory=list, description="Output files downloaded, relative to the run folder."
    )
    feedback: FeedbackRecord = Field(default_factory=FeedbackRecord)
    durations: Durations = Field(default_factory=Durations)
    started_at: str | None = None
    finished_at: str
    output_json_checked: bool = Field(
        True,
        description=(
            "False when the example declares no expected JSON (only expected files): the "
            "output JSON was not compared, whatever the agent returned."
        ),
    )
    repeats: Repeats | None = Field(
        None,
        description=(
            "Present when the example ran more than once: every attempt, and the rule that "
            "made the verdict. The other fields are the last attempt's (score: the mean)."
        ),
    )
    cost: dict[str, float | str] | None = Field(
        None,
        description=(
            "The execution's cost as the platform reported it, when it did: its numbers and "
            "short texts by the platform's own keys (e.g. credits), durationMs left out (the "
            "platform time is in durations)."
        ),
    )
    model: str | None = Field(None, description="The model the platform says the agent used.")

    @property
    def key(self) -> tuple[str, str, str]:
        """Identity of the example across runs (for baselines and de-duplication)."""
        return (self.kind, self.agent, self.example)

    @property
    def difference_count(self) -> int:
        return count_differences(self.comparison)


def count_differences(comparison: dict[str, Any] | None) -> int:
    """Differences left after the rules: one per JSON difference, and per file that does not
    match, its own differences (json and csv modes) or one (missing, unexpected, text, bytes)."""
    if not comparison:
        return 0
    count = len(comparison.get("differences") or [])
    for file in comparison.get("files") or []:
        if file.get("status") != "match":
            count += max(1, len(file.get("differences") or []))
    return count


class Target(_Record):
    kind: Literal["local", "remote"]
    base_url: str


class GitInfo(_Record):
    commit: str | None = None
    branch: str | None = None
    dirty: bool | None = None


class RunMetadata(_Record):
    run_id: str = Field(description="Also the platform batch id of every execution.")
    evalkit_version: str
    manifest: str = Field(description="Path of the manifest file.")
    manifest_digest: str | None = None
    git: GitInfo = Field(default_factory=GitInfo)
    target: Target
    started_at: str
    finished_at: str | None = None
    concurrency: int
    timeout_seconds: float
    feedback: bool = Field(description="Whether feedback was written back.")
    selection: dict[str, list[str]] = Field(
        default_factory=dict, description="--only / --example / --tag as given."
    )


class Counts(_Record):
    total: int = 0
    passed: int = 0
    partial: int = 0
    failed: int = 0
    errors: int = 0
    cancelled: int = 0

    def add(self, verdict: Verdict) -> None:
        self.total += 1
        field = {
            Verdict.PASS: "passed",
            Verdict.PARTIAL: "partial",
            Verdict.FAIL: "failed",
            Verdict.ERROR: "errors",
            Verdict.CANCELLED: "cancelled",
        }[verdict]
        setattr(self, field, getattr(self, field) + 1)

    @property
    def pass_rate(self) -> float:
        """Passed over every selected example; an empty run passes vacuously."""
        return self.passed / self.total if self.total else 1.0


class ExampleBrief(_Record):
    """The summary's line per example: enough for baselines and tables."""

    # Extra keys, present only when true: ``quarantined`` and ``flaky`` (as on the result).

    kind: Literal["agent", "workflow"]
    agent: str
    example: str
    verdict: Verdict
    score: float | None = None
    execution_id: str | None = None
    error_kind: ErrorKind | None = None
    differences: int = Field(0, description="Differences left after the rules (0 on errors).")
    output_json_checked: bool = Field(
        True, description="False when the example declares no expected JSON (see the result)."
    )
    feedback_error: str | None = Field(
        None,
        description=(
            "Why the verdict could not be written onto the execution, after retries (the "
            "feedback.error of the result); the verdict stands."
        ),
    )
    trials: int = Field(1, description="Attempts judged (more than 1 with repeats).")
    passes: int | None = Field(
        None, description="Attempts that passed, with repeats (else the verdict says)."
    )
    attempt_scores: list[float] = Field(
        default_factory=list, description="Each attempt's score, with repeats."
    )
    looks: int = Field(
        1,
        description=(
            "How often its evidence was tested while attempts were added (--confirm: its most "
            "attempts): a change is significant only below alpha / looks."
        ),
    )

    @property
    def pass_count(self) -> tuple[int, int]:
        """(passes, trials): from the repeats, or 1 or 0 of 1 by the verdict."""
        if self.passes is not None:
            return self.passes, self.trials
        return (1 if self.verdict is Verdict.PASS else 0), 1


class DriftedAgent(_Record):
    """An agent that differed from the manifest and ran as it was on the platform
    (``--allow-drift``)."""

    agent: str = Field(description="The agent's manifest slug, as results name it.")
    slug: str = Field(description="The slug run on the platform (an environment's copy).")
    differences: list[str] = Field(
        default_factory=list, description="What differs: config pointers, files, fields."
    )

    def gist(self, shown: int = 5) -> str:
        """The first differences, and how many more."""
        more = len(self.differences) - shown
        return "; ".join(self.differences[:shown]) + (f"; and {more} more" if more > 0 else "")


class GateOutcome(_Record):
    name: str
    passed: bool
    limit: float
    actual: float
    message: str
    checked: bool = Field(
        True,
        description=(
            "False when the gate could not be evaluated (max_regressions without a baseline): "
            "it then fails nothing, and is no pass either."
        ),
    )


class Traffic(_Record):
    """What the run asked of the platform and how it answered: how a run under faults went."""

    requests: int = Field(0, description="HTTP requests sent, the client's own retries included.")
    server_errors: int = Field(0, description="Answers with a 5xx status.")
    rate_limited: int = Field(0, description="Answers with status 429.")
    unanswered: int = Field(
        0, description="Requests without an answer: refused, dropped, timed out or cancelled."
    )
    repeated: int = Field(
        0,
        description=(
            "Calls the runner made again after the client gave up on a failure that may pass: "
            "polls, reads, downloads, feedback writes, lookups and start attempts."
        ),
    )

    def added(self, other: Traffic) -> Traffic:
        """Both runs' figures together (the shards of one run)."""
        return Traffic(
            **{name: getattr(self, name) + getattr(other, name) for name in Traffic.model_fields}
        )


class JudgementCounts(_Record):
    """What the run's judge agents judged (``judge:`` rules): each value once per example."""

    total: int = Field(0, description="Values judged, from the cache or by a judge execution.")
    from_cache: int = Field(
        0,
        description=(
            "Judgements read from the judgement cache (or shared with the same value judged "
            "at the same time): no judge execution."
        ),
    )
    failed: int = Field(
        0, description="Judge executions that failed, timed out or answered nonsense."
    )

    @property
    def executions(self) -> int:
        """Judge executions the run started."""
        return self.total - self.from_cache

    def add(self, *, from_cache: bool, failed: bool = False) -> None:
        self.total += 1
        self.from_cache += from_cache
        self.failed += failed

    def figures(self) -> str:
        """``12 (9 from the cache)``, as the reports say it after "judgements"."""
        text = f"{self.total} ({self.from_cache} from the cache"
        if self.failed:
            text += f", {self.failed} failed"
        return text + ")"


ChangeKind = Literal["regression", "improvement", "unchanged", "new", "removed"]


class AgentUsage(_Record):
    """What one agent's (or workflow's) executions took: platform time and reported cost."""

    agent: str
    executions: int = Field(description="Executions with a platform time (attempts included).")
    p50_ms: int | None = Field(None, description="Median platform time (nearest rank).")
    p95_ms: int | None = Field(None, description="95th percentile platform time (nearest rank).")
    costed: int = Field(0, description="Executions that reported a cost.")
    cost: dict[str, float] = Field(
        default_factory=dict,
        description="Each numeric cost key summed over the costed executions (platform's units).",
    )
    cost_units: dict[str, str] = Field(
        default_factory=dict,
        description="Text cost keys every costed execution gave alike (e.g. a currency).",
    )
    models: list[str] = Field(default_factory=list, description="Models reported, sorted.")


class ExampleChange(_Record):
    """One example against the baseline, with the evidence (see docs/run.md)."""

    kind: Literal["agent", "workflow"]
    agent: str
    example: str
    change: ChangeKind
    significant: bool = Field(
        False, description="The exact test separates the two at the run's confidence."
    )
    p_value: float | None = Field(None, description="Of the test named in ``test``.")
    test: Literal["fisher", "welch"] | None = Field(
        None, description="fisher: exact test on pass counts; welch: t-test on scores."
    )
    undecided: bool = Field(
        False,
        description=(
            "--confirm stopped adding attempts (--max-executions reached) while the example "
            "still disagreed with its baseline: counted by max_regressions when it fell."
        ),
    )
    untestable: bool = Field(
        False,
        description=(
            "No test could decide it: one attempt on each side, or too few attempts for any "
            "outcome to be significant (3 against 3 at 95%). The combined verdicts were "
            "compared instead (pass -> not pass a regression), counted by max_regressions."
        ),
    )
    passes_before: list[int] | None = Field(None, description="[passes, trials] in the baseline.")
    passes_after: list[int] | None = Field(None, description="[passes, trials] now.")
    score_before: float | None = None
    score_after: float | None = None


class Delta(_Record):
    """The run (or one suite) against the baseline, over the examples both ran."""

    scope: str = Field(description="'run', or the suite's name.")
    examples: int = Field(description="Examples in both runs, quarantined ones aside.")
    pass_rate_before: float
    pass_rate_after: float
    pass_rate_delta: float
    pass_rate_interval: list[float] = Field(description="[low, high], paired bootstrap.")
    score_before: float | None = None
    score_after: float | None = None
    score_delta: float | None = None
    score_interval: list[float] | None = None
    confidence: float = 0.95
    verdict: Literal["regression", "improvement", "noise"] = Field(
        description="What the pass-rate interval says: below 0, above 0, or around it."
    )
    estimated: bool = Field(
        True,
        description=(
            "False under --confirm: attempts stopped by their outcome bias the change, so no "
            "verdict is drawn from it (noise) and the delta gates do not check it."
        ),
    )
    words: str = Field(description="The sentence reports print.")


class SuiteChange(_Record):
    """A suite as ``--changed-since`` saw it: why it runs, or why it was skipped."""

    kind: Literal["agent", "workflow"]
    suite: str
    reasons: list[str] = Field(
        default_factory=list,
        description="What changed ('workspace file agents/x/prompt.md'), or why it was skipped.",
    )
    examples: int = Field(0, description="Examples left out of the run (skipped suites).")


class ChangeSelection(_Record):
    """What ``--changed-since REF`` selected: the suites that changed since REF's merge base
    and the ones skipped (see docs/run.md, "Running only what changed")."""

    since: str = Field(description="REF as given, e.g. origin/main.")
    base: str | None = Field(
        None, description="The commit compared with: the merge base of REF and HEAD."
    )
    changed: list[SuiteChange] = Field(
        default_factory=list, description="Suites that changed, with what changed."
    )
    skipped: list[SuiteChange] = Field(
        default_factory=list,
        description="Suites left out (their examples tagged always aside), with why.",
    )
    everything: str | None = Field(
        None, description="Why every suite ran instead (the change could not be decided)."
    )
    warnings: list[str] = Field(
        default_factory=list,
        description="What the comparison could not do as asked (no merge base: REF itself).",
    )


class RunSummary(_Record):
    """Written once at the end of a run (also when it was interrupted).

    Extra key (in ``model_extra``): ``sync_plan``, a record of the plan applied before the
    run, when the run synced anything: ``evalkit.sync.plan_file.plan_record`` (kind
    ``evalkit-plan-record``: the plan's summary, per agent its slug, ``newAgent`` and counts
    by kind, and the plan's Markdown listing at most 50 changed examples an agent, then
    "and N more"). Runs before it held the whole plan (``plan_to_data(plan, contents=False)``,
    kind ``evalkit-plan``); reports read both, so ``format`` stays 1.
    """

    format: Literal[1] = RESULTS_FORMAT_VERSION
    metadata: RunMetadata
    counts: Counts
    pass_rate: float
    interrupted: bool = False
    gates: list[GateOutcome] = Field(default_factory=list)
    regressions: list[ExampleBrief] = Field(
        default_factory=list, description="Passed in the baseline, not now."
    )
    baseline: str | None = Field(None, description="The baseline summary compared against.")
    exit_code: int
    status: Literal["passed", "gate_failed", "infrastructure", "interrupted"]
    outcome: str = Field(description="One line saying what happened and why.")
    results_file: str
    examples: list[ExampleBrief] = Field(default_factory=list)
    drifted_agents: list[DriftedAgent] = Field(
        default_factory=list,
        description=(
            "Agents that differed from the manifest and ran as they were (--allow-drift): "
            "their results do not describe the manifest's agent."
        ),
    )
    feedback_failures: list[ExampleBrief] = Field(
        default_factory=list,
        description=(
            "Examples whose verdict could not be written onto their execution (feedback body, "
            "expected JSON or an expected file) after retries; each brief says why in "
            "feedback_error. The verdicts stand and no gate fails for it."
        ),
    )
    traffic: Traffic | None = Field(
        None, description="Requests made and failures met (absent when not measured)."
    )
    changes: list[ExampleChange] = Field(
        default_factory=list,
        description="Each example against the baseline, when there is one.",
    )
    deltas: list[Delta] = Field(
        default_factory=list, description="The run, then each suite, against the baseline."
    )
    minimum_detectable_drop: float | None = Field(
        None,
        description=(
            "The smallest pass-rate drop (0..1) this many examples and attempts could detect "
            "at the run's confidence with 80% power."
        ),
    )
    judgements: JudgementCounts | None = Field(
        None, description="What the judge agents judged, when some rule names one."
    )
    executions: int | None = Field(None, description="Attempts started, with repeats.")
    fixed_executions: int | None = Field(
        None,
        description="With --confirm: what every example at its most attempts would have used.",
    )
    change_selection: ChangeSelection | None = Field(
        None, description="With --changed-since: the suites run and skipped, and why."
    )
    calibration: list[JudgeCalibration] = Field(
        default_factory=list,
        description=(
            "Per judge agent the run used (or whose labelled examples it ran): its verdicts "
            "on its labelled examples against the labels, accuracy and Cohen's kappa."
        ),
    )
    usage: list[AgentUsage] = Field(
        default_factory=list,
        description="Per agent: p50/p95 platform time, and the cost the platform reported.",
    )


#: extra flags a result passes on to its brief (gates and baselines read them there)
BRIEF_FLAGS = ("quarantined", "flaky")


def is_flagged(record: _Record, flag: str) -> bool:
    return (record.model_extra or {}).get(flag) is True


def brief_of(result: ExampleResult) -> ExampleBrief:
    flags = {flag: True for flag in BRIEF_FLAGS if is_flagged(result, flag)}
    return ExampleBrief(
        kind=result.kind,
        agent=result.agent,
        example=result.example,
        verdict=result.verdict,
        score=result.score,
        execution_id=result.execution.id if result.execution else None,
        error_kind=result.error.kind if result.error else None,
        differences=result.difference_count,
        output_json_checked=result.output_json_checked,
        feedback_error=result.feedback.error,
        **_repeat_counts(result.repeats),
        **flags,
    )


def _repeat_counts(repeats: Repeats | None) -> dict[str, Any]:
    if repeats is None:
        return {}
    scores = [attempt.score for attempt in repeats.attempts if attempt.score is not None]
    counts: dict[str, Any] = {
        "trials": repeats.trials,
        "passes": repeats.passes,
        "attempt_scores": scores,
    }
    if repeats.adaptive and repeats.most:
        counts["looks"] = repeats.most
    return counts


def build_records() -> None:
    """Build every record's validator and serializer now (each is otherwise built at its
    first use): what a run's warm-up does, in a worker thread, once its first starts are out."""
    pending = list(_Record.__subclasses__())
    while pending:
        record = pending.pop()
        record.model_rebuild()
        pending.extend(record.__subclasses__())
