"""The queue and the worker: crashes stay contained, a runtime error fails only its run."""

from __future__ import annotations

import threading

from evalkit.emulator.queue import ExecutionQueue
from evalkit.emulator.runtime.job import AgentJob, AgentOutcome, NamedBlob

from .conftest import ClientFactory
from .helpers import create_agent, run_and_wait


def test_a_crashing_handler_does_not_kill_the_worker() -> None:
    seen: list[str] = []
    done = threading.Event()

    def handle(execution_id: str) -> None:
        if execution_id == "boom":
            raise RuntimeError("bug")
        seen.append(execution_id)
        done.set()

    queue = ExecutionQueue(workers=1, handle=handle)
    queue.put("boom")
    queue.put("fine")
    assert done.wait(10)
    queue.close()
    assert seen == ["fine"]


def test_a_runner_that_raises_fails_the_execution(make_client: ClientFactory) -> None:
    def broken(job: AgentJob) -> AgentOutcome:
        raise OSError("disk on fire")

    client = make_client(runner=broken)
    create_agent(client, "e")
    result = run_and_wait(client, "e")
    assert result["status"] == "failed"
    assert "disk on fire" in result["error"]


def test_the_job_carries_the_whole_workspace_and_inputs(make_client: ClientFactory) -> None:
    jobs: list[AgentJob] = []

    def record(job: AgentJob) -> AgentOutcome:
        jobs.append(job)
        return AgentOutcome(
            status="completed",
            output={"ok": 1},
            output_files=[NamedBlob("../escape", b"x"), NamedBlob("fine.txt", b"y")],
        )

    client = make_client(runner=record)
    create_agent(client, "e", config={"k": "v"})
    files = [
        {"path": "main.py", "content": "print(1)"},
        {"path": "examples/a/expected.json", "content": "{}"},
    ]
    client.post("/api/v1/agents/e/files", json={"files": files})
    response = client.post(
        "/api/v1/agents/e/run",
        params={"wait_for_completion": 30},
        files={"doc": ("d.txt", b"D", "text/plain")},
        data={"_json": '{"q": 1}'},
    )
    result = response.json()
    assert result["status"] == "completed"
    (job,) = jobs
    assert job.workspace == {"main.py": b"print(1)", "examples/a/expected.json": b"{}"}
    assert job.config == {"k": "v"}
    assert job.input_json == {"q": 1}
    assert [(f.field, f.filename, f.content) for f in job.input_files] == [("doc", "d.txt", b"D")]
    assert job.scratch_root.name == result["executionId"]
    assert not job.scratch_root.exists()  # removed after the run
    listing = client.get(
        f"/api/v1/agents/executions/{result['executionId']}", params={"include": "files"}
    ).json()["execution"]
    assert listing["resultFiles"] == [{"name": "fine.txt", "size": 1}]  # unsafe name dropped
