"""Workflow suites pinned to a version label (``version: v1``): the label becomes the version's
id before anything runs.

The v1 contract runs a workflow by ``version`` = a version id or ``"latest"``; a label is
what people write in a manifest. Each workflow's versions are listed once
(``workflows.versions``) and every label is looked up there, on any platform, so an unknown
label is a clear error before the first example starts instead of one error per example.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence

from evalkit.api import WorkflowVersion
from evalkit.client.errors import EigenpalError, EigenpalNotFoundError
from evalkit.errors import PlatformTrouble, RunError
from evalkit.runner.jobs import ExampleJob

VERSION_ID_PREFIX = "wfh_"
LATEST = "latest"

#: workflow name -> its versions, newest first (``client.workflows.iter_versions``)
ListVersions = Callable[[str], Iterable[WorkflowVersion]]


def needs_resolving(version: str | None) -> bool:
    return bool(version) and version != LATEST and not str(version).startswith(VERSION_ID_PREFIX)


def resolve_versions(jobs: Sequence[ExampleJob], list_versions: ListVersions) -> list[ExampleJob]:
    """The jobs with every version label replaced by its id; ``RunError`` naming the workflow,
    the label and the labels that exist when one is unknown."""
    wanted: dict[str, set[str]] = {}
    for job in jobs:
        if job.kind == "workflow" and needs_resolving(job.version):
            wanted.setdefault(job.platform_name, set()).add(str(job.version))
    ids: dict[tuple[str, str], str] = {}
    for workflow, labels in sorted(wanted.items()):
        known = _labels(workflow, list_versions)
        for label in sorted(labels):
            if label not in known:
                shown = ", ".join(sorted(known)) or "none"
                raise RunError(
                    f"workflow {workflow!r} has no version {label!r} on the platform "
                    f"(labels: {shown}); use one of them, a version id (wfh_...) or 'latest'"
                )
            ids[(workflow, label)] = known[label]
    return [
        dataclasses.replace(job, version=ids[(job.platform_name, str(job.version))])
        if (job.platform_name, str(job.version)) in ids
        else job
        for job in jobs
    ]


def _labels(workflow: str, list_versions: ListVersions) -> dict[str, str]:
    try:
        versions = list(list_versions(workflow))
    except EigenpalNotFoundError as err:
        raise RunError(
            f"workflow {workflow!r} is not on the platform: its version labels cannot be looked up"
        ) from err
    except EigenpalError as err:
        raise VersionLookupFailed(
            f"listing the versions of workflow {workflow!r} failed: {err}"
        ) from err
    # Newest first: should a label repeat, the newest version carrying it wins.
    labels: dict[str, str] = {}
    for version in versions:
        if version.version and version.version not in labels:
            labels[version.version] = version.id
    return labels


class VersionLookupFailed(RunError, PlatformTrouble):
    """The platform could not list a workflow's versions: infrastructure
    (``evalkit.exit_codes``)."""
