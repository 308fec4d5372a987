"""A plan as JSON: ``evalkit plan --json`` / ``--out plan.json``, and ``sync --plan plan.json``.

The document is the ``Plan`` model in camelCase plus ``kind``, ``formatVersion`` and a
``summary`` for readers; the summary is derived, so it is dropped (not trusted) on load.

A plan file is untrusted input (it may have been edited, or come from elsewhere): every
workspace path it names must be a safe relative path (``plan_from_data``), and before it is
applied every local file it uploads must be the one the manifest declares for that path
(``check_saved_plan``); otherwise it is refused before any request.

A run keeps a shorter record of the plan it applied (``plan_record``, kind
``evalkit-plan-record``): the plan's summary, each agent's counts, and its Markdown with a
bounded list of examples. The whole plan of a first sync names every file of every example
(40,000 entries for 20,000 examples), and the run's summary is read again for its reports.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from evalkit.errors import PlanError
from evalkit.safe_paths import UnsafePath, check_relative, is_inside, shown
from evalkit.sync.desired import DesiredAgent
from evalkit.sync.diff import snapshot_of
from evalkit.sync.jsondiff import json_equal
from evalkit.sync.plan import PLAN_FORMAT, Action, AgentChange, Plan
from evalkit.sync.planner import desired_agent, example_sources
from evalkit.sync.render import AgentTally, agent_markdown, markdown_of, orphans_of, render_markdown

if TYPE_CHECKING:
    from evalkit.manifest.spec import AgentSpec, Manifest

KIND = "evalkit-plan"
RECORD_KIND = "evalkit-plan-record"
RECORD_FORMAT = 1
#: changed examples an agent's Markdown lists in a run's record, before "and N more"
RECORD_EXAMPLES_SHOWN = 50


#: what ``plan_to_data(..., contents=False)`` leaves out: the inline examples' bytes
_CONTENTS = {"agents": {"__all__": {"files": {"__all__": {"inline_base64"}}}}}


def plan_to_data(plan: Plan, *, contents: bool = True) -> dict[str, Any]:
    """The plan as JSON data. ``contents=False``: without the inline examples' bytes, which
    only applying the plan needs (a record of a plan applied, e.g. a run's summary, would
    otherwise hold every inline example of the agents it created, base64-encoded)."""
    data = plan.model_dump(mode="json", by_alias=True, exclude=None if contents else _CONTENTS)
    return {"kind": KIND, **data, "summary": _summary(plan)}


@dataclass(frozen=True)
class AgentRecord:
    """What a run's record keeps of one agent's change: its counts and its Markdown section,
    bounded by ``RECORD_EXAMPLES_SHOWN`` (a sync before a run keeps this of each agent it
    plans, not the agent's files)."""

    tally: AgentTally
    markdown: tuple[str, ...]

    @classmethod
    def of(cls, agent: AgentChange) -> AgentRecord:
        return cls(AgentTally.of(agent), agent_markdown(agent, RECORD_EXAMPLES_SHOWN))


def plan_record(plan: Plan, agents: Sequence[AgentRecord] | None = None) -> dict[str, Any]:
    """What a run keeps of the plan it applied: bounded by the agents, not by the examples.
    The reports show its ``markdown`` (``record_markdown``). ``agents``: the records of the
    plan's agents when it was applied agent by agent (the plan's own agents are then not
    read)."""
    if agents is None:
        agents = [AgentRecord.of(agent) for agent in plan.agents]
    tallies = [agent.tally for agent in agents]
    entries = []
    for tally in tallies:
        counts = {action.value: tally.count(action) for action in Action if tally.count(action)}
        entries.append(
            {"slug": tally.slug, **({"newAgent": True} if tally.creates_agent else {}), **counts}
        )
    return {
        "kind": RECORD_KIND,
        "formatVersion": RECORD_FORMAT,
        "summary": _summary(plan, tallies),
        "agents": entries,
        "markdown": markdown_of(plan, tallies, [agent.markdown for agent in agents]),
    }


def record_markdown(data: Any, *, where: str = "the plan record") -> str:
    """The Markdown of a plan as a run recorded it: a ``plan_record``, or (runs of evalkit
    before the record) the whole plan as ``plan_to_data(..., contents=False)`` gave it.
    ``PlanError`` when ``data`` is neither."""
    if isinstance(data, dict) and data.get("kind") == RECORD_KIND:
        version, text = data.get("formatVersion"), data.get("markdown")
        if version != RECORD_FORMAT:
            raise PlanError(
                f"{where} has record format {version!r}; this evalkit reads format "
                f"{RECORD_FORMAT}: render it with the evalkit that made the run"
            )
        if not isinstance(text, str):
            raise PlanError(f"{where} is damaged at markdown: not a text")
        return text
    return render_markdown(plan_from_data(data, where=where))


def _summary(plan: Plan, agents: Sequence[AgentTally] | None = None) -> dict[str, Any]:
    """The summary of ``plan``, whose agents are ``agents`` when given."""
    if agents is None:
        agents = [AgentTally.of(agent) for agent in plan.agents]
    orphans, acknowledged = orphans_of(plan, agents)
    return {
        "hasChanges": any(a.has_changes for a in agents),
        "agentsChanging": sum(1 for a in agents if a.has_changes),
        "agentsToCreate": sum(1 for a in agents if a.creates_agent),
        "create": sum(a.count(Action.CREATE) for a in agents),
        "update": sum(a.count(Action.UPDATE) for a in agents),
        "drift": sum(a.count(Action.DRIFT) for a in agents),
        "orphans": orphans,
        "acknowledgedOrphans": acknowledged,
        "environmentCopies": len(plan.environment_copies),
    }


def save_plan(plan: Plan, path: Path) -> None:
    try:
        path.write_text(json.dumps(plan_to_data(plan), indent=2) + "\n", encoding="utf-8")
    except OSError as err:
        raise PlanError(f"cannot write the plan to {path}: {err.strerror or err}") from err


def plan_from_data(data: Any, *, where: str = "the plan") -> Plan:
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise PlanError(f"{where} is not an evalkit plan (write one with 'evalkit plan --out')")
    version = data.get("formatVersion")
    if version != PLAN_FORMAT:
        raise PlanError(
            f"{where} has plan format {version!r}; this evalkit reads format {PLAN_FORMAT}: "
            "make the plan again with this version of evalkit"
        )
    body = {k: v for k, v in data.items() if k not in ("kind", "summary")}
    try:
        plan = Plan.model_validate(body)
    except ValidationError as err:
        first = err.errors()[0]
        at = ".".join(str(part) for part in first["loc"])
        raise PlanError(
            f"{where} is damaged at {at}: {first['msg']} (make the plan again)"
        ) from None
    _check_workspace_paths(plan, where)
    return plan


def _check_workspace_paths(plan: Plan, where: str) -> None:
    """Every workspace path ``plan`` names is a safe relative path (contract A7): they are sent
    to the platform as they are (uploaded, read back)."""
    for i, agent in enumerate(plan.agents):
        named = [
            *((f"files[{j}].path", file.path) for j, file in enumerate(agent.files)),
            *(("desired.files", path) for path in agent.desired.files),
            *((f"orphanFiles[{j}].path", file.path) for j, file in enumerate(agent.orphan_files)),
        ]
        for at, path in named:
            try:
                check_relative(path)
            except UnsafePath as err:
                raise PlanError(
                    f"{where} is damaged at agents[{i}].{at}: {err} "
                    "(make the plan again with 'evalkit plan --out')"
                ) from None


def check_saved_plan(plan: Plan, manifest: Manifest, *, where: str) -> Plan:
    """``plan`` (read from ``where``) to be applied from ``manifest``'s folder, which its file
    sources are relative to (this checkout's, not the planner's). ``PlanError`` unless every
    agent it writes is one ``manifest`` declares, with the name, description, config and files
    the manifest declares now, and every file it uploads is taken from where the manifest
    takes it: a local file is the manifest's, links followed (so inside the project folder),
    and inline bytes stand for an inline example. The local files' bytes are checked against
    the plan's hashes when it is applied."""
    base = manifest.path.resolve().parent
    agents = {agent.slug: agent for agent in manifest.agents}
    for i, change in enumerate(plan.agents):
        at = f"{where}: agents[{i}]"
        agent = agents.get(change.slug)
        if agent is None:
            raise _refused(
                at,
                f"agent {change.slug!r} is not in the manifest {manifest.path.name}"
                + (f" (environment {plan.environment!r})" if plan.environment else ""),
            )
        _check_sources(change, agent, manifest, at)
        _check_desired(change, desired_agent(agent, plan.environment), at)
    return plan.model_copy(update={"base_dir": str(base)})


def _check_sources(change: AgentChange, agent: AgentSpec, manifest: Manifest, at: str) -> None:
    """Each file ``change`` uploads comes from where the manifest takes it."""
    declared = {**agent.workspace_files(), **example_sources(agent)}
    for j, file in enumerate(change.files):
        here = f"{at}.files[{j}]"
        wanted = declared.get(file.path)
        if wanted is None:
            raise _refused(
                f"{here}.path",
                f"{shown(file.path)} is not a file the manifest declares for {change.slug!r}",
            )
        if not isinstance(wanted, Path):  # an inline example: its bytes are in the plan
            if file.source is not None:
                raise _refused(
                    f"{here}.source",
                    f"{shown(file.path)} is an inline example's file, not a local file",
                )
            continue
        if file.source is None:
            raise _refused(f"{here}.source", f"{shown(file.path)} must come from a local file")
        _check_source(file.source, file.path, wanted, manifest, f"{here}.source")


def _check_desired(change: AgentChange, declared: DesiredAgent, at: str) -> None:
    """What applying ``change`` writes (its ``desired`` state, each file's bytes) is what the
    manifest declares now: an edited name, config or file, or a manifest changed since the
    plan was made, is refused (the plan's listed changes are shown, ``desired`` is applied)."""
    wanted = snapshot_of(declared)
    for name in ("name", "description", "config", "files", "manifest_slug"):
        if not json_equal(getattr(change.desired, name), getattr(wanted, name)):
            raise _refused(
                f"{at}.desired.{name}",
                f"it is not what the manifest declares for {change.slug!r} (edited, or the "
                "manifest changed since the plan was made)",
            )
    for j, file in enumerate(change.files):
        inline = file.inline_content()
        sha256 = hashlib.sha256(inline).hexdigest() if inline is not None else file.after.sha256
        if sha256 != wanted.files.get(file.path):
            raise _refused(
                f"{at}.files[{j}]",
                f"{shown(file.path)} is not the file the manifest declares (edited, or the "
                "manifest changed since the plan was made)",
            )


def _check_source(source: str, path: str, wanted: Path, manifest: Manifest, at: str) -> None:
    """``source``, a plan's local file for workspace ``path`` (relative to the manifest's
    folder, or absolute), is ``wanted``, the file the manifest declares for ``path``, links
    followed. ``at``: where in the plan file it is written."""
    base, root = manifest.path.resolve().parent, manifest.project_root
    named = shown(source)
    try:
        if not is_inside(base / source, root):
            raise _refused(at, f"{named} leads outside the project folder {root}")
        same = (base / source).resolve() == wanted.resolve()
    except (OSError, RuntimeError) as err:  # e.g. a loop of symbolic links
        raise _refused(at, f"{named} cannot be resolved: {err}") from None
    if not same:
        declared = os.path.relpath(wanted, base)
        raise _refused(
            at, f"{named} is not the file the manifest declares for {shown(path)} ({declared!r})"
        )


def _refused(at: str, what: str) -> PlanError:
    """The refusal of a saved plan: ``at`` is the file and the entry, ``what`` is wrong."""
    return PlanError(
        f"{at}: {what}. Nothing was applied: make the plan again with "
        "'evalkit plan --out' and review it (a saved plan is applied only as evalkit wrote it "
        "for this manifest)"
    )


def load_plan(path: Path) -> Plan:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise PlanError(f"cannot read the plan {path}: {err.strerror or err}") from err
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise PlanError(
            f"{path}:{err.lineno}:{err.colno}: not valid JSON ({err.msg}); "
            "make the plan again with 'evalkit plan --out'"
        ) from None
    return plan_from_data(data, where=str(path))
