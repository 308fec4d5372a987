"""``apply`` against the local platform: isolation, resumption, stale plans, batching."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import httpx
import pytest

from evalkit.client import EigenpalClient
from evalkit.emulator.faults import FaultConfig
from evalkit.errors import PlanError
from evalkit.sync.apply import BATCH_FILES, apply
from evalkit.sync.plan import Plan
from evalkit.sync.plan_file import load_plan, plan_to_data, save_plan
from evalkit.sync.planner import plan

from .local import API_KEY, Counted, LocalPlatform
from .project import load, write_project

TWO = {
    "bot-a": {
        "files": {
            "AGENT.md": b"a\n",
            "examples/x/input.json": b"{}",
            "examples/x/expected.json": b"{}",
        }
    },
    "bot-b": {"files": {"AGENT.md": b"b\n", "skills/s.md": b"s\n"}},
}


def test_one_agent_failing_does_not_stop_the_others_and_a_rerun_converges(
    tmp_path: Path, platform: LocalPlatform
) -> None:
    write_project(tmp_path, TWO)
    platform.start(faults=FaultConfig(error_rate=1.0, path_pattern=r"/agents/bot-b/files$"))
    faulty = platform.client().client

    result = apply(plan(load(tmp_path), faulty), faulty)

    assert result.state == "partly-applied"
    a, b = result.outcomes
    assert (a.slug, a.status) == ("bot-a", "applied")
    assert (b.slug, b.status, b.done) == ("bot-b", "partial", ("created the agent",))
    assert b.error is not None
    assert re.search(r"HTTP 50\d \(POST /api/v1/agents/bot-b/files", b.error)

    platform.start()  # the same data, no faults
    healthy = platform.client()
    rerun = plan(load(tmp_path), healthy.client)
    assert [x.slug for x in rerun.agents if x.has_changes] == ["bot-b"]
    assert apply(rerun, healthy.client).state == "converged"

    healthy.transport.reset()
    settled = plan(load(tmp_path), healthy.client)
    assert not settled.has_changes
    assert apply(settled, healthy.client).writes == 0
    assert healthy.transport.writes == []


def test_nothing_applied_when_every_agent_fails(tmp_path: Path, platform: LocalPlatform) -> None:
    write_project(tmp_path, TWO)
    platform.start(faults=FaultConfig(error_rate=1.0, path_pattern=r"^/api/v1/agents$"))
    faulty = platform.client().client
    result = apply(plan(load(tmp_path), faulty, only=["bot-a", "bot-b"]), faulty)
    assert result.state == "nothing-applied"
    assert [o.status for o in result.outcomes] == ["failed", "failed"]


def saved(tmp_path: Path, made: Plan) -> Plan:
    target = tmp_path / "plan.json"
    save_plan(made, target)
    return load_plan(target)


def test_saved_plan_is_refused_when_the_platform_moved(tmp_path: Path, counted: Counted) -> None:
    write_project(tmp_path, TWO)
    apply(plan(load(tmp_path), counted.client), counted.client)
    (tmp_path / "agents/bot-a/AGENT.md").write_bytes(b"a2\n")
    stale = saved(tmp_path, plan(load(tmp_path), counted.client))
    counted.client.agents.put_file("bot-b", "skills/s.md", content="edited by hand\n")
    counted.transport.reset()

    with pytest.raises(PlanError, match=r"bot-b: workspace files changed") as caught:
        apply(stale, counted.client)
    assert "nothing was applied" in str(caught.value)
    assert counted.transport.writes == []


def test_saved_plan_is_refused_when_someone_created_the_agent(
    tmp_path: Path, counted: Counted
) -> None:
    write_project(tmp_path, TWO)
    stale = saved(tmp_path, plan(load(tmp_path), counted.client))
    counted.client.agents.create(name="B", slug="bot-b")
    with pytest.raises(PlanError, match="bot-b: was created by someone else"):
        apply(stale, counted.client)


def test_saved_plan_is_refused_when_a_local_file_changed(tmp_path: Path, counted: Counted) -> None:
    write_project(tmp_path, TWO)
    made = saved(tmp_path, plan(load(tmp_path), counted.client))
    (tmp_path / "agents/bot-b/skills/s.md").write_bytes(b"changed after planning\n")
    with pytest.raises(PlanError, match="local files changed after the plan was made"):
        apply(made, counted.client)
    assert counted.client.agents.list().total == 0


def test_fresh_saved_plan_applies(tmp_path: Path, counted: Counted) -> None:
    write_project(tmp_path, TWO)
    made = saved(tmp_path, plan(load(tmp_path), counted.client))
    assert apply(made, counted.client).state == "converged"
    assert not plan(load(tmp_path), counted.client).has_changes


def test_config_keys_the_manifest_never_set_survive_a_sync(
    tmp_path: Path, counted: Counted
) -> None:
    counted.client.agents.create(name="Bot", slug="bot", config={"owner": "ops", "model": "old"})
    write_project(tmp_path, {"bot": {"name": "Bot", "config": {"model": "new"}, "files": {}}})
    (agent,) = plan(load(tmp_path), counted.client).agents
    assert [(c.pointer, c.before, c.after) for c in agent.config] == [("/model", "old", "new")]
    apply(plan(load(tmp_path), counted.client), counted.client)
    config = counted.client.agents.get("bot").agent.config or {}
    assert (config["owner"], config["model"]) == ("ops", "new")


def test_many_files_go_up_in_bounded_batches(tmp_path: Path, counted: Counted) -> None:
    count = BATCH_FILES + 20
    files = {f"data/{i:03d}.txt": f"{i}\n".encode() for i in range(count)}
    write_project(tmp_path, {"bot": {"files": files}})
    result = apply(plan(load(tmp_path), counted.client), counted.client)
    # one line for both batches, the writes counted one per request
    assert result.outcomes[0].done[1] == "uploaded 120 files"
    assert result.outcomes[0].writes == 4  # create, two uploads, the record
    uploads = [w for w in counted.transport.writes if w == ("POST", "/api/v1/agents/bot/files")]
    assert len(uploads) == 2
    assert len(counted.client.agents.get("bot", include="files").agent.files or []) == count


def test_inline_examples_travel_inside_a_saved_plan(tmp_path: Path, counted: Counted) -> None:
    (tmp_path / "evalkit.yaml").write_text(
        "version: 1\n"
        "agents:\n"
        "  - slug: bot\n"
        "    examples:\n"
        "      - name: case-1\n"
        "        input: {q: 2}\n"
        "        expected: {a: 4}\n",
        encoding="utf-8",
    )
    made = saved(tmp_path, plan(load(tmp_path), counted.client))
    inline = [f for f in made.agents[0].files if f.inline_base64 is not None]
    assert [f.path for f in inline] == [
        "examples/case-1/expected.json",
        "examples/case-1/input.json",
    ]
    assert apply(made, counted.client).state == "converged"
    answer = counted.client.agents.list_files("bot", path="examples/case-1/expected.json")
    assert json.loads(base64.b64decode(answer.content_base64)) == {"a": 4}  # type: ignore[union-attr]
    assert not plan(load(tmp_path), counted.client).has_changes


def test_a_plan_made_here_holds_no_inline_bytes_and_makes_them_to_apply(
    tmp_path: Path, counted: Counted
) -> None:
    # 20,000 inline examples: their bytes were kept twice (raw and base64) in the run's plan
    (tmp_path / "evalkit.yaml").write_text(
        "version: 1\n"
        "agents:\n"
        "  - slug: bot\n"
        "    examples:\n"
        "      - name: case-1\n"
        "        input: {q: 2}\n"
        "        expected: {a: 4}\n",
        encoding="utf-8",
    )
    made = plan(load(tmp_path), counted.client)
    files = made.agents[0].files
    assert [f.inline_base64 for f in files] == [None, None]
    assert [f.inline_content() for f in files] == [b'{\n  "a": 4\n}\n', b'{\n  "q": 2\n}\n']
    written = plan_to_data(made)["agents"][0]["files"]
    assert [base64.b64decode(f["inlineBase64"]) for f in written] == [
        f.inline_content() for f in files
    ]
    assert apply(made, counted.client).state == "converged"
    answer = counted.client.agents.list_files("bot", path="examples/case-1/input.json")
    assert json.loads(base64.b64decode(answer.content_base64)) == {"q": 2}  # type: ignore[union-attr]
    # what makes the bytes is a slot of the change, not a pydantic private dict per change
    # (40,000 of them in a first sync of 20,000 inline examples); copies keep it
    assert all(f.__pydantic_private__ is None for f in files)
    moved = files[0].model_copy(update={"text_diff": None})
    assert moved.inline_content() == files[0].inline_content()


class LosesPatches(httpx.BaseTransport):
    """Real HTTP, except that the connection drops on one agent's PATCH (the record write)."""

    def __init__(self, slug: str) -> None:
        self.inner = httpx.HTTPTransport()
        self.path = f"/api/v1/agents/{slug}"

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH" and request.url.path == self.path:
            raise httpx.ConnectError("connection reset", request=request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def test_a_lost_record_write_is_finished_by_the_next_sync(
    tmp_path: Path, platform: LocalPlatform, counted: Counted
) -> None:
    write_project(tmp_path, TWO)
    with EigenpalClient(
        api_key=API_KEY, base_url=platform.base_url, max_retries=0, transport=LosesPatches("bot-b")
    ) as flaky:
        result = apply(plan(load(tmp_path), flaky), flaky)
    outcomes = {o.slug: o for o in result.outcomes}
    assert outcomes["bot-b"].status == "partial"
    assert outcomes["bot-b"].done == ("created the agent", "uploaded 2 files")

    (_, b) = plan(load(tmp_path), counted.client).agents
    assert not b.has_changes  # the files are there; only the record is missing
    assert b.refresh_record
    assert apply(plan(load(tmp_path), counted.client), counted.client).state == "converged"
    counted.transport.reset()
    assert apply(plan(load(tmp_path), counted.client), counted.client).writes == 0
    assert counted.transport.writes == []
