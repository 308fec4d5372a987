from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evalkit.errors import PlanError
from evalkit.sync.plan import (
    Action,
    AgentChange,
    DesiredSnapshot,
    FileChange,
    FileFacts,
    LiveFingerprint,
    Plan,
)
from evalkit.sync.plan_file import (
    RECORD_EXAMPLES_SHOWN,
    AgentRecord,
    check_saved_plan,
    load_plan,
    plan_from_data,
    plan_record,
    plan_to_data,
    record_markdown,
    save_plan,
)
from evalkit.sync.planner import plan as make_plan
from evalkit.sync.render import render_markdown

from .local import Counted
from .plans import realistic_plan
from .project import load, write_project


def test_a_saved_plan_loads_back_equal(tmp_path: Path) -> None:
    plan = realistic_plan(tmp_path)
    target = tmp_path / "plan.json"
    save_plan(plan, target)
    assert load_plan(target) == plan


def test_json_is_versioned_camel_case_with_a_summary(tmp_path: Path) -> None:
    data = plan_to_data(realistic_plan(tmp_path))
    assert data["kind"] == "evalkit-plan"
    assert data["formatVersion"] == 1
    assert data["summary"] == {
        "hasChanges": True,
        "agentsChanging": 2,
        "agentsToCreate": 1,
        "create": 5,
        "update": 5,
        "drift": 1,
        "orphans": 3,
        "acknowledgedOrphans": 2,
        "environmentCopies": 2,
    }
    first = data["agents"][0]
    assert set(first) >= {"slug", "desired", "live", "fields", "config", "files", "orphanFiles"}
    assert first["live"] == {
        "exists": True,
        "latestCommit": "c1",
        "updatedAt": "2026-01-01T00:00:00.000Z",
    }


def test_environment_copies_and_acknowledged_orphans_are_data(tmp_path: Path) -> None:
    data = plan_to_data(realistic_plan(tmp_path))
    assert data["environmentCopies"][0] == {
        "slug": "invoice-extractor-pr-41",
        "name": "Invoice extractor",
        "environment": "pr",
        "copyOf": "invoice-extractor",
        "createdAt": "2025-12-20T09:00:00.000Z",
        "updatedAt": "2025-12-31T21:30:00.000Z",
        "recognisedBy": "record",
    }
    acknowledged = [o for o in data["orphanAgents"] if o["acknowledgedBy"]]
    assert [(o["slug"], o["acknowledgedBy"]) for o in acknowledged] == [("old-demo", "old-*")]


def test_a_plan_saved_before_copies_were_sorted_out_still_loads(tmp_path: Path) -> None:
    data = plan_to_data(realistic_plan(tmp_path))
    del data["environmentCopies"]
    for orphan in data["orphanAgents"]:
        for key in ("acknowledgedBy", "environment", "copyOf"):
            del orphan[key]
    for agent in data["agents"]:
        del agent["desired"]["manifestSlug"]
        for orphan in agent["orphanFiles"]:
            del orphan["acknowledgedBy"]
    target = tmp_path / "old.json"
    target.write_text(json.dumps(data))
    old = load_plan(target)
    assert old.environment_copies == ()
    assert (old.orphan_count, old.acknowledged_count) == (5, 0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", r"plan.json:1:2: not valid JSON"),
        ('{"kind": "other"}', "is not an evalkit plan"),
        ('{"kind": "evalkit-plan", "formatVersion": 99}', "has plan format 99"),
        ('{"kind": "evalkit-plan", "formatVersion": 1, "agents": 3}', "is damaged at"),
    ],
)
def test_bad_plan_files_are_refused_clearly(tmp_path: Path, content: str, message: str) -> None:
    target = tmp_path / "plan.json"
    target.write_text(content)
    with pytest.raises(PlanError, match=message):
        load_plan(target)


def _rename_first_file(agent: dict[str, Any], path: str) -> str:
    agent["files"][0]["path"] = path
    return "files[0].path"


def _rename_a_desired_file(agent: dict[str, Any], path: str) -> str:
    agent["desired"]["files"][path] = agent["desired"]["files"].pop("AGENT.md")
    return "desired.files"


def _rename_an_orphan(agent: dict[str, Any], path: str) -> str:
    agent["orphanFiles"][0]["path"] = path
    return "orphanFiles[0].path"


@pytest.mark.parametrize("edit", [_rename_first_file, _rename_a_desired_file, _rename_an_orphan])
@pytest.mark.parametrize("path", ["../../escape.md", "/etc/passwd", "%2e%2e/x.md", "a\\b.md"])
def test_a_workspace_path_that_is_not_safe_is_refused_where_it_is_written(
    tmp_path: Path, edit: Callable[[dict[str, Any], str], str], path: str
) -> None:
    """A plan file is untrusted: its paths are sent to the platform as they are."""
    data = plan_to_data(realistic_plan(tmp_path))
    at = edit(data["agents"][0], path)
    with pytest.raises(PlanError) as refused:
        plan_from_data(data, where="plan.json")
    message = str(refused.value)
    assert message.startswith(f"plan.json is damaged at agents[0].{at}: {path!r} is not a safe")
    assert message.endswith("(make the plan again with 'evalkit plan --out')")


BOT = {"files": {"AGENT.md": b"# Bot\n", "skills/s.md": b"s\n"}}


@pytest.fixture
def bot_plan(tmp_path: Path, counted: Counted) -> dict[str, Any]:
    """A project with agent ``bot`` in ``tmp_path/project`` and its first plan as JSON data,
    made against the local platform; ``tmp_path/secret.txt`` lies outside the project."""
    write_project(tmp_path / "project", {"bot": BOT})
    (tmp_path / "secret.txt").write_text("s3cr3t\n")
    return plan_to_data(make_plan(load(tmp_path / "project"), counted.client))


def _checked(data: dict[str, Any], root: Path) -> None:
    check_saved_plan(plan_from_data(data, where="p.json"), load(root), where="p.json")


def test_a_saved_plan_as_written_applies_from_the_manifest_s_folder(
    tmp_path: Path, bot_plan: dict[str, Any]
) -> None:
    project = tmp_path / "project"
    bot_plan["baseDir"] = "/somewhere/else"  # the planner's checkout: not read
    saved = plan_from_data(bot_plan)
    checked = check_saved_plan(saved, load(project), where="p.json")
    assert checked.base_dir == str(project.resolve())
    assert [f.source for f in checked.agents[0].files] == [
        "agents/bot/AGENT.md",
        "agents/bot/skills/s.md",
    ]


@pytest.mark.parametrize(
    "source",
    ["{secret}", "../secret.txt", "agents/bot/../../../secret.txt", "link.txt"],
)
def test_a_saved_plan_cannot_upload_a_file_outside_the_project(
    tmp_path: Path, bot_plan: dict[str, Any], source: str
) -> None:
    project, secret = tmp_path / "project", tmp_path / "secret.txt"
    (project / "link.txt").symlink_to(secret)  # inside the project, by its name only
    source = source.format(secret=secret)
    bot_plan["agents"][0]["files"][0]["source"] = source
    with pytest.raises(PlanError) as refused:
        _checked(bot_plan, project)
    assert str(refused.value).startswith(
        f"p.json: agents[0].files[0].source: {source!r} leads outside the project folder "
        f"{project.resolve()}. Nothing was applied: make the plan again with 'evalkit plan --out'"
    )


@pytest.mark.parametrize("source", ["evalkit.yaml", "agents/bot/skills/s.md"])
def test_a_saved_plan_uploads_for_a_path_only_the_file_the_manifest_declares_for_it(
    tmp_path: Path, bot_plan: dict[str, Any], source: str
) -> None:
    bot_plan["agents"][0]["files"][0]["source"] = source
    with pytest.raises(PlanError) as refused:
        _checked(bot_plan, tmp_path / "project")
    assert str(refused.value).startswith("p.json: agents[0].files[0].source: ")
    assert f"{source!r} is not the file the manifest declares for 'AGENT.md' " in str(refused.value)
    assert "('agents/bot/AGENT.md')" in str(refused.value)


def test_a_saved_plan_uploads_only_what_the_manifest_declares(
    tmp_path: Path, bot_plan: dict[str, Any]
) -> None:
    project = tmp_path / "project"
    undeclared = json.loads(json.dumps(bot_plan))
    undeclared["agents"][0]["files"][0]["path"] = "OTHER.md"
    with pytest.raises(
        PlanError,
        match=re.escape("p.json: agents[0].files[0].path: 'OTHER.md' is not a file the manifest"),
    ):
        _checked(undeclared, project)
    other_agent = json.loads(json.dumps(bot_plan))
    other_agent["agents"][0]["slug"] = "ghost"
    with pytest.raises(
        PlanError, match=re.escape("p.json: agents[0]: agent 'ghost' is not in the manifest")
    ):
        _checked(other_agent, project)
    inline = json.loads(json.dumps(bot_plan))
    inline["agents"][0]["files"][0].update(source=None, inlineBase64="aGk=")
    with pytest.raises(
        PlanError, match=re.escape("files[0].source: 'AGENT.md' must come from a local file")
    ):
        _checked(inline, project)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Hijacked"),
        ("description", "not the manifest's"),
        ("config", {"runtime": {"command": ["sh", "-c", "echo pwned"]}}),
        ("files", {"AGENT.md": "0" * 64}),
        ("manifestSlug", "other"),
    ],
)
def test_a_saved_plan_writes_only_the_state_the_manifest_declares(
    tmp_path: Path, bot_plan: dict[str, Any], field: str, value: Any
) -> None:
    """The reviewer reads the plan's listed changes; apply writes its ``desired`` state: an
    edited name or config (the command an agent runs) must not ride along unseen."""
    bot_plan["agents"][0]["desired"][field] = value
    with pytest.raises(PlanError) as refused:
        _checked(bot_plan, tmp_path / "project")
    snake = "manifest_slug" if field == "manifestSlug" else field
    assert str(refused.value).startswith(
        f"p.json: agents[0].desired.{snake}: it is not what the manifest declares for 'bot'"
    )


def test_a_saved_plan_is_refused_once_the_manifest_changed(
    tmp_path: Path, bot_plan: dict[str, Any]
) -> None:
    (tmp_path / "project" / "agents" / "bot" / "AGENT.md").write_bytes(b"# Bot, edited\n")
    with pytest.raises(PlanError, match=re.escape("agents[0].desired.files: it is not what")):
        _checked(bot_plan, tmp_path / "project")


def test_a_saved_plan_s_file_must_be_the_one_declared(
    tmp_path: Path, bot_plan: dict[str, Any]
) -> None:
    bot_plan["agents"][0]["files"][0]["after"]["sha256"] = "0" * 64
    with pytest.raises(
        PlanError, match=re.escape("agents[0].files[0]: 'AGENT.md' is not the file the manifest")
    ):
        _checked(bot_plan, tmp_path / "project")


def test_missing_plan_file(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="cannot read the plan"):
        load_plan(tmp_path / "nope.json")


def test_summary_is_not_trusted_on_load(tmp_path: Path) -> None:
    plan = realistic_plan(tmp_path)
    data = plan_to_data(plan)
    data["summary"]["hasChanges"] = False
    target = tmp_path / "plan.json"
    target.write_text(json.dumps(data))
    assert load_plan(target).has_changes


def test_a_record_of_the_plan_leaves_the_inline_contents_out(tmp_path: Path) -> None:
    """What a run keeps in its summary: the same plan, as rendered, without the bytes of the
    inline examples (only applying a plan needs them)."""
    from evalkit.sync.plan_file import plan_from_data
    from evalkit.sync.render import render_markdown

    plan = realistic_plan(tmp_path)
    inline = plan.agents[1].files[1].model_copy(update={"inline_base64": "eyJ0b3RhbCI6IDMuMn0="})
    files = tuple(inline if n == 1 else f for n, f in enumerate(plan.agents[1].files))
    agents = (plan.agents[0], plan.agents[1].model_copy(update={"files": files}))
    plan = plan.model_copy(update={"agents": agents})

    full, record = plan_to_data(plan), plan_to_data(plan, contents=False)
    assert full["agents"][1]["files"][1]["inlineBase64"] == "eyJ0b3RhbCI6IDMuMn0="
    assert all("inlineBase64" not in f for a in record["agents"] for f in a["files"])
    assert {k: v for k, v in record.items() if k != "agents"} == {
        k: v for k, v in full.items() if k != "agents"
    }
    assert render_markdown(plan_from_data(record)) == render_markdown(plan)


def _first_sync_of(count: int) -> Plan:
    """A plan that creates an agent with ``count`` examples, two files each."""
    files = tuple(
        FileChange(
            path=f"examples/ex{n:05d}/{name}.json",
            action=Action.CREATE,
            after=FileFacts(sha256=f"{n:064x}", size=20),
            example=f"ex{n:05d}",
        )
        for n in range(count)
        for name in ("input", "expected")
    )
    desired = DesiredSnapshot(name="Big", config={}, files={f.path: f.after.sha256 for f in files})
    agent = AgentChange(
        slug="big", desired=desired, live=LiveFingerprint(exists=False), files=files
    )
    return Plan(created_at="2026-03-01T09:00:00Z", base_dir=".", agents=(agent,))


def test_a_runs_record_of_a_plan_is_bounded_by_its_agents_not_its_examples() -> None:
    """Issue 15: a run kept the whole plan of a first sync in its summary (40,000 file
    entries for 20,000 examples), and its report parsed and rendered all of it."""
    plan = _first_sync_of(2000)
    record = plan_record(plan)
    assert record["kind"] == "evalkit-plan-record"
    assert record["agents"] == [{"slug": "big", "newAgent": True, "create": 2000}]
    assert record["summary"] == plan_to_data(plan)["summary"]
    text = record["markdown"]
    assert text.startswith("### evalkit plan\n\n**Plan: 1 agent to create (+2000 to add).**")
    assert "`ex00049`" in text
    assert "`ex00050`" not in text
    assert text.rstrip().endswith(f", and {2000 - RECORD_EXAMPLES_SHOWN} more")
    assert len(json.dumps(record)) < 5000
    assert record_markdown(record) == text


def test_a_record_of_a_small_plan_reads_as_the_whole_plans_markdown(tmp_path: Path) -> None:
    plan = realistic_plan(tmp_path)
    assert record_markdown(plan_record(plan)) == render_markdown(plan)
    small = _first_sync_of(RECORD_EXAMPLES_SHOWN + 1)  # no "and 1 more": the name fits
    assert record_markdown(plan_record(small)) == render_markdown(small)


@pytest.mark.parametrize("examples", [3, 2000])
def test_a_record_kept_agent_by_agent_is_the_whole_plan_s_record(
    tmp_path: Path, examples: int
) -> None:
    """A sync before a run keeps each agent's record, not its planned files; the plan's own
    orphan agents and environment copies stay with the plan."""
    realistic = realistic_plan(tmp_path)
    plan = realistic.model_copy(
        update={"agents": (*realistic.agents, *_first_sync_of(examples).agents)}
    )
    kept = [AgentRecord.of(agent) for agent in plan.agents]
    outline = plan.model_copy(update={"agents": ()})
    assert plan_record(outline, kept) == plan_record(plan)
    assert plan_record(outline, kept)["summary"] == plan_to_data(plan)["summary"]


def test_the_whole_plan_a_run_recorded_before_the_record_still_reads(tmp_path: Path) -> None:
    """Summaries written by earlier evalkit hold ``plan_to_data(plan, contents=False)``."""
    plan = realistic_plan(tmp_path)
    old = json.loads(json.dumps(plan_to_data(plan, contents=False)))
    assert record_markdown(old) == render_markdown(plan)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "evalkit-plan-record", "formatVersion": 9, "markdown": "x"}, "format 9"),
        ({"kind": "evalkit-plan-record", "formatVersion": 1}, "damaged at markdown"),
        ({"kind": "something"}, "is not an evalkit plan"),
    ],
)
def test_a_record_that_cannot_be_read_says_why(data: dict[str, object], message: str) -> None:
    with pytest.raises(PlanError, match=message):
        record_markdown(data, where="the summary's sync_plan")
