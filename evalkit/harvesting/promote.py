"""Promote one execution, or harvest many, into example folders of an agent of the manifest.

Both read executions through the client with ``include=feedback,expected,files``, make an
``ExampleDraft`` of each (``draft``), and write it whole (``writing``). ``harvest`` lists the
agent's executions with the contract's filters (A5), skips those an example already names in
its ``source.json``, those ``evalkit run`` started itself (their expected output is an
example's already) and those that cannot make an example, each with its reason, and names
the others stably (``naming``), so that harvesting again writes nothing new.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from evalkit.api import AgentExecutionSummary, ListAgentExecutionsResponse
from evalkit.client import EigenpalClient, EigenpalNotFoundError
from evalkit.harvesting.draft import (
    EXECUTION_INCLUDE,
    ExampleDraft,
    HarvestError,
    NotPromotable,
    draft_example,
    judged_example,
    rated_without_correction,
    started_by_evalkit,
)
from evalkit.harvesting.filters import SCAN_LIMIT, HarvestFilters
from evalkit.harvesting.naming import harvest_name
from evalkit.harvesting.target import Target, target_of
from evalkit.harvesting.writing import write_example
from evalkit.manifest import ExampleSpec, Manifest
from evalkit.manifest.models import NAME_MAX, NAME_PATTERN, ExpectedOrigin
from evalkit.runner import labels as run_labels
from evalkit.safe_paths import UnsafePath, join_inside, shown

#: executions read per page while harvesting (the contract's maximum)
PAGE_SIZE = 100
_NAME = re.compile(NAME_PATTERN)
#: why an execution was skipped: an example names it already, the platform promoted it into
#: its own dataset, ``evalkit run`` started it, its name is another example's, it was rated
#: fail or partial without a correction (its output is known to be wrong), or it cannot make
#: an example (``NotPromotable``)
SkipKind = Literal["harvested", "promoted", "evalkit-run", "name-taken", "wrong-answer", "refused"]
#: the harvest option that keeps executions rated wrong without a correction
KEEP_WRONG_ANSWERS = "--keep-wrong-answers"


@dataclass(frozen=True)
class Promoted:
    """An example written (or, in a dry run, that would be) from an execution."""

    name: str
    folder: Path
    execution_id: str
    #: the example's files, as paths in its folder
    files: tuple[str, ...]
    #: where its expected JSON and files came from: ``feedback`` or ``output``
    expected_from: dict[str, ExpectedOrigin]
    #: ``evalkit run`` started the execution: its feedback is evalkit's verdict, and its
    #: expected output the example's own when it ran, not a reviewer's correction
    by_evalkit: bool = False
    #: ``fail`` or ``partial``: a reviewer rated the execution so and wrote no expected
    #: output, so the example expects the answer known to be wrong
    rated_without_correction: str | None = None


@dataclass(frozen=True)
class Skipped:
    execution_id: str
    kind: SkipKind
    reason: str


@dataclass(frozen=True)
class HarvestResult:
    agent: str
    folder: Path
    dry_run: bool
    written: tuple[Promoted, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    #: the harvest stopped at ``limit``: more executions may match
    stopped_at_limit: bool = False
    #: the platform scanned only part of the executions for the review filters (A5)
    scan_limited: bool = False
    warnings: tuple[str, ...] = field(default_factory=tuple)


def check_name(name: str) -> str:
    """``name`` when it is a valid example name; ``HarvestError`` saying the rule."""
    if not _NAME.match(name) or len(name) > NAME_MAX:
        raise HarvestError(
            f"{name!r} is not a valid example name: use letters, digits, '.', '_' and '-', "
            f"starting with a letter or digit, at most {NAME_MAX} characters"
        )
    return name


def promote_execution(
    client: EigenpalClient,
    manifest: Manifest,
    execution_id: str,
    *,
    name: str,
    agent: str | None = None,
    force: bool = False,
    dry_run: bool = False,
) -> Promoted:
    """Write the example ``name`` of ``agent`` (the manifest's only agent by default) from
    execution ``execution_id``. Refuses an existing example, or a second example of an
    execution, unless ``force``."""
    target = check_promote(manifest, execution_id, name=name, agent=agent, force=force)
    try:
        envelope = client.agents.executions.get(execution_id, include=EXECUTION_INCLUDE)
    except EigenpalNotFoundError:
        raise HarvestError(
            f"no execution {shown(execution_id)} on the platform; copy its id from the "
            "dashboard or from 'evalkit harvest --dry-run'"
        ) from None
    execution = envelope.execution
    draft = _draft(execution, target)
    promoted = _write(client, draft, target, name, force=force, dry_run=dry_run)
    return dataclasses.replace(
        promoted,
        by_evalkit=started_by_evalkit(execution),
        rated_without_correction=rated_without_correction(execution, draft),
    )


def check_promote(
    manifest: Manifest, execution_id: str, *, name: str, agent: str | None, force: bool
) -> Target:
    """Everything about a promote that is known without the platform, checked before it is
    opened: the name, the agent, an example in the way, the execution an example already."""
    check_name(name)
    target = target_of(manifest, agent)
    _check_replaceable(target, name, manifest.path.parent, force=force)
    known = target.sources.get(execution_id)
    if known is not None and known != name and not force:
        raise HarvestError(
            f"execution {shown(execution_id)} is example {known!r} of agent "
            f"{target.agent.manifest_slug!r} already (its source.json names it): a second "
            f"example would check the same case twice; --name {known} --force refreshes that "
            "one, --force alone writes a second copy"
        )
    return target


def _check_replaceable(target: Target, name: str, base: Path, *, force: bool) -> None:
    """``HarvestError`` unless the example ``name`` may be written: it is new, or ``force``
    replaces the example of that name in the folder it is written to. An inline example or
    one in another examples folder would stay, and the manifest would then hold the name
    twice; a file or folder that is no example of the agent is not evalkit's to replace."""
    slug = target.agent.manifest_slug
    existing = target.examples.get(name)
    folder = target.folder / name
    if existing is not None and not force:
        # --force replaces only an example in the folder promote writes to (see below)
        replaceable = existing.folder is not None and _same_path(existing.folder, folder)
        way_out = "--force to replace it" if replaceable else "remove that example first"
        raise HarvestError(
            f"agent {slug!r} has an example {name!r} already ({_where(existing, base)}); "
            f"choose another --name, or {way_out}"
        )
    if not force:
        return  # a file or folder in the way is refused when writing
    if existing is None:
        if folder.exists() or folder.is_symlink():
            raise HarvestError(
                f"{_shown_path(folder, base)} is in the way and is no example of agent "
                f"{slug!r}; --force replaces only an example: move it away, or choose another "
                "--name"
            )
        return
    if existing.folder is None or not _same_path(existing.folder, folder):
        raise HarvestError(
            f"agent {slug!r} has an example {name!r} {_where(existing, base)}, not in "
            f"{_shown_path(target.folder, base)}/ where promote writes: --force replaces only "
            "an example there; choose another --name, or remove that example first"
        )


def _where(example: ExampleSpec, base: Path) -> str:
    if example.folder is None:
        mark = example.mark
        return f"inline, at {_shown_path(Path(mark.file), base)}" + (
            f":{mark.line}" if mark.line else ""
        )
    return f"in {_shown_path(example.folder, base)}/"


def _shown_path(path: Path, base: Path) -> str:
    """``path`` relative to the manifest's folder when inside it, in POSIX form."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except (OSError, ValueError):
        return str(path)


def _same_path(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve()
    except OSError:
        return False


def harvest_executions(
    client: EigenpalClient,
    manifest: Manifest,
    *,
    agent: str | None = None,
    filters: HarvestFilters | None = None,
    dry_run: bool = False,
    keep_wrong_answers: bool = False,
) -> HarvestResult:
    """Promote every execution of ``agent`` that ``filters`` select and no example names.
    One rated fail or partial without a reviewer's expected output is skipped (its output is
    known to be wrong) unless ``keep_wrong_answers``."""
    filters = filters or HarvestFilters()
    target = target_of(manifest, agent)
    slug = target.agent.slug
    written: list[Promoted] = []
    skipped: list[Skipped] = []
    taken = set(target.names)
    scan_limited = stopped = False
    for page in _pages(client, slug, filters):
        scan_limited = scan_limited or bool(page.scan_limited)
        for execution in page.executions:
            if filters.limit is not None and len(written) >= filters.limit:
                stopped = True
                break
            name = harvest_name(execution.id, execution.created_at)
            skip = _skip(execution, target, name, taken)
            wrong: str | None = None
            if skip is None:
                try:
                    draft = _draft(execution, target)
                except NotPromotable as err:
                    skip = Skipped(execution.id, "refused", err.reason)
                else:
                    wrong = rated_without_correction(execution, draft)
                    if wrong is not None and not keep_wrong_answers:
                        skip = Skipped(execution.id, "wrong-answer", _wrong_reason(wrong))
            if skip is not None:
                skipped.append(skip)
                continue
            promoted = _write(client, draft, target, name, force=False, dry_run=dry_run)
            written.append(dataclasses.replace(promoted, rated_without_correction=wrong))
            taken.add(name)
        if stopped:
            break
    warnings = []
    if scan_limited:
        warnings.append(
            f"the platform looked at only the latest {SCAN_LIMIT} executions for the review "
            "filters: narrow the harvest with --since to reach older ones"
        )
    return HarvestResult(
        agent=target.agent.manifest_slug,
        folder=target.folder,
        dry_run=dry_run,
        written=tuple(written),
        skipped=tuple(skipped),
        stopped_at_limit=stopped,
        scan_limited=scan_limited,
        warnings=tuple(warnings),
    )


def _pages(
    client: EigenpalClient, slug: str, filters: HarvestFilters
) -> Iterator[ListAgentExecutionsResponse]:
    offset = 0
    while True:
        try:
            page = client.agents.executions.list(
                slug, **filters.query(), limit=PAGE_SIZE, offset=offset
            )
        except EigenpalNotFoundError:
            raise HarvestError(
                f"no agent {slug!r} on the platform: nothing to harvest (sync it first, or "
                "check --base-url)"
            ) from None
        yield page
        offset += len(page.executions)
        if not page.executions or offset >= page.total:
            return


def _skip(
    execution: AgentExecutionSummary, target: Target, name: str, taken: set[str]
) -> Skipped | None:
    known = target.sources.get(execution.id)
    if known is not None:
        return Skipped(execution.id, "harvested", f"harvested already, as example {known!r}")
    promoted = execution.feedback.promoted_example_name if execution.feedback else None
    if promoted:
        return Skipped(
            execution.id,
            "promoted",
            f"the platform promoted it already, as example {promoted!r} of its dataset "
            f"('evalkit pull {target.agent.slug}' brings that into git)",
        )
    if started_by_evalkit(execution):
        return Skipped(execution.id, "evalkit-run", _started_for(execution))
    if name in taken:
        return Skipped(execution.id, "name-taken", f"its name {name!r} is another example's")
    return None


def _wrong_reason(rating: str) -> str:
    return (
        f"rated {rating} without a correction: the output is known to be wrong; add the "
        f"expected output on the platform, or pass {KEEP_WRONG_ANSWERS}"
    )


def _started_for(execution: AgentExecutionSummary) -> str:
    """What ``evalkit run`` started ``execution`` for: an example, or a judgement of one."""
    judged = judged_example(execution)
    if judged is not None:
        return f"evalkit run started it as a judge agent, judging example {judged!r}"
    example = (execution.metadata or {}).get(run_labels.EXAMPLE_NAME)
    return "evalkit run started it" + (f", for example {example!r}" if example else "")


def _draft(execution: AgentExecutionSummary, target: Target) -> ExampleDraft:
    return draft_example(
        execution, agent_slug=target.agent.manifest_slug, file_fields=target.file_fields
    )


def _write(
    client: EigenpalClient,
    draft: ExampleDraft,
    target: Target,
    name: str,
    *,
    force: bool,
    dry_run: bool,
) -> Promoted:
    try:
        folder = join_inside(target.folder, name)
        if not dry_run:
            write_example(client.agents.executions, draft, folder, force=force)
    except UnsafePath as err:  # e.g. a link in the examples folder that leads elsewhere
        raise HarvestError(f"cannot write example {name!r}: {err}") from None
    return Promoted(
        name=name,
        folder=folder,
        execution_id=draft.execution_id,
        files=tuple(draft.paths),
        expected_from={str(part): origin for part, origin in draft.source.expected_from.items()},
    )
