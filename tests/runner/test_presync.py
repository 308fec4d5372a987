"""The sync before a run: applied on the local platform, and recorded for the reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evalkit.api import FileListResponse
from evalkit.manifest import load_manifest
from evalkit.runner.from_manifest import jobs_from_manifest
from evalkit.runner.presync import sync_agents
from tests.runner.platform_harness import local_platform, sync_client
from tests.runner.test_cli_run import evalkit, finish

MANIFEST = """\
version: 1
agents:
  - slug: inline-echo
    name: Inline echo
    config: {runtime: {builtin: echo}}
    examples:
      - name: first
        input: {text: "a long enough input"}
        expected: {text: "a long enough input"}
"""


def test_the_recorded_plan_names_the_examples_it_uploaded_not_their_files(
    tmp_path: Path,
) -> None:
    """The record is bounded by the agents (issue 15): no file entries, no inline bytes."""
    (tmp_path / "evalkit.yaml").write_text(MANIFEST)
    manifest = load_manifest(tmp_path / "evalkit.yaml")
    with local_platform(tmp_path / "platform") as running, sync_client(running) as client:
        synced = sync_agents(manifest, client, jobs_from_manifest(manifest))
        listed = client.agents.list_files("inline-echo")
    assert isinstance(listed, FileListResponse)
    uploaded = listed.files
    assert synced is not None
    assert synced.plan is not None
    assert "examples/first/input.json" in uploaded
    assert synced.plan["kind"] == "evalkit-plan-record"
    assert synced.plan["agents"] == [
        {"slug": "inline-echo", "newAgent": True, "create": 3}
    ]  # name, config, example
    assert "- examples: `+` `first`" in synced.plan["markdown"]
    assert "input.json" not in str(synced.plan)


WORKFLOW_MANIFEST = """\
version: 1
local_platform:
  workflows: platform/
agents:
  - slug: fixed
    config: {{runtime: {{builtin: fixed, output: {{ok: {ok}}}}}}}
    examples:
      - {{name: own, expected: {{ok: true}}}}
  # called by no workflow: synced with a workflow suite all the same (the manifest cannot
  # tell which of its agents a workflow's steps call)
  - slug: bystander
    config: {{runtime: {{builtin: echo}}}}
workflows:
  - workflow: pipeline
    tags: [pipeline]
    examples:
      - {{name: a, expected: {{ok: true}}}}
      - {{name: b, expected: {{ok: true}}}}
"""

PIPELINE = """\
steps:
  - id: call
    agent: fixed
"""


def write_workflow_project(folder: Path, ok: str) -> Path:
    (folder / "platform").mkdir(parents=True, exist_ok=True)
    (folder / "platform" / "pipeline.yaml").write_text(PIPELINE)
    (folder / "evalkit.yaml").write_text(WORKFLOW_MANIFEST.format(ok=ok))
    return folder


def local_run(folder: Path, *selection: str) -> tuple[int, dict[str, Any], str]:
    code, stdout, stderr = finish(
        evalkit("--json", "run", "--no-report", *selection, cwd=folder), timeout=120
    )
    return code, json.loads(stdout) if stdout else {}, stderr


def test_a_workflow_suite_run_alone_syncs_the_manifest_s_agents_first(tmp_path: Path) -> None:
    """Selected alone (no agent example), a workflow suite used to run against whatever the
    platform had: every example an error on a fresh platform, a pass against a stale agent."""
    folder = write_workflow_project(tmp_path / "project", ok="true")
    code, summary, stderr = local_run(folder, "--only", "pipeline")
    assert code == 0, stderr
    assert summary["counts"]["passed"] == 2
    assert "sync: 5 write(s) to 2 agent(s)" in stderr

    # The agent changes in the manifest only: the run syncs it, and the workflow now fails.
    write_workflow_project(folder, ok="false")
    for selection in (("--example", "pipeline/a"), ("--tag", "pipeline", "--shard", "1/2")):
        code, summary, stderr = local_run(folder, *selection)
        assert code == 1, (selection, stderr)
        assert summary["counts"]["total"] == 1
        assert summary["counts"]["passed"] == 0
