"""``pull`` against the local platform: pull then plan shows no changes."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from evalkit.client import EigenpalClient
from evalkit.errors import ManifestError, PlanError
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
    assert result.problems == ()
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


def test_pull_refuses_inline_examples_before_their_workspace_exists(
    tmp_path: Path, counted: Counted
) -> None:
    """The workspace the entry names is not written yet, so the manifest does not load as it
    is; the inline examples are refused all the same, before any request or write."""
    make_live_agent(counted.client)
    manifest = tmp_path / "evalkit.yaml"
    manifest.write_text(
        "version: 1\nagents:\n  - slug: support\n    workspace: agents/support/\n"
        "    examples:\n      - {name: zed, input: {text: x}, expected: {intent: refund}}\n"
    )
    before = manifest.read_text()
    counted.transport.reset()
    with pytest.raises(PlanError) as caught:
        pull(counted.client, ["support"], manifest_path=manifest)
    assert str(caught.value).startswith(
        f"{manifest}:6:9: agent 'support' has inline examples in the manifest (zed)"
    )
    assert counted.transport.seen == []
    assert manifest.read_text() == before
    assert sorted(tmp_path.iterdir()) == [manifest]


def test_pull_writes_a_workspace_its_entry_names_before_it_exists(
    tmp_path: Path, counted: Counted
) -> None:
    make_live_agent(counted.client)
    manifest = tmp_path / "evalkit.yaml"
    manifest.write_text("version: 1\nagents:\n  - slug: support\n    workspace: bot/\n")
    result = pull(counted.client, ["support"], manifest_path=manifest)
    assert result.problems == ()
    assert (tmp_path / "bot/examples/refund/input.json").is_file()
    assert not plan(load(tmp_path), counted.client).has_changes


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("version: 1\nagents: [\n", (3, 1), "malformed YAML: "),
        ("version: 1\nversion: 2\nagents: []\n", (2, 1), "duplicate key 'version'"),
        ("version: 1\nagents:\n  - slug: support\n    workspace: 7\n", (4, 16), ""),
        # another agent's folder is not pull's to write: it must exist
        ("version: 1\nagents:\n  - slug: other\n    workspace: gone/\n", (4, 16), "folder"),
    ],
)
def test_a_manifest_that_does_not_load_stops_pull_before_any_request(
    tmp_path: Path, counted: Counted, text: str, where: tuple[int, int], message: str
) -> None:
    make_live_agent(counted.client)
    manifest = tmp_path / "evalkit.yaml"
    manifest.write_text(text)
    counted.transport.reset()
    with pytest.raises(ManifestError) as caught:
        pull(counted.client, ["support"], manifest_path=manifest)
    (found,) = caught.value.problems
    assert (found.mark.line, found.mark.column) == where
    assert found.message.startswith(message)
    assert counted.transport.seen == []
    assert manifest.read_text() == text
    assert sorted(tmp_path.iterdir()) == [manifest]


@pytest.mark.parametrize("text", ["", "\n", "# our agents\n"])
def test_pull_fills_a_blank_manifest(tmp_path: Path, counted: Counted, text: str) -> None:
    make_live_agent(counted.client)
    manifest = tmp_path / "evalkit.yaml"
    manifest.write_text(text)
    result = pull(counted.client, ["support"], manifest_path=manifest)
    assert result.problems == ()
    assert not plan(load(tmp_path), counted.client).has_changes


def test_a_broken_example_from_the_platform_is_a_problem_of_the_pulled_manifest(
    tmp_path: Path, counted: Counted
) -> None:
    """What the platform holds cannot be checked before it is written: pull writes it and
    says where the manifest no longer loads."""
    make_live_agent(counted.client, slug="broken")
    files = {"examples/bad/input.json": b"{", "examples/bad/expected.json": b"{}"}
    counted.client.agents.upload_files(
        "broken",
        [{"path": p, "contentBase64": base64.b64encode(d).decode()} for p, d in files.items()],
    )
    manifest = tmp_path / "evalkit.yaml"

    result = pull(counted.client, ["broken"], manifest_path=manifest)

    assert (tmp_path / "agents/broken/examples/bad/input.json").read_bytes() == b"{"
    (found,) = result.problems
    assert found.mark.file.endswith("agents/broken/examples/bad/input.json")
    assert (found.mark.line, found.mark.column) == (1, 2)


@pytest.mark.parametrize(
    ("workspace", "problem"),
    [
        ("../elsewhere/", "leads outside the project folder "),
        ("agents/../../elsewhere/", "leads outside the project folder "),
        ("linked/", "leads outside the project folder "),  # a symbolic link out of the project
        ("/tmp/elsewhere/", "is absolute"),
        ("agents\\support/", "contains '\\'"),
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
    with pytest.raises(ManifestError) as caught:  # the manifest does not load: as validate says
        pull(counted.client, ["support"], manifest_path=manifest)
    (found,) = caught.value.problems
    assert (found.mark.line, found.mark.column) == (4, 16)
    assert found.message.startswith(f"path {workspace!r} {problem}")
    assert manifest.read_text() == before
    assert not list((tmp_path / "elsewhere").iterdir())  # nothing written where it leads


def test_pull_writes_only_into_the_manifest_folder(tmp_path: Path, counted: Counted) -> None:
    """In a git checkout the manifest may name folders above its own (they are in the project
    for the loader), but pull writes only below the manifest's folder."""
    make_live_agent(counted.client)
    (tmp_path / ".git").mkdir()
    project = tmp_path / "project"
    project.mkdir()
    manifest = project / "evalkit.yaml"
    manifest.write_text("version: 1\nagents:\n  - slug: support\n    workspace: ../elsewhere/\n")
    before = manifest.read_text()
    with pytest.raises(PlanError) as caught:
        pull(counted.client, ["support"], manifest_path=manifest)
    assert str(caught.value).startswith(
        "agent 'support': its manifest folder '../elsewhere/' is outside the project "
    )
    assert manifest.read_text() == before
    assert not (tmp_path / "elsewhere").exists()


def _git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(folder), *args],
        check=True,
        capture_output=True,
        env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", **_COMMITTER},
    )


_COMMITTER = {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}


def _edit_live_agent(client: EigenpalClient) -> None:
    """A change made in the dashboard: AGENT.md and a skill."""
    client.agents.upload_files(
        "support",
        [
            {"path": path, "contentBase64": base64.b64encode(data).decode()}
            for path, data in {
                "AGENT.md": b"# Support bot v2\n",
                "skills/tone.md": b"firm\n",
            }.items()
        ],
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git tells committed files apart")
def test_pull_overwrites_committed_files_and_refuses_to_lose_uncommitted_edits(
    tmp_path: Path, counted: Counted
) -> None:
    make_live_agent(counted.client)
    manifest = tmp_path / "evalkit.yaml"
    pull(counted.client, ["support"], manifest_path=manifest)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "pulled")
    _edit_live_agent(counted.client)
    agent_md, tone = (
        tmp_path / "agents/support/AGENT.md",
        tmp_path / "agents/support/skills/tone.md",
    )
    tone.write_text("my own words\n")  # an edit not committed

    with pytest.raises(PlanError, match=r"overwrite 1 local file\(s\).*skills/tone.md.*--force"):
        pull(counted.client, ["support"], manifest_path=manifest)
    assert agent_md.read_bytes() == LIVE_FILES["AGENT.md"]  # nothing written, committed or not
    assert tone.read_text() == "my own words\n"

    _git(tmp_path, "commit", "-q", "-am", "my words")  # now git can give it back
    (pulled,) = pull(counted.client, ["support"], manifest_path=manifest).agents
    assert sorted(pulled.written) == ["AGENT.md", "skills/tone.md"]
    assert tone.read_text() == "firm\n"


def test_outside_git_a_differing_file_is_overwritten_only_with_force(
    tmp_path: Path, counted: Counted, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))  # no checkout above
    make_live_agent(counted.client)
    manifest = tmp_path / "evalkit.yaml"
    pull(counted.client, ["support"], manifest_path=manifest)
    _edit_live_agent(counted.client)
    with pytest.raises(PlanError, match=r"AGENT\.md, agents/support/skills/tone\.md"):
        pull(counted.client, ["support"], manifest_path=manifest)
    (pulled,) = pull(counted.client, ["support"], manifest_path=manifest, force=True).agents
    assert sorted(pulled.written) == ["AGENT.md", "skills/tone.md"]
    assert not pull(counted.client, ["support"], manifest_path=manifest).agents[0].written


def _project_with_cases(root: Path, examples: str, config: str) -> Path:
    """The live agent's files as a project that keeps its examples in cases/, outside the
    workspace, declared as ``examples`` (the lines under the entry's other keys)."""
    for path, data in LIVE_FILES.items():
        name = path.removeprefix("examples/")
        target = root / ("agents/support" if name == path else "cases") / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    manifest = root / "evalkit.yaml"
    manifest.write_text(
        "version: 1\n"
        "agents:\n"
        "  - slug: support\n"
        '    name: "Support bot"  # quoted\n'
        "    description: Answers tickets\n"
        f"{config}"
        "    workspace: agents/support/\n"
        f"{examples}",
        encoding="utf-8",
    )
    return manifest


FLOW_CONFIG = "    config: {model: m1, triggers: {api: {enabled: true}}}  # as set\n"

EXAMPLE_FORMS = {
    "path": "    examples: cases/\n",
    "folder entry": "    examples:\n      - folder: cases/\n",
    "flow folder entry": "    examples:\n      - {folder: cases/, tags: [refunds]}\n",
}


@pytest.mark.parametrize("examples", EXAMPLE_FORMS.values(), ids=EXAMPLE_FORMS.keys())
def test_pull_writes_examples_into_the_folder_the_entry_names_in_any_form(
    tmp_path: Path, counted: Counted, examples: str
) -> None:
    """Nothing changed on the platform: nothing is written, the manifest stays byte for byte
    (the flow-style config and the quoted name too), and no second copy of the examples."""
    make_live_agent(counted.client)
    manifest = _project_with_cases(tmp_path, examples, FLOW_CONFIG)
    before = manifest.read_bytes()

    result = pull(counted.client, ["support"], manifest_path=manifest)

    assert result.problems == ()
    (pulled,) = result.agents
    assert (pulled.written, pulled.unchanged) == ((), len(LIVE_FILES))
    assert manifest.read_bytes() == before
    assert not (tmp_path / "agents/support/examples").exists()
    assert not plan(load(tmp_path), counted.client).has_changes


def test_pull_keeps_each_example_in_its_folder_and_adds_new_ones_to_the_first(
    tmp_path: Path, counted: Counted
) -> None:
    """Several folders: an example is updated where it is, a new one goes where promote and
    harvest write (the first folder); the manifest never holds an example twice."""
    make_live_agent(counted.client)
    new = {"examples/new/input.json": b'{"text": "hi"}\n', "examples/new/expected.json": b"{}\n"}
    counted.client.agents.upload_files(
        "support",
        [{"path": p, "contentBase64": base64.b64encode(d).decode()} for p, d in new.items()],
    )
    manifest = _project_with_cases(
        tmp_path, "    examples:\n      - folder: first/\n      - folder: cases/\n", FLOW_CONFIG
    )
    for name in ("input.json", "expected.json"):
        (tmp_path / "first/old" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "first/old" / name).write_bytes(b"{}\n")
    (tmp_path / "cases/refund/input.json").write_bytes(b'{"text": "refund now"}\n')
    before = manifest.read_bytes()

    result = pull(counted.client, ["support"], manifest_path=manifest, force=True)

    assert result.problems == ()
    (pulled,) = result.agents
    assert sorted(pulled.written) == sorted([*new, "examples/refund/input.json"])
    assert (tmp_path / "cases/refund/input.json").read_bytes() == (
        LIVE_FILES["examples/refund/input.json"]
    )
    assert (tmp_path / "first/new/input.json").read_bytes() == new["examples/new/input.json"]
    assert not (tmp_path / "cases/new").exists()
    assert not (tmp_path / "first/refund").exists()
    assert not (tmp_path / "agents/support/examples").exists()
    assert manifest.read_bytes() == before
    examples = load(tmp_path).agents[0].examples
    assert sorted(example.name for example in examples) == ["new", "old", "refund"]


@pytest.mark.parametrize("examples", ["    examples: []\n", "    examples:\n"], ids=["[]", "null"])
def test_pull_declares_the_examples_folder_of_an_entry_that_names_none(
    tmp_path: Path, counted: Counted, examples: str
) -> None:
    make_live_agent(counted.client)
    manifest = _project_with_cases(tmp_path, examples, FLOW_CONFIG)
    shutil.rmtree(tmp_path / "cases")

    result = pull(counted.client, ["support"], manifest_path=manifest)

    assert result.problems == ()
    assert manifest.read_text().endswith("    examples: agents/support/examples/\n")
    assert (tmp_path / "agents/support/examples/refund/input.json").is_file()
    assert not plan(load(tmp_path), counted.client).has_changes


@pytest.mark.parametrize(
    ("config", "pulled"),
    [
        (FLOW_CONFIG, "    config: {model: m2, triggers: {api: {enabled: true}}}  # as set\n"),
        (
            "    config:\n      model: m1  # cheap\n      triggers: {api: {enabled: true}}\n",
            "    config:\n      model: m2  # cheap\n      triggers: {api: {enabled: true}}\n",
        ),
    ],
    ids=["flow", "block"],
)
def test_a_config_changed_on_the_platform_keeps_its_style_and_what_did_not_change(
    tmp_path: Path, counted: Counted, config: str, pulled: str
) -> None:
    make_live_agent(counted.client)
    live = {"model": "m2", "triggers": {"api": {"enabled": True}}}
    counted.client.agents.update("support", config=live)
    manifest = _project_with_cases(tmp_path, EXAMPLE_FORMS["path"], config)
    before = manifest.read_text()

    result = pull(counted.client, ["support"], manifest_path=manifest)

    assert result.problems == ()
    assert manifest.read_text() == before.replace(config, pulled)
    assert not plan(load(tmp_path), counted.client).has_changes


def test_a_workspace_file_inside_an_examples_folder_is_not_written_over_an_example(
    tmp_path: Path, counted: Counted
) -> None:
    """A file uploaded in the dashboard at the path of an examples folder in the workspace:
    sync never uploads one (it holds examples), and written it would be written twice."""
    make_live_agent(counted.client)
    stray = "cases/refund/input.json"
    counted.client.agents.upload_files(
        "support", [{"path": stray, "contentBase64": base64.b64encode(b"{}").decode()}]
    )
    manifest = tmp_path / "evalkit.yaml"
    manifest.write_text(
        "version: 1\nagents:\n  - slug: support\n    workspace: bot/\n    examples: bot/cases/\n"
    )

    result = pull(counted.client, ["support"], manifest_path=manifest)

    (pulled,) = result.agents
    assert [path for path, _ in pulled.skipped] == [stray]
    assert "examples folder" in pulled.skipped[0][1]
    assert (tmp_path / "bot/cases/refund/input.json").read_bytes() == (
        LIVE_FILES["examples/refund/input.json"]
    )
    assert result.problems == ()
