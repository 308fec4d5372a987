"""``pull`` against the local platform: pull then plan shows no changes."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import httpx
import pytest

from evalkit.client import EigenpalClient
from evalkit.errors import PlanError
from evalkit.sync.apply import apply
from evalkit.sync.planner import plan
from evalkit.sync.pull import pull

from .local import Counted
from .project import load, write_project

LIVE_FILES = {
    "AGENT.md": b"# Support bot\n",
    "input-schema.json": b'{"type": "object"}\n',
    "skills/tone.md": b"be kind\n",
    "examples/refund/input.json": b'{"text": "refund please"}\n',
    "examples/refund/expected.json": b'{"intent": "refund"}\n',
}


def make_live_agent(client: EigenpalClient, slug: str = "support") -> None:
    client.agents.create(
        name="Support bot",
        slug=slug,
        description="Answers tickets",
        config={"model": "m1", "triggers": {"api": {"enabled": True}}},
    )
    client.agents.upload_files(
        slug,
        [
            {"path": path, "contentBase64": base64.b64encode(data).decode()}
            for path, data in LIVE_FILES.items()
        ],
    )


def test_pull_then_plan_shows_no_changes(tmp_path: Path, counted: Counted) -> None:
    make_live_agent(counted.client)
    manifest = tmp_path / "evalkit.yaml"

    result = pull(counted.client, ["support"], manifest_path=manifest)

    assert result.created_manifest
    assert result.warnings == ()
    (pulled,) = result.agents
    assert sorted(pulled.written) == sorted(LIVE_FILES)
    assert (tmp_path / "agents/support/examples/refund/expected.json").read_bytes() == (
        LIVE_FILES["examples/refund/expected.json"]
    )
    text = manifest.read_text()
    for absent in ("createdAt", "latestCommit", "awf_", "stats", "evalkit:"):
        assert absent not in text
    after = plan(load(tmp_path), counted.client)
    assert not after.has_changes
    assert after.orphan_count == 0


def test_pulling_a_synced_agent_leaves_the_record_out(tmp_path: Path, counted: Counted) -> None:
    write_project(
        tmp_path / "origin",
        {"bot": {"config": {"k": 1}, "files": {"AGENT.md": b"x\n"}}},
    )
    apply(plan(load(tmp_path / "origin"), counted.client), counted.client)
    target = tmp_path / "clone"
    pull(counted.client, ["bot"], manifest_path=target / "evalkit.yaml")
    manifest = load(target)
    assert manifest.agents[0].config == {"k": 1}
    assert not plan(manifest, counted.client).has_changes


def test_pull_updates_an_existing_entry_and_keeps_comments(
    tmp_path: Path, counted: Counted
) -> None:
    make_live_agent(counted.client)
    manifest = tmp_path / "evalkit.yaml"
    manifest.write_text(
        "# our agents\n"
        "version: 1\n"
        "agents:\n"
        "  - slug: support  # the ticket bot\n"
        "    name: Old name\n"
        "    tags: [smoke]\n"
        "    workspace: bots/support/\n",
        encoding="utf-8",
    )
    result = pull(counted.client, ["support"], manifest_path=manifest)
    assert not result.created_manifest
    text = manifest.read_text()
    assert text.startswith("# our agents\n")
    assert "# the ticket bot" in text
    assert "name: Support bot" in text
    assert "tags: [smoke]" in text
    assert (tmp_path / "bots/support/AGENT.md").is_file()
    assert (tmp_path / "bots/support/examples/refund/input.json").is_file()
    assert not plan(load(tmp_path), counted.client).has_changes


def test_pull_of_a_missing_agent_says_so(tmp_path: Path, counted: Counted) -> None:
    with pytest.raises(PlanError, match="no agent 'ghost' on the platform"):
        pull(counted.client, ["ghost"], manifest_path=tmp_path / "evalkit.yaml")
    assert not (tmp_path / "evalkit.yaml").exists()


def hostile_platform(request: httpx.Request) -> httpx.Response:
    """A server that lists a path meant to escape the agent's folder (no real one does)."""
    agent: dict[str, Any] = {
        "id": "awf_1",
        "slug": "bot",
        "name": "Bot",
        "createdAt": "2026-01-01T00:00:00.000Z",
        "files": ["../../escape.txt", "ok.md"],
    }
    if request.url.path == "/api/v1/agents/bot" and "path" not in request.url.params:
        return httpx.Response(200, json={"agent": agent})
    path = request.url.params["path"]
    body = {"path": path, "contentBase64": base64.b64encode(b"data").decode()}
    return httpx.Response(200, json=body)


def test_paths_from_the_platform_never_escape_the_folder(tmp_path: Path) -> None:
    with EigenpalClient(
        api_key="eg_test",
        base_url="http://platform.test",
        transport=httpx.MockTransport(hostile_platform),
    ) as client:
        result = pull(client, ["bot"], manifest_path=tmp_path / "project/evalkit.yaml")
    (pulled,) = result.agents
    assert pulled.written == ("ok.md",)
    assert pulled.skipped == (
        ("../../escape.txt", "unsafe path: the path contains a '.' or '..' segment"),
    )
    assert not (tmp_path / "escape.txt").exists()
    assert not list(tmp_path.rglob("escape.txt"))


def test_pull_refuses_an_agent_declared_in_an_included_file(
    tmp_path: Path, counted: Counted
) -> None:
    make_live_agent(counted.client)
    manifest = tmp_path / "evalkit.yaml"
    manifest.write_text("version: 1\ninclude: [support.yaml]\n")
    (tmp_path / "support.yaml").write_text("version: 1\nagents:\n  - slug: support\n")
    before = manifest.read_text()
    with pytest.raises(PlanError) as caught:
        pull(counted.client, ["support"], manifest_path=manifest)
    assert "declared in" in str(caught.value)
    assert "evalkit pull -m" in str(caught.value)
    assert manifest.read_text() == before  # no second entry
    assert not (tmp_path / "agents").exists()  # nothing written


def test_pull_refuses_an_agent_with_inline_examples(tmp_path: Path, counted: Counted) -> None:
    make_live_agent(counted.client)
    manifest = tmp_path / "evalkit.yaml"
    manifest.write_text(
        "version: 1\nagents:\n  - slug: support\n    examples:\n"
        "      - {name: refund, input: {text: x}, expected: {intent: refund}}\n"
    )
    with pytest.raises(PlanError) as caught:
        pull(counted.client, ["support"], manifest_path=manifest)
    assert "inline examples in the manifest (refund)" in str(caught.value)
    assert not (tmp_path / "agents").exists()


@pytest.mark.parametrize(
    ("workspace", "problem"),
    [
        ("../elsewhere/", "is outside the project "),
        ("agents/../../elsewhere/", "is outside the project "),
        ("linked/", "is outside the project "),  # a symbolic link out of the project
        ("/tmp/elsewhere/", "is absolute; write it relative to the manifest"),
        ("agents\\support/", "contains '\\'; write it relative to the manifest"),
    ],
)
def test_pull_writes_only_into_folders_inside_the_project(
    tmp_path: Path, counted: Counted, workspace: str, problem: str
) -> None:
    make_live_agent(counted.client)
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (project / "linked").symlink_to(tmp_path / "elsewhere")
    manifest = project / "evalkit.yaml"
    manifest.write_text(f"version: 1\nagents:\n  - slug: support\n    workspace: '{workspace}'\n")
    before = manifest.read_text()
    with pytest.raises(PlanError) as caught:
        pull(counted.client, ["support"], manifest_path=manifest)
    assert str(caught.value).startswith(
        f"agent 'support': its manifest folder {workspace!r} {problem}"
    )
    assert manifest.read_text() == before
    assert not list((tmp_path / "elsewhere").iterdir())  # nothing written where it leads
