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
