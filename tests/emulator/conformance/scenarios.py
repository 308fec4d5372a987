"""Conformance scenarios over the SDK's call tree, written once for any SDK-shaped client.

A scenario takes a client with the official SDK's surface (``client.agents...``,
``client.workflows...``) and an ``Env`` (the raw HTTP client and the running platform). Answers
are read through ``get``/``plain``/``value`` so that attrs models (the official SDK), pydantic
models (evalkit's client) and plain dicts all work.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

import httpx
from pydantic.alias_generators import to_camel

from evalkit.emulator.server import RunningPlatform

PROGRAM = """
import json, pathlib
inp = json.loads(pathlib.Path("input.json").read_text())
pathlib.Path("output").mkdir()
pathlib.Path("output/summary.txt").write_text("words: " + str(len(str(inp).split())))
pathlib.Path("issues.md").write_text("- none")
pathlib.Path("trace.jsonl").write_text('{"event": "done"}\\n')
json.dump({"seen": sorted(inp)}, open("output.json", "w"))
"""


@dataclass
class Env:
    http: httpx.Client
    live: RunningPlatform


Scenario = Callable[[Any, Env], None]


def value(item: Any) -> Any:
    return item.value if isinstance(item, Enum) else item


def get(obj: Any, name: str) -> Any:
    """A field by its snake_case name, from a model or a camelCase dict."""
    if isinstance(obj, dict):
        return obj[to_camel(name)] if to_camel(name) in obj else obj[name]
    return getattr(obj, name)


def plain(obj: Any) -> Any:
    """The wire dict of a model (attrs ``to_dict`` or pydantic ``to_wire``), or ``obj``."""
    for method in ("to_dict", "to_wire"):
        if hasattr(obj, method):
            return getattr(obj, method)()
    return obj


def make_agent(client: Any, slug: str, config: dict[str, Any]) -> str:
    created = client.agents.create(name=slug.title(), slug=slug, description="d", config=config)
    return str(get(get(created, "agent"), "id"))


def agents_and_workspace(client: Any, env: Env) -> None:
    agent_id = make_agent(client, "conf-agent", {"runtime": {"builtin": "echo"}})
    assert agent_id.startswith("awf_")
    by_slug = get(client.agents.get("conf-agent"), "agent")
    assert get(by_slug, "id") == agent_id
    assert get(by_slug, "description") == "d"
    assert get(by_slug, "latest_commit") is None
    listing = client.agents.list(search="conf", limit=10, offset=0)
    assert get(listing, "total") == 1
    assert [get(a, "slug") for a in get(listing, "data")] == ["conf-agent"]

    put = plain(client.agents.put_file(agent_id, "AGENT.md", content_base64=_b64(b"# Agent")))
    assert put == {"ok": True, "path": "AGENT.md"}
    uploaded = plain(
        client.agents.upload_files(
            agent_id,
            [
                {"path": "examples/first/input.json", "content": "{}"},
                {"path": "data/raw.bin", "contentBase64": _b64(b"\x00\xff")},
            ],
        )
    )
    assert uploaded == {"ok": True, "files": ["examples/first/input.json", "data/raw.bin"]}
    assert plain(client.agents.list_files(agent_id)) == {
        "files": ["AGENT.md", "data/raw.bin", "examples/first/input.json"]
    }
    assert plain(client.agents.list_files(agent_id, prefix="data/")) == {"files": ["data/raw.bin"]}
    one = plain(client.agents.list_files(agent_id, path="data/raw.bin"))
    assert base64.b64decode(one["contentBase64"]) == b"\x00\xff"

    detail = get(client.agents.get(agent_id, include="files,dataset"), "agent")
    assert get(detail, "latest_commit")
    raw = plain(detail)
    assert raw["files"] == ["AGENT.md", "data/raw.bin", "examples/first/input.json"]
    assert raw["dataset"] == {"examples": ["first"], "total": 1}

    updated = get(client.agents.update(agent_id, name="Renamed", config={"k": 1}), "agent")
    assert (get(updated, "name"), plain(get(updated, "config"))) == ("Renamed", {"k": 1})
    assert get(updated, "latest_commit") == get(detail, "latest_commit")


def runs_executions_and_files(client: Any, env: Env) -> None:
    make_agent(client, "conf-echo", {"runtime": {"builtin": "echo"}})
    held = client.agents.run("conf-echo", {"q": "hi"}, wait_for_completion=30)
    assert value(get(held, "status")) == "completed"
    assert plain(get(held, "output")) == {"q": "hi"}
    execution_id = get(held, "execution_id")

    with_file = client.agents.run(
        "conf-echo",
        {"lang": "en", "doc": {"content": b"file body", "filename": "note.txt"}},
        wait_for_completion=30,
    )
    assert value(get(with_file, "status")) == "completed"
    assert plain(get(with_file, "output")) == {"lang": "en"}
    file_run = get(with_file, "execution_id")
    assert client.agents.executions.download_file(file_run, "input", "note.txt") == b"file body"
    assert client.agents.executions.download_file(file_run, "output", "note.txt") == b"file body"

    quick = client.agents.run("conf-echo", {"n": 3})
    assert get(quick, "execution_id").startswith("exec_")

    got = get(client.agents.executions.get(execution_id, include="files"), "execution")
    assert (get(got, "id"), value(get(got, "status"))) == (execution_id, "completed")
    assert plain(got)["inputJson"] == {"q": "hi"}

    listing = client.agents.executions.list(
        "conf-echo", status="completed", sort="createdAt", order="asc", limit=2
    )
    assert get(listing, "total") >= 2
    assert [get(e, "id") for e in get(listing, "executions")][:2] == [execution_id, file_run]


def program_file_kinds(client: Any, env: Env) -> None:
    agent_id = make_agent(client, "conf-program", {})
    client.agents.put_file(agent_id, "main.py", content_base64=_b64(PROGRAM.encode()))
    result = client.agents.run(agent_id, {"alpha": 1, "beta": 2}, wait_for_completion=60)
    assert value(get(result, "status")) == "completed", plain(result)
    assert plain(get(result, "output")) == {"seen": ["alpha", "beta"]}
    execution_id = get(result, "execution_id")
    downloads = client.agents.executions
    assert downloads.download_file(execution_id, "output", "summary.txt").startswith(b"words:")
    assert downloads.download_file(execution_id, "issues", "issues.md") == b"- none"
    assert downloads.download_file(execution_id, "trace", "trace.jsonl") == b'{"event": "done"}\n'


def cancel_and_rerun(client: Any, env: Env) -> None:
    make_agent(client, "conf-slow", {"runtime": {"builtin": "echo", "delayMs": 60_000}})
    started = client.agents.run("conf-slow", {"x": 1})
    cancelled = get(client.agents.executions.cancel(get(started, "execution_id")), "execution")
    assert value(get(cancelled, "status")) == "cancelled"

    make_agent(client, "conf-rerun", {"runtime": {"builtin": "echo"}})
    source = get(
        client.agents.run("conf-rerun", {"again": True}, wait_for_completion=30), "execution_id"
    )
    rerun = client.agents.executions.rerun(source)
    assert get(rerun, "source_execution_id") == source
    assert get(rerun, "execution_id") != source
    assert value(get(rerun, "status")) in {"pending", "running", "completed"}


def feedback_and_expected(client: Any, env: Env) -> None:
    config = {"runtime": {"builtin": "fixed", "output": {"t": 1}, "files": {"r.txt": "R"}}}
    make_agent(client, "conf-review", config)
    execution_id = get(client.agents.run("conf-review", {}, wait_for_completion=30), "execution_id")
    executions = client.agents.executions

    empty = plain(executions.get_feedback(execution_id))
    assert empty == {"feedback": None, "expected": None, "expectedFiles": []}
    detail = executions.update_feedback(
        execution_id, body="close", rating="partial", status="resolved", expected={"t": 2}
    )
    feedback = get(detail, "feedback")
    assert (get(feedback, "body"), value(get(feedback, "rating"))) == ("close", "partial")
    assert value(get(feedback, "status")) == "resolved"
    assert get(feedback, "resolved_at")
    assert plain(get(detail, "expected")) == {"t": 2}
    alt = executions.update_feedback(execution_id, feedback_rating="pass")
    assert value(get(get(alt, "feedback"), "rating")) == "pass"
    found = executions.list("conf-review", feedback_status="resolved", has_expected_json=True)
    assert [get(e, "id") for e in get(found, "executions")] == [execution_id]

    copied = executions.copy_output_to_expected(execution_id, output_file_name="r.txt")
    assert get(copied, "name") == "r.txt"
    uploaded = executions.upload_expected(
        execution_id, file=b"golden", filename="golden.txt", name="dir/golden.txt"
    )
    assert get(uploaded, "name") == "dir/golden.txt"
    listed = plain(executions.list_expected(execution_id))
    assert listed == {
        "expected": {"t": 2},
        "files": [{"name": "dir/golden.txt"}, {"name": "r.txt"}],
    }
    assert executions.download_expected(execution_id, "dir/golden.txt") == b"golden"
    assert (
        get(executions.rename_expected(execution_id, "r.txt", name="out.txt"), "name") == "out.txt"
    )
    assert executions.delete_expected(execution_id, "out.txt") is None
    assert [get(f, "name") for f in get(executions.list_expected(execution_id), "files")] == [
        "dir/golden.txt"
    ]
    cleared = plain(executions.clear_feedback(execution_id))
    assert cleared == {"feedback": None, "expected": None, "expectedFiles": []}


def workflows(client: Any, env: Env) -> None:
    make_agent(client, "wf-echo", {"runtime": {"builtin": "echo"}})
    listing = client.workflows.list(limit=10)
    assert [get(w, "name") for w in get(listing, "data")] == ["conf-flow", "conf-slow-flow"]
    detail = client.workflows.get("conf-flow")
    assert get(detail, "id").startswith("wf_")
    assert "steps:" in get(detail, "yaml_content")
    versions = get(client.workflows.versions("conf-flow"), "data")
    assert [get(v, "version") for v in versions] == ["current", "v1"]

    run = client.workflows.run("conf-flow", {"word": "hi"}, wait_for_completion=30)
    assert value(get(run, "status")) == "completed"
    assert plain(get(run, "result")) == {"agent_saw": {"word": "hi"}}
    status = client.workflows.executions.get(get(run, "execution_id"))
    assert value(get(status, "status")) == "completed"
    runs = get(client.workflows.executions.list("conf-flow", status="completed,failed"), "data")
    assert get(run, "execution_id") in [get(e, "id") for e in runs]
    assert {value(get(e, "status")) for e in runs} <= {"completed", "failed"}

    waited = client.workflows.executions.run_and_wait(
        "conf-flow",
        {"word": "doc", "doc": {"content": b"pdf bytes", "filename": "a.pdf"}},
        poll_interval_seconds=0.05,
        timeout_seconds=60,
    )
    assert value(get(waited, "status")) == "completed"
    assert plain(get(waited, "result")) == {"agent_saw": {"word": "doc"}}
    # The file reached the agent step as a file input: the echo agent handed it back.
    agent_runs = get(client.agents.executions.list("wf-echo", include="files"), "executions")
    newest = plain(agent_runs[0])
    assert newest["inputFiles"] == [{"name": "a.pdf", "size": 9}]

    slow = client.workflows.run("conf-slow-flow", {})
    cancelled = client.workflows.executions.cancel(get(slow, "execution_id"))
    assert value(get(cancelled, "status")) in {"cancelled", "cancellation-requested"}


WORKFLOW_FILES = {
    "conf-flow.yaml": (
        "steps:\n"
        "  - id: agent\n"
        "    agent: wf-echo\n"
        "  - id: wrap\n"
        "    builtin: fixed\n"
        "    output: {agent_saw: '${steps.agent.output}'}\n"
    ),
    "conf-flow@v1.yaml": "steps: [{id: only, builtin: echo}]\n",
    "conf-slow-flow.yaml": "steps: [{id: nap, builtin: sleep, seconds: 60}]\n",
}

SCENARIOS: dict[str, Scenario] = {
    "agents_and_workspace": agents_and_workspace,
    "runs_executions_and_files": runs_executions_and_files,
    "program_file_kinds": program_file_kinds,
    "cancel_and_rerun": cancel_and_rerun,
    "feedback_and_expected": feedback_and_expected,
    "workflows": workflows,
}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
