"""A baseline rebuilt from the platform: the executions of an earlier run, read back.

Every execution ``evalkit run`` starts carries its labels (``_metadata``: ``batchId`` = the run
id, ``exampleName``, ``manifestDigest``, ``gitCommit``), and evalkit writes its verdict onto it
as feedback (``runner.feedback_body``: the rating, and a body that opens with
``**evalkit: VERDICT** (score S)``). So a team without the run's ``summary.json`` can still
compare against that run: ``baseline_from_batch`` lists the batch's executions, agent by agent,
and makes the ``RunSummary`` the run would have written, as far as the platform knows it.

How each execution is read:

- with feedback: the verdict its body names when the rating agrees with it (this tells an
  ``error`` from a ``fail``, both rated ``fail``), else the rating (a reviewer changed it
  since); the score the body states (two decimals), and the error kind for errors;
- without feedback: ``cancelled`` when the execution was (the run was interrupted: such an
  example is not judged, as in the run); else ``error``: the execution failed or was rejected,
  or, when it completed or is still running, ``feedback_error`` says that evalkit's verdict
  is missing (a run with ``--no-feedback``, or a write that failed).

An example with several executions (``--repeat``, ``--confirm``) gets one brief made as the run
makes it (``runner.repeats.combine``): the pass count k of n, each attempt's score, the verdict
by ``pass_if`` (default ``all``; the platform does not record the rule). What the platform
cannot say is left out or marked unknown: tags and quarantine (not on the execution), retries
(a ``--retries`` run reads as repeats: a retry is an execution with the same labels), the
gates (the summary has none; its status says only whether the run was interrupted), and
workflow suites (workflow executions cannot be listed by batch, so they are not read).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from evalkit._version import __version__
from evalkit.api import AgentExecutionSummary, ExecutionStatus
from evalkit.client import EigenpalClient
from evalkit.client.errors import EigenpalNotFoundError
from evalkit.errors import RunError
from evalkit.exit_codes import RUN_STATUS_CODES, RunStatus
from evalkit.runner import labels as run_labels
from evalkit.runner.calls import execution_link
from evalkit.runner.evidence import smallest_detectable_drop
from evalkit.runner.failures import error_from_status
from evalkit.runner.feedback_body import BODY_HEAD, rating_and_status
from evalkit.runner.repeats import MAX_TIMES, PassRule, RepeatPolicy, combine
from evalkit.runner.results import (
    Counts,
    ErrorKind,
    ExampleBrief,
    ExampleError,
    ExampleResult,
    ExecutionRef,
    FeedbackRecord,
    GitInfo,
    RunMetadata,
    RunSummary,
    Target,
    Verdict,
    brief_of,
)

_ERROR_LINE = re.compile(r"^Error \((?P<kind>[a-z]+)\): (?P<message>.*)$", re.MULTILINE)
#: what evalkit reads of each execution: its review, and its labels (``metadata``)
_INCLUDE = "feedback,files"
_PAGE_SIZE = 100
#: where the source of a rebuilt summary is named (``results_file``, ``batch:ID``)
BATCH_PREFIX = "batch:"
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


class BatchNotFound(RunError):
    """The batch does not exist on the platform, or holds nothing evalkit can use (exit 2)."""


@dataclass
class _Reading:
    """What was read, for the summary's outcome line."""

    executions: int = 0
    without_feedback: int = 0
    unfinished: int = 0
    agents: set[str] = field(default_factory=set)
    digests: set[str] = field(default_factory=set)
    commits: set[str] = field(default_factory=set)
    created: list[str] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)


def baseline_from_batch(
    client: EigenpalClient,
    batch_id: str,
    *,
    agents: Sequence[str] | Mapping[str, str] | None = None,
    pass_if: PassRule | str = "all",
    confidence: float = 0.95,
) -> RunSummary:
    """The summary of run ``batch_id`` rebuilt from its executions (see the module).

    ``agents``: the platform slugs to read (default: every agent on the platform, one listing
    each); a mapping reads its keys and names each agent in the briefs by its value (a copy
    under ``--env`` by its manifest slug). ``pass_if``: the rule of repeated examples.
    ``BatchNotFound`` when no execution of the batch carries evalkit's labels, or none has
    evalkit's feedback."""
    names = _agent_names(client, agents)
    rule = pass_if if isinstance(pass_if, PassRule) else PassRule.parse(pass_if)
    reading = _Reading()
    groups: dict[tuple[str, str], list[AgentExecutionSummary]] = {}
    for slug, name in names.items():
        for execution in _batch_executions(client, slug, batch_id):
            example = _example_name(execution)
            if example is None:
                continue  # not started by evalkit: no example to put it under
            groups.setdefault((name, example), []).append(execution)
            _note(reading, name, execution)
    if not groups:
        raise BatchNotFound(
            f"batch {batch_id!r}: no execution on the platform carries evalkit's labels for it "
            f"({_searched(names)}); pass the run id 'evalkit run' printed (the name of its "
            "folder under .evalkit/runs), on the platform that run used"
        )
    if reading.without_feedback == reading.executions:
        raise BatchNotFound(
            f"batch {batch_id!r}: none of its {reading.executions} execution(s) has evalkit's "
            "feedback, so their verdicts are unknown (was it run with --no-feedback?); "
            "compare with that run's summary.json instead"
        )
    base_url = client.base_url
    briefs = [
        _brief(batch_id, name, example, executions, rule, base_url)
        for (name, example), executions in sorted(groups.items(), key=lambda kv: _first(kv[1]))
    ]
    return _summary(batch_id, briefs, reading, base_url, confidence)


def _agent_names(
    client: EigenpalClient, agents: Sequence[str] | Mapping[str, str] | None
) -> dict[str, str]:
    """Platform slug -> the agent's name in the briefs."""
    if isinstance(agents, Mapping):
        return dict(agents)
    if agents is not None:
        return {slug: slug for slug in agents}
    return {agent.slug: agent.slug for agent in client.agents.iter_list(page_size=_PAGE_SIZE)}


def _batch_executions(
    client: EigenpalClient, slug: str, batch_id: str
) -> Iterable[AgentExecutionSummary]:
    """The agent's executions of the batch, oldest first. A platform that ignores the
    ``batchId`` filter lists them all: the labels are checked here as well. An agent that is
    not on the platform has none."""
    seen: set[str] = set()
    try:
        listed = client.agents.executions.iter_list(
            slug,
            page_size=_PAGE_SIZE,
            batch_id=batch_id,
            include=_INCLUDE,
            sort="createdAt",
            order="asc",  # executions started while paging come last, not shifting pages
        )
        for execution in listed:
            if execution.id not in seen and _batch_of(execution) == batch_id:
                seen.add(execution.id)
                yield execution
    except EigenpalNotFoundError:
        return


def _batch_of(execution: AgentExecutionSummary) -> str | None:
    labelled = (execution.metadata or {}).get(run_labels.BATCH)
    return labelled if isinstance(labelled, str) else execution.batch_id


def _example_name(execution: AgentExecutionSummary) -> str | None:
    name = (execution.metadata or {}).get(run_labels.EXAMPLE_NAME)
    return name if isinstance(name, str) and name else None


def _note(reading: _Reading, agent: str, execution: AgentExecutionSummary) -> None:
    reading.executions += 1
    reading.agents.add(agent)
    if execution.feedback is None or execution.feedback.rating is None:
        reading.without_feedback += 1
    if not execution.status.is_terminal:
        reading.unfinished += 1
    labels = execution.metadata or {}
    digest, commit = labels.get(run_labels.MANIFEST_DIGEST), labels.get(run_labels.GIT_COMMIT)
    if isinstance(digest, str):
        reading.digests.add(digest)
    if isinstance(commit, str):
        reading.commits.add(commit)
    reading.created.append(execution.created_at)
    if execution.completed_at:
        reading.completed.append(execution.completed_at)


def _first(executions: list[AgentExecutionSummary]) -> str:
    return min(execution.created_at for execution in executions)


def _brief(
    batch_id: str,
    agent: str,
    example: str,
    executions: list[AgentExecutionSummary],
    rule: PassRule,
    base_url: str,
) -> ExampleBrief:
    """One example's brief from its executions, as the run judges its attempts."""
    ordered = sorted(executions, key=lambda execution: execution.created_at)
    results = [_result(batch_id, agent, example, execution, base_url) for execution in ordered]
    judged = [result for result in results if result.verdict is not Verdict.CANCELLED]
    if not judged:
        return brief_of(results[-1])
    if len(judged) == 1:
        return brief_of(judged[0])
    policy = RepeatPolicy(times=min(len(judged), MAX_TIMES), pass_if=rule)
    return brief_of(combine(judged, policy))


def _result(
    batch_id: str, agent: str, example: str, execution: AgentExecutionSummary, base_url: str
) -> ExampleResult:
    verdict, score, error, missing = read_verdict(execution)
    rating = execution.feedback.rating if execution.feedback is not None else None
    return ExampleResult(
        run_id=batch_id,
        agent=agent,
        example=example,
        verdict=verdict,
        score=score,
        error=error,
        execution=ExecutionRef(
            id=execution.id,
            status=execution.status.value,
            link=execution_link(base_url, "agent", execution.id),
        ),
        feedback=FeedbackRecord(
            written=missing is None,
            rating=rating.value if rating is not None and missing is None else None,
            error=missing,
        ),
        started_at=execution.started_at,
        finished_at=execution.completed_at or execution.created_at,
    )


def read_verdict(
    execution: AgentExecutionSummary,
) -> tuple[Verdict, float | None, ExampleError | None, str | None]:
    """(verdict, score, error, why evalkit's verdict is missing) of one execution."""
    feedback = execution.feedback
    if feedback is not None and feedback.rating is not None:
        rating = feedback.rating.value
        head = BODY_HEAD.match(feedback.body or "")
        if head is not None and rating_and_status(Verdict(head["verdict"]))[0] == rating:
            verdict = Verdict(head["verdict"])
            score = float(head["score"]) if head["score"] is not None else None
            return verdict, score, _error_in(feedback.body, verdict), None
        return Verdict(rating), None, None, None
    status = execution.status.value
    if status == ExecutionStatus.CANCELLED.value:
        return Verdict.CANCELLED, None, None, None
    ended_badly = error_from_status(status, execution.error)
    if ended_badly is not None:
        return Verdict.ERROR, None, ended_badly, "no evalkit feedback on the execution"
    why = (
        "no evalkit feedback on the execution: its verdict is unknown"
        if execution.status.is_terminal
        else f"the execution is still {status}: no verdict yet"
    )
    return Verdict.ERROR, None, None, why


def _error_in(body: str, verdict: Verdict) -> ExampleError | None:
    """The error an ``error`` body names (``Error (kind): message``)."""
    if verdict is not Verdict.ERROR:
        return None
    found = _ERROR_LINE.search(body)
    if found is None:
        return ExampleError(kind=ErrorKind.FAILED, message="the feedback names no error")
    try:
        kind = ErrorKind(found["kind"])
    except ValueError:
        kind = ErrorKind.FAILED
    return ExampleError(kind=kind, message=found["message"])


def _summary(
    batch_id: str,
    briefs: list[ExampleBrief],
    reading: _Reading,
    base_url: str,
    confidence: float,
) -> RunSummary:
    counts = Counts()
    for brief in briefs:
        counts.add(brief.verdict)
    interrupted = counts.cancelled > 0
    status = RunStatus.INTERRUPTED if interrupted else RunStatus.PASSED
    host = urlsplit(base_url).hostname or ""
    metadata = RunMetadata(
        run_id=batch_id,
        evalkit_version=__version__,
        manifest="",  # not on the platform
        manifest_digest=_only(reading.digests),
        git=GitInfo(commit=_only(reading.commits)),
        target=Target(kind="local" if host in _LOOPBACK else "remote", base_url=base_url),
        started_at=min(reading.created),
        finished_at=max(reading.completed) if reading.completed else None,
        concurrency=0,  # not known
        timeout_seconds=0,  # not known
        feedback=True,
    )
    return RunSummary(
        metadata=metadata,
        counts=counts,
        pass_rate=counts.pass_rate,
        interrupted=interrupted,
        exit_code=RUN_STATUS_CODES[status],
        status=status.value,
        outcome=_outcome(batch_id, briefs, reading),
        results_file=BATCH_PREFIX + batch_id,
        examples=briefs,
        minimum_detectable_drop=smallest_detectable_drop(briefs, confidence),
        executions=reading.executions if reading.executions > len(briefs) else None,
    )


def _outcome(batch_id: str, briefs: list[ExampleBrief], reading: _Reading) -> str:
    text = (
        f"rebuilt from platform batch {batch_id}: {len(briefs)} example(s) from "
        f"{reading.executions} execution(s) of {len(reading.agents)} agent(s)"
    )
    if reading.without_feedback:
        text += f"; {reading.without_feedback} execution(s) without evalkit feedback"
    if reading.unfinished:
        text += f"; {reading.unfinished} still running"
    return text + "; gates not known"


def _only(values: set[str]) -> str | None:
    """The one value every execution carries, else none (mixed or absent)."""
    return next(iter(values)) if len(values) == 1 else None


def _searched(names: Mapping[str, str]) -> str:
    if not names:
        return "the platform has no agents"
    slugs = sorted(names)
    shown = ", ".join(slugs[:5]) + (f" and {len(slugs) - 5} more" if len(slugs) > 5 else "")
    return f"searched agent(s) {shown}"
