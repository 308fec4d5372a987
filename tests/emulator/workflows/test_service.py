"""The workflow API over HTTP: the router in a minimal app, agent steps on a fake invoker."""

from __future__ import annotations

import json
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evalkit.emulator.workflows.catalog import version_id, workflow_id

from .conftest import Platform, PlatformFactory, write

API = "/api/v1/workflows"

SUMMARY = textwrap.dedent(
    """
    steps:
      - id: extract
        agent: echo
        input:
          currency: "${input.currency}"
          invoice: "${input.invoice}"
      - id: summary
        builtin: fixed
        output:
          text: "Extracted ${steps.extract.output.input.currency} from ${input.invoice}"
          files: "${steps.extract.output.files}"
"""
)


def run(platform: Platform, name: str, body: Any = None, **params: Any) -> dict[str, Any]:
    response = platform.client.post(f"{API}/{name}/run", json=body, params=params)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def get_execution(platform: Platform, execution_id: str, steps: bool = False) -> dict[str, Any]:
    params = {"includeSteps": "true"} if steps else {}
    response = platform.client.get(f"{API}/executions/{execution_id}", params=params)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    issue: dict[str, Any] = response.json()["issues"][0]
    return issue


def test_list_get_and_versions(platform: PlatformFactory, definitions: Path) -> None:
    write(definitions, "summary.yaml", "version: v3\n" + SUMMARY)
    write(definitions, "summary@v1.yaml", "steps: [{id: a, builtin: echo}]\n")
    write(definitions, "summary@v2.yaml", "steps: [{id: b, builtin: echo}]\n")
    write(definitions, "nightly-block.yml", "kind: block\nsteps: [{id: a, builtin: echo}]\n")
    p = platform()
    listing = p.client.get(API).json()
    assert listing["total"] == 2
    assert [w["name"] for w in listing["data"]] == ["nightly-block", "summary"]
    summary = next(w for w in listing["data"] if w["name"] == "summary")
    assert summary["id"] == workflow_id("summary")
    assert summary["id"].startswith("wf_")
    assert summary["version"] == "v3"
    assert summary["createdAt"].endswith("Z")
    assert p.client.get(API, params={"kind": "block"}).json()["data"][0]["name"] == "nightly-block"
    assert p.client.get(API, params={"name": "summ"}).json()["total"] == 0
    assert p.client.get(API, params={"search": "SUMM"}).json()["total"] == 1
    assert (
        p.client.get(API, params={"limit": 1, "offset": 1}).json()["data"][0]["name"] == "summary"
    )

    by_name = p.client.get(f"{API}/summary").json()
    by_id = p.client.get(f"{API}/{summary['id']}").json()
    assert by_name == by_id
    assert by_name["yamlContent"] == (definitions / "summary.yaml").read_text()

    versions = p.client.get(f"{API}/summary/versions").json()
    assert versions["total"] == 3
    assert [v["version"] for v in versions["data"]] == ["v3", "v2", "v1"]
    assert [v["isCurrent"] for v in versions["data"]] == [True, False, False]
    assert all(
        v["id"].startswith("wfh_") and v["workflowId"] == summary["id"] for v in versions["data"]
    )
    text = (definitions / "summary@v1.yaml").read_text()
    assert versions["data"][2]["id"] == version_id("summary", "v1", text)
    assert versions["data"][2]["yamlContent"] == text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"offset": -1}, "offset"),
        ({"limit": "x"}, "limit"),
        ({"kind": "other"}, "kind"),
    ],
)
def test_bad_list_queries_are_400(
    platform: PlatformFactory, params: dict[str, Any], field: str
) -> None:
    issue = problem(platform().client.get(API, params=params), 400)
    assert issue["field"] == field
    assert issue["code"] == "invalid_value"


def test_unknown_workflow_is_404(platform: PlatformFactory) -> None:
    p = platform()
    for path in ("/nope", "/nope/versions", "/nope/executions"):
        assert problem(p.client.get(API + path), 404)["code"] == "not_found"
    assert problem(p.client.post(f"{API}/nope/run", json={}), 404)["code"] == "not_found"
    assert problem(p.client.get(f"{API}/executions/exec_missing"), 404)["code"] == "not_found"


def test_run_agent_then_builtin_with_a_file_input(
    platform: PlatformFactory, definitions: Path
) -> None:
    write(definitions, "summary.yaml", SUMMARY)
    p = platform()
    response = p.client.post(
        f"{API}/summary/run",
        params={"wait_for_completion": 30},
        data={"_json": json.dumps({"input": {"currency": "EUR"}, "trigger": "cli"})},
        files={"invoice": ("march.pdf", b"%PDF", "application/pdf")},
    )
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["status"] == "completed"
    assert answer["executionId"].startswith("exec_")
    assert answer["result"] == {
        "text": "Extracted EUR from march.pdf",
        "files": {"invoice": ["march.pdf", "%PDF", "application/pdf"]},
    }
    (call,) = p.invoker.calls
    assert call.agent == "echo"
    assert call.input_json == {"currency": "EUR"}
    assert [(f.field, f.filename) for f in call.files] == [("invoice", "march.pdf")]

    detail = get_execution(p, answer["executionId"], steps=True)
    assert detail["status"] == "completed"
    assert detail["completedAt"].endswith("Z")
    assert [(s["id"], s["kind"], s["status"]) for s in detail["steps"]] == [
        ("extract", "agent", "completed"),
        ("summary", "builtin", "completed"),
    ]
    assert detail["steps"][0]["executionId"] == "exec_fake_1"
    assert detail["steps"][0]["agent"] == "echo"
    assert detail["steps"][1]["output"] == answer["result"]
    assert all(isinstance(s["durationMs"], int) for s in detail["steps"])
    plain = get_execution(p, answer["executionId"])
    assert "steps" not in plain
    assert set(plain) == {"executionId", "status", "createdAt", "completedAt", "result"}

    (row,) = p.client.get(f"{API}/summary/executions").json()["data"]
    assert row["triggerType"] == "cli"
    assert row["triggerInput"] == {
        "currency": "EUR",
        "invoice": {"filename": "march.pdf", "contentType": "application/pdf", "size": 4},
    }
    assert row["workflow"] == {"id": workflow_id("summary"), "name": "summary"}
    assert row["result"] == answer["result"]


def test_json_run_without_wait_then_poll(platform: PlatformFactory, definitions: Path) -> None:
    write(definitions, "hello.yaml", "steps: [{id: a, builtin: echo}]\n")
    p = platform()
    answer = run(p, "hello", {"input": {"x": 1}})
    assert answer["status"] in ("pending", "running", "completed")
    final = run(p, "hello", {"input": {"x": 2}}, wait_for_completion=30)
    assert final == {"executionId": final["executionId"], "status": "completed", "result": {"x": 2}}


def test_failed_step_fails_the_workflow_and_skips_the_rest(
    platform: PlatformFactory, definitions: Path
) -> None:
    write(
        definitions,
        "flow.yaml",
        "steps: [{id: a, agent: broken}, {id: b, builtin: echo}]\n",
    )
    p = platform()
    answer = run(p, "flow", {}, wait_for_completion=30)
    assert answer["status"] == "failed"
    assert answer["error"] == "step 'a' failed: agent 'broken': exit code 2"
    assert "result" not in answer
    steps = get_execution(p, answer["executionId"], steps=True)["steps"]
    assert [s["status"] for s in steps] == ["failed", "skipped"]
    assert steps[0]["error"] == "agent 'broken': exit code 2"


def test_unknown_agent_and_fail_builtin_give_clear_errors(
    platform: PlatformFactory, definitions: Path
) -> None:
    write(definitions, "ghost.yaml", "steps: [{id: a, agent: ghost}]\n")
    write(definitions, "boom.yaml", "steps: [{id: a, builtin: fail, error: 'bad ${input.why}'}]\n")
    p = platform()
    assert run(p, "ghost", {}, wait_for_completion=30)["error"] == (
        "step 'a' failed: agent 'ghost': agent 'ghost' not found"
    )
    boom = run(p, "boom", {"input": {"why": "luck"}}, wait_for_completion=30)
    assert boom["error"] == "step 'a' failed: bad luck"


def test_missing_input_fails_the_step_naming_the_expression(
    platform: PlatformFactory, definitions: Path
) -> None:
    write(definitions, "needs.yaml", "steps: [{id: a, builtin: echo, input: {v: '${input.v}'}}]\n")
    answer = run(platform(), "needs", {}, wait_for_completion=30)
    assert answer["status"] == "failed"
    assert answer["error"] == "step 'a' failed: ${input.v}: input has no 'v'"


def test_override_replaces_a_step_and_skips_it(
    platform: PlatformFactory, definitions: Path
) -> None:
    write(definitions, "summary.yaml", SUMMARY)
    p = platform()
    body = {
        "input": {"currency": "USD", "invoice": "inv.pdf"},
        "overrides": {"steps": {"extract": {"input": {"currency": "GBP"}, "files": {}}}},
    }
    answer = run(p, "summary", body, wait_for_completion=30)
    assert answer["result"] == {"text": "Extracted GBP from inv.pdf", "files": {}}
    assert p.invoker.calls == []
    steps = get_execution(p, answer["executionId"], steps=True)["steps"]
    assert (steps[0]["status"], steps[0]["overridden"]) == ("skipped", True)


def test_override_of_an_unknown_step_is_400(platform: PlatformFactory, definitions: Path) -> None:
    write(definitions, "summary.yaml", SUMMARY)
    response = platform().client.post(
        f"{API}/summary/run", json={"overrides": {"steps": {"nope": {}}}}
    )
    issue = problem(response, 400)
    assert issue["field"] == "overrides.steps.nope"
    assert "has no step 'nope'" in issue["message"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"params": {"wait_for_completion": 61}}, "wait_for_completion"),
        ({"params": {"wait_for_completion": -1}}, "wait_for_completion"),
        ({"params": {"wait_for_completion": "soon"}}, "wait_for_completion"),
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, "<body>"),
        ({"json": [1, 2]}, "<body>"),
        ({"json": {"input": "x"}}, "input"),
        ({"json": {"trigger": "cron"}}, "trigger"),
        ({"data": {"_json": "[]"}, "files": {"f": ("a.txt", b"x")}}, "_json"),
        ({"data": {"other": "x"}, "files": {"f": ("a.txt", b"x")}}, "other"),
        (
            {"data": {"_json": '{"input": {"f": 1}}'}, "files": {"f": ("a.txt", b"x")}},
            "input.f",
        ),
    ],
)
def test_bad_run_requests_are_400(
    platform: PlatformFactory, definitions: Path, kwargs: dict[str, Any], field: str
) -> None:
    write(definitions, "hello.yaml", "steps: [{id: a, builtin: echo}]\n")
    p = platform()
    issue = problem(p.client.post(f"{API}/hello/run", **kwargs), 400)
    assert issue["field"] == field
    assert p.client.get(f"{API}/hello/executions").json()["total"] == 0


def test_run_a_chosen_version(platform: PlatformFactory, definitions: Path) -> None:
    write(definitions, "flow.yaml", "steps: [{id: a, builtin: fixed, output: new}]\n")
    write(definitions, "flow@v1.yaml", "steps: [{id: a, builtin: fixed, output: old}]\n")
    p = platform()
    versions = p.client.get(f"{API}/flow/versions").json()["data"]
    old_id = versions[1]["id"]
    assert run(p, "flow", {}, wait_for_completion=30, version=old_id)["result"] == "old"
    assert run(p, "flow", {}, wait_for_completion=30, version="v1")["result"] == "old"
    assert run(p, "flow", {}, wait_for_completion=30, version="latest")["result"] == "new"
    missing = problem(p.client.post(f"{API}/flow/run", json={}, params={"version": "wfh_x"}), 404)
    assert missing["field"] == "version"
    detail = get_execution(
        p, run(p, "flow", {}, wait_for_completion=30, version="v1")["executionId"], steps=True
    )
    assert (detail["versionId"], detail["version"]) == (old_id, "v1")


def test_hold_window_ends_with_the_current_status(
    platform: PlatformFactory, definitions: Path
) -> None:
    write(definitions, "slow.yaml", "steps: [{id: a, agent: blocking}]\n")
    p = platform()
    answer = run(p, "slow", {}, wait_for_completion=1)
    assert answer["status"] == "running"
    assert "result" not in answer
    p.invoker.release.set()
    final = run(p, "slow", {}, wait_for_completion=30)
    assert final["status"] == "completed"
    assert final["result"] == {"released": True}


def test_cancel_running_then_terminal(platform: PlatformFactory, definitions: Path) -> None:
    write(definitions, "slow.yaml", "steps: [{id: a, agent: blocking}, {id: b, builtin: echo}]\n")
    p = platform()
    execution_id = run(p, "slow", {})["executionId"]
    assert p.invoker.entered.wait(30)
    first = p.client.post(f"{API}/executions/{execution_id}/cancel").json()
    assert first == {
        "executionId": execution_id,
        "status": "cancellation-requested",
        "wasStatus": "running",
    }
    final = _wait_terminal(p, execution_id)
    assert final["status"] == "cancelled"
    assert "result" not in final
    steps = get_execution(p, execution_id, steps=True)["steps"]
    assert [s["status"] for s in steps] == ["cancelled", "skipped"]
    again = p.client.post(f"{API}/executions/{execution_id}/cancel").json()
    assert again == {
        "executionId": execution_id,
        "status": "already-terminal",
        "wasStatus": "cancelled",
    }


def test_cancel_pending_is_immediate(platform: PlatformFactory, definitions: Path) -> None:
    write(definitions, "slow.yaml", "steps: [{id: a, agent: blocking}]\n")
    write(definitions, "quick.yaml", "steps: [{id: a, builtin: echo}]\n")
    p = platform(workers=1)
    run(p, "slow", {})  # occupies the only worker
    assert p.invoker.entered.wait(30)
    queued = run(p, "quick", {})["executionId"]
    answer = p.client.post(f"{API}/executions/{queued}/cancel").json()
    assert answer == {"executionId": queued, "status": "cancelled", "wasStatus": "pending"}
    p.invoker.release.set()
    assert get_execution(p, queued)["status"] == "cancelled"


def test_sleep_step_honours_cancel(platform: PlatformFactory, definitions: Path) -> None:
    write(definitions, "nap.yaml", "steps: [{id: a, builtin: sleep, seconds: 3600}]\n")
    p = platform()
    execution_id = run(p, "nap", {})["executionId"]
    _wait_status(p, execution_id, "running")
    answer = p.client.post(f"{API}/executions/{execution_id}/cancel").json()
    assert answer["status"] == "cancellation-requested"
    assert _wait_terminal(p, execution_id)["status"] == "cancelled"


def test_execution_filters(platform: PlatformFactory, definitions: Path) -> None:
    write(definitions, "flow.yaml", "steps: [{id: a, builtin: echo}]\n")
    write(definitions, "bad.yaml", "steps: [{id: a, builtin: fail}]\n")
    p = platform()
    ok = run(
        p, "flow", {"input": {}, "_metadata": {"exampleName": "march"}}, wait_for_completion=30
    )
    run(p, "flow", {"input": {"n": 2}}, wait_for_completion=30)
    run(p, "bad", {}, wait_for_completion=30)

    def listing(**params: Any) -> dict[str, Any]:
        response = p.client.get(f"{API}/flow/executions", params=params)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    everything = listing()
    assert everything["total"] == 2
    assert everything["data"][-1]["id"] == ok["executionId"]  # newest first
    assert listing(exampleId="march")["data"][0]["id"] == ok["executionId"]
    assert listing(status="failed,cancelled")["total"] == 0
    assert listing(status="completed")["total"] == 2
    assert listing(fromDate="now()-1h")["total"] == 2
    assert listing(fromDate="now()+1d")["total"] == 0
    assert listing(toDate="2000-01-01T00:00:00Z")["total"] == 0
    assert listing(limit=1, offset=1)["data"][0]["id"] == ok["executionId"]
    bad_list = p.client.get(f"{API}/bad/executions").json()
    assert (
        bad_list["data"][0]["error"] == "step 'a' failed: the 'fail' builtin step failed on purpose"
    )
    for params, field in (
        ({"status": "done"}, "status"),
        ({"fromDate": "yesterday"}, "fromDate"),
        ({"toDate": "now()-7x"}, "toDate"),
    ):
        assert problem(p.client.get(f"{API}/flow/executions", params=params), 400)["field"] == field
    steps_query = p.client.get(
        f"{API}/executions/{ok['executionId']}", params={"includeSteps": "1"}
    )
    assert problem(steps_query, 400)["field"] == "includeSteps"


def test_state_survives_a_restart(
    platform: PlatformFactory, definitions: Path, tmp_path: Path
) -> None:
    write(definitions, "flow.yaml", "steps: [{id: a, builtin: echo}]\n")
    write(definitions, "slow.yaml", "steps: [{id: a, builtin: sleep, seconds: 3600}]\n")
    first = platform()
    done = run(first, "flow", {"input": {"k": "v"}}, wait_for_completion=30)
    created = first.client.get(f"{API}/flow").json()["createdAt"]
    interrupted = run(first, "slow", {})["executionId"]
    _wait_status(first, interrupted, "running")
    first.service.close()

    second = platform()
    assert get_execution(second, done["executionId"])["result"] == {"k": "v"}
    assert second.client.get(f"{API}/flow").json()["createdAt"] == created
    # close() cancelled the sleeping run; it is terminal after the restart.
    assert get_execution(second, interrupted)["status"] == "cancelled"
    assert (tmp_path / "state" / "workflows.sqlite").exists()


def test_no_definitions_folder_means_no_workflows(platform: PlatformFactory) -> None:
    p = platform(definitions_dir=None)
    assert p.client.get(API).json() == {"data": [], "total": 0, "limit": 50, "offset": 0}


def _wait_status(p: Platform, execution_id: str, wanted: str) -> dict[str, Any]:
    """Poll (bounded) until the execution reaches ``wanted``; the engine runs on real threads."""
    return _wait_for(p, execution_id, lambda status: status == wanted)


def _wait_terminal(p: Platform, execution_id: str) -> dict[str, Any]:
    return _wait_for(p, execution_id, lambda status: status in ("completed", "failed", "cancelled"))


def _wait_for(p: Platform, execution_id: str, done: Callable[[str], bool]) -> dict[str, Any]:
    pause = threading.Event()
    for _ in range(3000):
        current = get_execution(p, execution_id)
        if done(current["status"]):
            return current
        pause.wait(0.01)
    raise AssertionError(f"{execution_id} did not get there: {current}")
