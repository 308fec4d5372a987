"""The sync before a run: applied on the local platform, and recorded for the reports."""

from __future__ import annotations

from pathlib import Path

from evalkit.api import FileListResponse
from evalkit.manifest import load_manifest
from evalkit.runner.from_manifest import jobs_from_manifest
from evalkit.runner.presync import sync_agents
from tests.runner.platform_harness import local_platform, sync_client

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


def test_the_recorded_plan_leaves_out_the_inline_examples_it_uploaded(tmp_path: Path) -> None:
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
    (agent,) = synced.plan["agents"]
    recorded = {file["path"]: file for file in agent["files"]}
    assert recorded["examples/first/input.json"]["example"] == "first"
    assert not any("inlineBase64" in file for file in recorded.values())
