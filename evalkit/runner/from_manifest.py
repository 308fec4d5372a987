"""Jobs and gates from a loaded manifest."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

from evalkit.errors import RunError
from evalkit.manifest import ExampleSpec, Gates, Manifest, WorkflowSpec
from evalkit.manifest.models import AtLeast, Rate, Repeat
from evalkit.manifest.spec import NO_FILES
from evalkit.runner.calibration import with_calibration
from evalkit.runner.gates import GateConfig
from evalkit.runner.jobs import ExampleJob, Selection, select
from evalkit.runner.repeats import PassRule, RepeatPolicy


def jobs_from_manifest(manifest: Manifest) -> list[ExampleJob]:
    """Every example as a job, agents first, in manifest order. Under an environment
    (``--env``) agents run on their copies (``slug``) but keep their manifest slug in results."""
    jobs: list[ExampleJob] = []
    for agent in manifest.agents:
        for example in agent.examples:
            jobs.append(_job(example, "agent", agent.slug, agent.manifest_slug, None))
    for suite in manifest.workflows:
        name = suite_name(suite)
        for example in suite.examples:
            jobs.append(_job(example, "workflow", suite.workflow, name, suite.version))
    return jobs


def selected_jobs(
    manifest: Manifest, selection: Selection, every: list[ExampleJob] | None = None
) -> list[ExampleJob]:
    """The jobs to run. A selection matching nothing is a mistake (``RunError``); a shard
    holding none of the matches is an empty run (a small dataset split many ways). The
    labelled examples of the judges the selection uses join it (``runner.calibration``).
    ``every``: ``jobs_from_manifest(manifest)``, when the caller has it already."""
    jobs = every if every is not None else jobs_from_manifest(manifest)
    matched = select(jobs, dataclasses.replace(selection, shard=None))
    if not matched:
        raise RunError(_nothing_selected(jobs, selection))
    matched = with_calibration(jobs, matched)
    shard = selection.shard
    return [job for job in matched if shard is None or shard.holds(job.label)]


def agents_under_test(manifest: Manifest, jobs: Iterable[ExampleJob]) -> set[str]:
    """The platform slugs of the agents a run of ``jobs`` syncs or checks first: the agents
    of its agent jobs and, when a workflow suite is among them, every agent of the manifest.

    A workflow's steps name the agents they call in its definition, which is the platform's
    (a remote one's cannot be created or read in a known format through the v1 API), so the
    manifest cannot tell which of its agents a workflow calls; its ``agents:`` declare them
    (examples/workflow-suite), as ``--changed-since`` assumes too (``runner.changed``).
    Without them a suite run alone (``--only``, ``--example``, ``--tag``, ``--shard``) ran
    against whatever the platform had: a stale agent could pass."""
    slugs: set[str] = set()
    workflows = False
    for job in jobs:
        if job.kind == "agent":
            slugs.add(job.platform_name)
        else:
            workflows = True
    if workflows:
        slugs.update(agent.slug for agent in manifest.agents)
    return slugs


def _nothing_selected(jobs: list[ExampleJob], selection: Selection) -> str:
    """Which options selected nothing, and what the manifest holds to choose from."""
    chosen = " ".join(
        f"--{option} {value}"
        for option, values in selection.as_dict().items()
        if option != "shard"
        for value in values
    )
    labels = [job.label for job in jobs]
    shown = ", ".join(labels[:8]) + (f" and {len(labels) - 8} more" if len(labels) > 8 else "")
    tags = sorted({tag for job in jobs for tag in job.tags})
    known = f"tags in the manifest: {', '.join(tags)}" if tags else "no example has a tag"
    return (
        f"no example matches {chosen}; {known}; examples: {shown} "
        "(--example takes a name or agent/name, globs allowed)"
    )


def suite_name(suite: WorkflowSpec) -> str:
    """How results name a workflow suite: the workflow's name, with ``@version`` when the
    suite pins one, so that two versions of one workflow are two suites."""
    if suite.version in ("", "latest"):
        return suite.workflow
    return f"{suite.workflow}@{suite.version}"


def _job(
    example: ExampleSpec, kind: str, platform_name: str, suite: str, version: str | None
) -> ExampleJob:
    return ExampleJob(
        kind="agent" if kind == "agent" else "workflow",
        platform_name=platform_name,
        suite=suite,
        name=example.name,
        input_text=example.input_text,
        input_files=_own_files(example.input_files),
        expected_text=example.expected_text,
        has_expected_json=example.expected_text is not None,
        expected_files=_own_files(example.expected_files),
        tags=tuple(example.tags),
        mark=str(example.mark),
        compare=example.compare,
        version=version,
        repeat=repeat_policy(example.repeat),
        notes=example.notes,
    )


def _own_files(files: dict[str, Path]) -> dict[str, Path]:
    """A job's own copy of its example's files; none: the one shared empty mapping (every
    job of a 20,000-example manifest is built before a run)."""
    return dict(files) if files else NO_FILES


def repeat_policy(repeat: Repeat | None) -> RepeatPolicy | None:
    """The manifest's ``repeat:`` as the runner takes it."""
    if repeat is None:
        return None
    rule = repeat.pass_if
    if isinstance(rule, AtLeast):
        pass_if = PassRule("at_least", rule.at_least)
    elif isinstance(rule, Rate):
        pass_if = PassRule("rate", rule.rate)
    else:
        pass_if = PassRule(rule or "all")
    adaptive = repeat.adaptive.max if repeat.adaptive is not None else None
    return RepeatPolicy(times=repeat.times, pass_if=pass_if, adaptive_max=adaptive)


def gates_from_manifest(gates: Gates) -> GateConfig:
    return GateConfig(
        min_pass_rate=gates.min_pass_rate,
        max_failures=gates.max_failures,
        max_regressions=gates.max_regressions,
        min_pass_rate_delta=gates.min_pass_rate_delta,
        min_score_delta=gates.min_score_delta,
    )


def suite_gates_from_manifest(manifest: Manifest, flags: GateConfig) -> dict[str, GateConfig]:
    """Gates of agents and workflows that set their own (differing from the top level),
    with the command-line flags still winning."""
    top = manifest.gates
    suites: dict[str, Gates] = {agent.manifest_slug: agent.gates for agent in manifest.agents}
    suites.update({suite_name(suite): suite.gates for suite in manifest.workflows})
    return {
        name: gates_from_manifest(gates).overridden_by(flags)
        for name, gates in suites.items()
        if gates != top
    }
