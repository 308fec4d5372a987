"""The sync before a run: applied on the local platform, and recorded for the reports."""

from __future__ import annotations

from pathlib import Path

import httpx

from evalkit.api import FileListResponse
from evalkit.client import EigenpalClient
from evalkit.manifest import load_manifest
from evalkit.runner.from_manifest import jobs_from_manifest
from evalkit.runner.presync import PreSync, sync_agents
from evalkit.sync.plan_file import plan_record
from evalkit.sync.planner import plan
from tests.runner.platform_harness import API_KEY, local_platform, sync_client

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


TWO_AGENTS = """\
version: 1
agents:
  - slug: agent-a
    name: A
    config: {runtime: {builtin: echo}}
    examples:
      - name: first
        input: {text: "a long enough input"}
        expected: {text: "a long enough input"}
      - name: second
        input: {text: "another long input"}
        expected: {text: "another long input"}
  - slug: agent-b
    name: B
    config: {runtime: {builtin: echo}}
    examples:
      - name: only
        input: {text: "a long enough input"}
        expected: {text: "a long enough input"}
"""


def test_each_agent_is_planned_after_the_one_before_was_applied(tmp_path: Path) -> None:
    """One agent's files are planned at a time (issue 15), and the record is the whole plan's."""
    (tmp_path / "evalkit.yaml").write_text(TWO_AGENTS)
    manifest = load_manifest(tmp_path / "evalkit.yaml")
    seen: list[tuple[str, str]] = []

    def note(request: httpx.Request) -> None:
        seen.append((request.method, request.url.path))

    with (
        local_platform(tmp_path / "platform") as running,
        httpx.Client(base_url=running.base_url, event_hooks={"request": [note]}) as http,
        EigenpalClient(api_key=API_KEY, base_url=running.base_url, http_client=http) as client,
    ):
        expected = plan_record(plan(manifest, client))
        synced = sync_agents(manifest, client, jobs_from_manifest(manifest))
        again = sync_agents(manifest, client, jobs_from_manifest(manifest))

    writes = [i for i, (method, _) in enumerate(seen) if method != "GET"]
    a_patched = seen.index(("PATCH", "/api/v1/agents/agent-a"))
    b_read = [i for i, call in enumerate(seen) if call == ("GET", "/api/v1/agents/agent-b")]
    assert writes
    assert a_patched < b_read[1]  # b_read[0]: the plan made above, before any write
    assert synced is not None
    assert synced.plan == expected
    assert synced.message == "sync: 6 write(s) to 2 agent(s)"
    assert again == PreSync(None, "sync: agents already up to date")
