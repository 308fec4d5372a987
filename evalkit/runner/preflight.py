"""Before anything runs: what the jobs call is on the platform, and the agents are the
manifest's.

A run without ``--sync`` evaluates whatever the platform has, and reports it against the local
commit: a change to an agent that was never synced would be judged by the old agent. So the
agents under test (the selected examples' agents; with a workflow suite selected, every agent
of the manifest, which its steps may call) are compared with the manifest first, with the sync
planner (a plan with nothing to do costs one request per agent, thanks to the last-applied
record), and the run is refused when one differs, unless ``--allow-drift``; an agent missing
from the platform is one message here instead of one error per example. Example files are
left out of the comparison: the runner sends each example's input itself and compares with the
manifest's expectations, and an agent never sees its examples. Workflows cannot be synced or
compared through the v1 API; the run only checks that each one exists. Each check waits out a
platform that fails for a while (5xx, 429, dropped connections: ``patience.patiently_sync``).
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence

from evalkit.client import EigenpalClient
from evalkit.client.errors import EigenpalNotFoundError
from evalkit.errors import RunError
from evalkit.manifest import Manifest
from evalkit.runner.from_manifest import agents_under_test
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.patience import patiently_sync
from evalkit.runner.results import DriftedAgent
from evalkit.sync.plan import Action, AgentChange


class NotReady(RunError):
    """An agent or workflow the run needs is missing, or an agent differs from the manifest:
    nothing was started (a usage error, see ``evalkit.exit_codes``)."""


def check_agents(
    manifest: Manifest,
    client: EigenpalClient,
    jobs: Sequence[ExampleJob],
    *,
    allow_drift: bool,
    also: Collection[str] = (),
) -> list[DriftedAgent]:
    """The agents under test of ``jobs`` (``from_manifest.agents_under_test``: with a workflow
    suite, every agent of the manifest) and ``also`` (platform slugs: the judge agents their
    rules name) that differ from the manifest (only with ``allow_drift``;
    otherwise ``NotReady``). ``NotReady`` for agents not on the platform, always. A platform
    that cannot be reached or refuses the key raises its ``EigenpalError`` (exit code 3)."""
    from evalkit.sync.planner import plan

    slugs = sorted(agents_under_test(manifest, jobs) | set(also))
    if not slugs:
        return []
    # A refused key or an unreachable platform stops the run here, before anything starts,
    # in one message (exit code 3), rather than once per example.
    changes = patiently_sync(lambda: plan(manifest, client, only=slugs))
    manifest_slugs = {agent.slug: agent.manifest_slug for agent in manifest.agents}
    missing = [change.slug for change in changes.agents if change.creates_agent]
    drifted = [
        DriftedAgent(agent=manifest_slugs[change.slug], slug=change.slug, differences=found)
        for change in changes.agents
        if not change.creates_agent and (found := differences(change))
    ]
    environment = f" --env {manifest.environment}" if manifest.environment else ""
    sync_hint = f"`evalkit sync{environment}`"
    if missing:
        raise NotReady(_missing_message(missing, manifest, sync_hint, allow_drift=allow_drift))
    if drifted and not allow_drift:
        raise NotReady(_drift_message(drifted, manifest, sync_hint))
    return drifted


def differences(change: AgentChange) -> list[str]:
    """What differs between the live agent and the manifest, example files aside: ``name``,
    ``config /runtime/model``, ``AGENT.md``; ``(changed on the platform)`` marks drift made
    outside git, ``(not on the platform)`` a file the agent lacks."""
    found = [_marked(field.field, field.action) for field in change.fields]
    found += [_marked(f"config {item.pointer or '/'}", item.action) for item in change.config]
    found += [_marked(file.path, file.action) for file in change.files if file.example is None]
    return found


def _marked(what: str, action: Action) -> str:
    if action is Action.DRIFT:
        return f"{what} (changed on the platform)"
    if action is Action.CREATE:
        return f"{what} (not on the platform)"
    return what


def describe_agent(agent: str, manifest: Manifest) -> str:
    """``agent x``; under ``--env``, ``agent x-pr-1 (x in environment pr)``."""
    manifest_slug = next((a.manifest_slug for a in manifest.agents if a.slug == agent), agent)
    if manifest.environment and manifest_slug != agent:
        return f"agent {agent} ({manifest_slug} in environment {manifest.environment})"
    return f"agent {agent}"


def _drift_message(drifted: list[DriftedAgent], manifest: Manifest, sync_hint: str) -> str:
    advice = f"run {sync_hint}, pass `--sync`, or `--allow-drift` to run as is"
    if len(drifted) == 1:
        (only,) = drifted
        return (
            f"{describe_agent(only.slug, manifest)} differs from the manifest "
            f"({only.gist()}): {advice}"
        )
    lines = [f"{len(drifted)} agents differ from the manifest: {advice}"]
    lines += [f"  {describe_agent(d.slug, manifest)}: {d.gist()}" for d in drifted]
    return "\n".join(lines)


def _missing_message(
    missing: list[str], manifest: Manifest, sync_hint: str, *, allow_drift: bool
) -> str:
    names = ", ".join(describe_agent(slug, manifest) for slug in missing)
    verb = "is" if len(missing) == 1 else "are"
    text = f"{names} {verb} not on the platform: run {sync_hint} or pass `--sync`"
    if allow_drift:
        text += " (--allow-drift runs agents as they are, but these do not exist)"
    return text


def check_workflows(client: EigenpalClient, jobs: Sequence[ExampleJob], *, local: bool) -> None:
    """``NotReady`` naming every workflow of ``jobs`` the platform does not have."""
    missing = []
    for workflow in sorted({job.platform_name for job in jobs if job.kind == "workflow"}):
        try:
            patiently_sync(functools.partial(client.workflows.get, workflow))
        except EigenpalNotFoundError:
            missing.append(workflow)
    if not missing:
        return
    names = ", ".join(missing)
    verb = "is" if len(missing) == 1 else "are"
    where = (
        "the local platform loads workflows from the folder named by local_platform.workflows "
        "in the manifest"
        if local
        else "workflows are made in EigenPal (the v1 API cannot create them)"
    )
    raise NotReady(
        f"workflow {names} {verb} not on the platform: {where}; check `workflow:` in the manifest"
    )
