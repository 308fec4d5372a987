"""Runs and executions: JSON and multipart runs, holds, cancel, rerun, files, restart (A3, A5)."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from evalkit.emulator.config import PlatformConfig

from ..conftest import ClientFactory
from ..helpers import ECHO, TestClient, create_agent, issue, run_and_wait

PROGRAM = """
import json, pathlib
inp = json.loads(pathlib.Path("input.json").read_text())
pathlib.Path("output").mkdir()
pathlib.Path("output/report.txt").write_text("report for " + str(inp.get("who")))
pathlib.Path("issues.md").write_text("# no issues")
pathlib.Path("trace.jsonl").write_text('{"step": 1}\\n')
print(json.dumps({"echo": inp}))
"""
SLEEPER = "import time\ntime.sleep(120)\n"


def put_program(client: httpx.Client, slug: str, source: str) -> None:
    create_agent(client, slug, config={})
    response = client.put(
        f"/api/v1/agents/{slug}/files", params={"path": "main.py"}, json={"content": source}
    )
    assert response.status_code == 200


def wait_for_status(client: httpx.Client, execution_id: str, wanted: set[str]) -> dict[str, Any]:
    """Poll until the execution reaches one of ``wanted`` (bounded: 300 polls)."""
    for _ in range(300):
        execution: dict[str, Any] = client.get(f"/api/v1/agents/executions/{execution_id}").json()[
            "execution"
        ]
        if execution["status"] in wanted:
            return execution
        time.sleep(0.05)
    raise AssertionError(f"{execution_id} never reached {wanted}: {execution['status']}")


def test_run_without_hold_answers_202_at_once(client: TestClient) -> None:
    create_agent(client, "e")
    response = client.post("/api/v1/agents/e/run", json={"input": {"a": 1}})
    assert response.status_code == 202
    body = response.json()
    assert body["executionId"].startswith("exec_")
    assert set(body) == {"executionId", "status"}
    done = wait_for_status(client, body["executionId"], {"completed"})
    assert done["output"] == {"a": 1}


def test_run_with_hold_returns_the_result(client: TestClient) -> None:
    create_agent(client, "e")
    result = run_and_wait(client, "e", {"input": {"a": [1, 2]}})
    assert result["status"] == "completed"
    assert result["output"] == {"a": [1, 2]}
    assert result["error"] is None
    assert result["schemaValid"] is None
    assert "durationMs" in result["cost"]


def test_run_by_id_as_well_as_slug(client: TestClient) -> None:
    agent = create_agent(client, "e")
    assert run_and_wait(client, agent["id"])["status"] == "completed"


def test_hold_window_running_out_answers_timeout(client: TestClient) -> None:
    create_agent(client, "slow", config={"runtime": {"builtin": "echo", "delayMs": 20000}})
    response = client.post("/api/v1/agents/slow/run", params={"wait_for_completion": 1}, json={})
    assert response.status_code == 202
    assert response.json() == {"executionId": response.json()["executionId"], "status": "timeout"}
    execution_id = response.json()["executionId"]
    cancelled = client.post(f"/api/v1/agents/executions/{execution_id}/cancel")
    assert cancelled.json()["execution"]["status"] == "cancelled"


@pytest.mark.parametrize(
    ("wait", "message"),
    [
        ("-1", "Input should be greater than or equal to 0"),
        ("601", "Input should be less than or equal to 600"),
        ("soon", "Input should be a valid integer, unable to parse string as an integer"),
        ("", "Input should be a valid integer, unable to parse string as an integer"),
    ],
)
def test_hold_window_out_of_range_is_400(client: TestClient, wait: str, message: str) -> None:
    create_agent(client, "e")
    response = client.post("/api/v1/agents/e/run", params={"wait_for_completion": wait}, json={})
    assert response.status_code == 400
    assert issue(response) == {
        "field": "query.wait_for_completion",
        "message": message,
        "code": "invalid_value",
        "severity": "error",
    }
    assert response.json()["requestId"] == response.headers["x-request-id"]


def test_the_last_hold_window_given_counts(client: TestClient) -> None:
    create_agent(client, "e")
    response = client.post("/api/v1/agents/e/run?wait_for_completion=x&wait_for_completion=30")
    assert response.json()["status"] == "completed"


def test_run_body_must_hold_objects(client: TestClient) -> None:
    create_agent(client, "e")
    response = client.post("/api/v1/agents/e/run", json={"input": [1]})
    assert response.status_code == 400
    assert issue(response)["field"] == "body.input"


def test_metadata_labels_the_execution(client: TestClient) -> None:
    create_agent(client, "e")
    meta = {"batchId": "b-1", "exampleName": "first", "extra": True}
    result = run_and_wait(client, "e", {"input": {}, "_metadata": meta})
    execution = client.get(
        f"/api/v1/agents/executions/{result['executionId']}", params={"include": "files"}
    ).json()["execution"]
    assert (execution["batchId"], execution["exampleId"]) == ("b-1", "first")
    assert execution["exampleName"] == "first"
    assert execution["metadata"] == meta


def test_multipart_run_with_files_scalars_and_metadata(client: TestClient) -> None:
    create_agent(client, "e")
    response = client.post(
        "/api/v1/agents/e/run",
        params={"wait_for_completion": 30},
        files={"doc": ("dir/march.pdf", b"%PDF-1", "application/pdf"), "img": ("a.png", b"PNG")},
        data={"_json": json.dumps({"lang": "en"}), "_metadata": json.dumps({"batchId": "mp"})},
    )
    assert response.status_code == 202
    result = response.json()
    assert result["output"] == {"lang": "en"}
    execution_id = result["executionId"]
    execution = client.get(
        f"/api/v1/agents/executions/{execution_id}", params={"include": "files"}
    ).json()["execution"]
    assert execution["batchId"] == "mp"
    assert execution["inputJson"] == {"lang": "en"}
    assert execution["inputFiles"] == [
        {"name": "march.pdf", "size": 6},
        {"name": "a.png", "size": 3},
    ]
    assert execution["resultFiles"] == [
        {"name": "march.pdf", "size": 6},
        {"name": "a.png", "size": 3},
    ]
    download = client.get(f"/api/v1/agents/executions/{execution_id}/files/input/march.pdf")
    assert download.content == b"%PDF-1"
    assert download.headers["content-type"] == "application/octet-stream"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"_json": "[1]"}, "body._json"),
        ({"_json": "{oops"}, "body._json"),
        ({"_metadata": "3"}, "body._metadata"),
        ({"stray": "text"}, "body.stray"),
        ({"_json": '{"doc": 1}'}, "body.doc"),
    ],
)
def test_bad_multipart_runs(client: TestClient, data: dict[str, str], field: str) -> None:
    create_agent(client, "e")
    response = client.post(
        "/api/v1/agents/e/run", files={"doc": ("a.txt", b"x", "text/plain")}, data=data
    )
    assert response.status_code == 400
    assert issue(response)["field"] == field


def test_disabled_api_trigger_is_403(client: TestClient) -> None:
    config = {**ECHO, "triggers": {"api": {"enabled": False}}}
    create_agent(client, "off", config=config)
    response = client.post("/api/v1/agents/off/run", json={})
    assert response.status_code == 403
    assert issue(response)["code"] == "api_trigger_disabled"
    assert client.get("/api/v1/agents/off/executions").json()["total"] == 0


def test_run_on_unknown_agent_is_404(client: TestClient) -> None:
    assert client.post("/api/v1/agents/ghost/run", json={}).status_code == 404


def test_program_files_of_every_kind_download(client: TestClient) -> None:
    put_program(client, "prog", PROGRAM)
    result = run_and_wait(client, "prog", {"input": {"who": "ann"}})
    assert result["status"] == "completed", result
    assert result["output"] == {"echo": {"who": "ann"}}
    execution_id = result["executionId"]
    execution = client.get(
        f"/api/v1/agents/executions/{execution_id}", params={"include": "files"}
    ).json()["execution"]
    assert execution["resultFiles"] == [{"name": "report.txt", "size": 14}]
    assert [f["name"] for f in execution["issueFiles"]] == ["issues.md"]
    assert [f["name"] for f in execution["traceFiles"]] == ["trace.jsonl"]
    base = f"/api/v1/agents/executions/{execution_id}/files"
    assert client.get(f"{base}/output/report.txt").content == b"report for ann"
    assert client.get(f"{base}/issues/issues.md").content == b"# no issues"
    assert client.get(f"{base}/trace/trace.jsonl").content == b'{"step": 1}\n'
    assert client.get(f"{base}/output/missing.txt").status_code == 404
    bad_kind = client.get(f"{base}/secrets/report.txt")
    assert bad_kind.status_code == 400
    assert issue(bad_kind)["field"] == "path.kind"


def test_failing_program_gives_failed_with_error(client: TestClient) -> None:
    put_program(client, "bad", "import sys\nsys.exit('no luck')\n")
    result = run_and_wait(client, "bad")
    assert result["status"] == "failed"
    assert "no luck" in result["error"]


def test_cancel_stops_a_running_program(client: TestClient) -> None:
    put_program(client, "sleepy", SLEEPER)
    execution_id = client.post("/api/v1/agents/sleepy/run", json={}).json()["executionId"]
    wait_for_status(client, execution_id, {"running"})
    response = client.post(f"/api/v1/agents/executions/{execution_id}/cancel")
    assert response.status_code == 200
    execution = response.json()["execution"]
    assert execution["id"] == execution_id
    assert execution["status"] == "cancelled"
    assert execution["completedAt"] is not None


def test_cancel_of_a_queued_run_and_of_a_finished_one(make_client: ClientFactory) -> None:
    client = make_client(workers=1)
    create_agent(client, "slow", config={"runtime": {"builtin": "echo", "delayMs": 20000}})
    first = client.post("/api/v1/agents/slow/run", json={}).json()["executionId"]
    queued = client.post("/api/v1/agents/slow/run", json={}).json()["executionId"]
    answer = client.post(f"/api/v1/agents/executions/{queued}/cancel").json()["execution"]
    assert answer["status"] == "cancelled"
    assert answer["startedAt"] is None
    client.post(f"/api/v1/agents/executions/{first}/cancel")
    again = client.post(f"/api/v1/agents/executions/{queued}/cancel").json()["execution"]
    assert again == answer  # terminal: nothing changes


def test_rerun_uses_the_stored_input_snapshot(client: TestClient) -> None:
    create_agent(client, "e")
    source = client.post(
        "/api/v1/agents/e/run",
        params={"wait_for_completion": 30},
        files={"doc": ("a.txt", b"abc", "text/plain")},
        data={"_json": '{"k": 1}', "_metadata": '{"batchId": "orig"}'},
    ).json()["executionId"]
    response = client.post(f"/api/v1/agents/executions/{source}/rerun")
    assert response.status_code == 202
    body = response.json()
    assert body["sourceExecutionId"] == source
    assert body["executionId"] != source
    assert body["status"] in {"pending", "running", "completed"}
    rerun = wait_for_status(client, body["executionId"], {"completed"})
    assert rerun["output"] == {"k": 1}
    assert rerun["batchId"] == "orig"
    assert rerun["sourceExecutionId"] == source
    downloaded = client.get(f"/api/v1/agents/executions/{body['executionId']}/files/output/a.txt")
    assert downloaded.content == b"abc"


def test_unknown_execution_is_404_everywhere(client: TestClient) -> None:
    for method, path in [
        ("GET", "/api/v1/agents/executions/exec_nope"),
        ("POST", "/api/v1/agents/executions/exec_nope/cancel"),
        ("POST", "/api/v1/agents/executions/exec_nope/rerun"),
        ("GET", "/api/v1/agents/executions/exec_nope/files/output/a"),
    ]:
        response = client.request(method, path)
        assert response.status_code == 404, (method, path)
        assert issue(response)["code"] == "not_found"


def test_get_includes(client: TestClient) -> None:
    create_agent(client, "e")
    execution_id = run_and_wait(client, "e", {"input": {"a": 1}})["executionId"]
    url = f"/api/v1/agents/executions/{execution_id}"
    plain = client.get(url).json()["execution"]
    assert not {"feedback", "expected", "expectedFiles", "inputJson"} & set(plain)
    full = client.get(url, params={"include": "feedback,expected,files"}).json()["execution"]
    assert full["feedback"] is None
    assert full["expected"] is None
    assert full["expectedFiles"] == []
    assert full["inputJson"] == {"a": 1}
    assert client.get(url, params={"include": "everything"}).status_code == 400


def test_state_survives_a_restart(make_client: ClientFactory, config: PlatformConfig) -> None:
    first = make_client(workers=1)
    create_agent(first, "slow", config={"runtime": {"builtin": "echo", "delayMs": 20000}})
    create_agent(first, "e")
    done = run_and_wait(first, "e", {"input": {"kept": True}})["executionId"]
    first.post("/api/v1/agents/slow/run", json={})  # occupies the only worker
    stranded = first.post("/api/v1/agents/e/run", json={}).json()["executionId"]
    first.__exit__(None, None, None)  # stops the platform with one run still queued
    assert config.data_dir is not None
    crashed = config.data_dir / "scratch" / "exec_crashed"
    crashed.mkdir(parents=True)
    (crashed / "input.json").write_text("{}")

    second = make_client(workers=1)
    assert second.get("/api/v1/agents/e").status_code == 200
    kept = second.get(f"/api/v1/agents/executions/{done}").json()["execution"]
    assert (kept["status"], kept["output"]) == ("completed", {"kept": True})
    failed = second.get(f"/api/v1/agents/executions/{stranded}").json()["execution"]
    assert (failed["status"], failed["error"]) == ("failed", "platform restarted")
    assert not crashed.exists()  # a crash's leftovers are cleared at start-up


@pytest.mark.parametrize("name", ["..%2F..%2Fx", "a%2F..%2F..%2Fx", "%2e%2e", "a%2F..", "a%5Cb"])
@pytest.mark.parametrize("kind", ["input", "output", "issues", "trace"])
def test_a_download_name_that_escapes_is_400_naming_it(
    client: TestClient, kind: str, name: str
) -> None:
    # It was a 404, as if the name were merely unknown.
    create_agent(client, "e")
    execution_id = run_and_wait(client, "e")["executionId"]
    response = client.get(f"/api/v1/agents/executions/{execution_id}/files/{kind}/{name}")
    assert response.status_code == 400
    first = issue(response)
    assert first["field"] == "path.filename"
    assert first["code"] == "invalid_value"
