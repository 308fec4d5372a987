"""Workflow version labels resolve to version ids through the platform, before anything runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from evalkit.emulator.server import RunningPlatform
from evalkit.errors import RunError
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.versions import resolve_versions
from tests.runner.platform_harness import local_platform, sync_client

CURRENT = "name: pipeline\nversion: v2\nsteps:\n  - {id: a, builtin: fixed, output: {v: 2}}\n"
OLDER = "steps:\n  - {id: a, builtin: fixed, output: {v: 1}}\n"


def wf_job(name: str, version: str | None, kind: str = "workflow") -> ExampleJob:
    suite = "pipeline" if version in (None, "latest") else f"pipeline@{version}"
    return ExampleJob(
        kind="workflow" if kind == "workflow" else "agent",
        platform_name="pipeline",
        suite=suite,
        name=name,
        version=version,
    )


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    root = tmp_path_factory.mktemp("versions")
    workflows = root / "workflows"
    workflows.mkdir()
    (workflows / "pipeline.yaml").write_text(CURRENT)
    (workflows / "pipeline@v1.yaml").write_text(OLDER)
    with local_platform(root / "platform", workflows_dir=workflows) as running:
        yield running


def test_labels_become_the_ids_the_platform_lists(platform: RunningPlatform) -> None:
    with sync_client(platform) as client:
        listed = {v.version: v.id for v in client.workflows.iter_versions("pipeline")}
        jobs = [wf_job("a", "v1"), wf_job("b", "latest"), wf_job("c", listed["v2"])]
        resolved = resolve_versions(jobs, client.workflows.iter_versions)
    assert [job.version for job in resolved] == [listed["v1"], "latest", listed["v2"]]
    assert listed["v1"].startswith("wfh_")
    # The suite keeps the manifest's label: results stay comparable across platforms.
    assert resolved[0].suite == "pipeline@v1"


def test_an_unknown_label_names_the_labels_that_exist(platform: RunningPlatform) -> None:
    with sync_client(platform) as client, pytest.raises(RunError) as caught:
        resolve_versions([wf_job("a", "v9")], client.workflows.iter_versions)
    message = str(caught.value)
    assert "'pipeline' has no version 'v9'" in message
    assert "labels: v1, v2" in message
    assert "wfh_" in message  # says what else may be written


def test_an_unknown_workflow_is_a_clear_error(platform: RunningPlatform) -> None:
    job = ExampleJob(kind="workflow", platform_name="nope", suite="nope@v1", name="a", version="v1")
    with sync_client(platform) as client, pytest.raises(RunError, match="'nope' is not on the"):
        resolve_versions([job], client.workflows.iter_versions)


def test_nothing_is_listed_when_no_label_needs_resolving() -> None:
    def no_calls(workflow: str) -> list[object]:
        raise AssertionError(f"listed versions of {workflow}")

    jobs = [wf_job("a", "latest"), wf_job("b", None), wf_job("c", "wfh_abc")]
    assert resolve_versions(jobs, no_calls) == jobs  # type: ignore[arg-type]
