"""The queue and the worker: crashes stay contained, a runtime error fails only its run, each
commit's workspace is materialised once, and the pool runs as many at once as configured."""

from __future__ import annotations

import stat
import threading
import time

import pytest

from evalkit.emulator.config import DEFAULT_WORKERS, MAX_WORKERS, PlatformConfig
from evalkit.emulator.platform import Platform
from evalkit.emulator.queue import ExecutionQueue
from evalkit.emulator.runtime.job import AgentJob, AgentOutcome, NamedBlob

from .conftest import ClientFactory
from .helpers import TestClient, create_agent, run_and_wait


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


def test_the_job_carries_the_visible_workspace_and_inputs(make_client: ClientFactory) -> None:
    jobs: list[AgentJob] = []
    seen: dict[str, bytes | None] = {}

    scratch_existed: list[bool] = []

    def record(job: AgentJob) -> AgentOutcome:
        jobs.append(job)
        scratch_existed.append(job.scratch_root.is_dir())
        seen.update({path: job.agent_files.get(path) for path in job.agent_files.paths()})
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
    assert seen == {"main.py": b"print(1)"}  # never the examples
    assert job.config == {"k": "v"}
    assert job.input_json == {"q": 1}
    assert [(f.field, f.filename, f.content) for f in job.input_files] == [("doc", "d.txt", b"D")]
    assert job.scratch_root.name == result["executionId"]
    assert scratch_existed == [True]  # a custom runner is given its folder
    assert not job.scratch_root.exists()  # removed after the run
    listing = client.get(
        f"/api/v1/agents/executions/{result['executionId']}", params={"include": "files"}
    ).json()["execution"]
    assert listing["resultFiles"] == [{"name": "fine.txt", "size": 1}]  # unsafe name dropped


# -- the workspace an execution sees: materialised once per commit -------------------------

PRINTS_DATA = "import json\nprint(json.dumps({'data': open('data.txt').read()}))\n"
EXAMPLE_FILES = [
    {"path": f"examples/ex{n}/{name}", "content": "{}"}
    for n in range(20)
    for name in ("input.json", "expected.json")
]


class BlobReads:
    """Counts the platform's blob reads (every workspace file read goes through them)."""

    def __init__(self, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        platform: Platform = client.app.state.platform  # type: ignore[attr-defined]
        original = platform.blobs.get

        def counting(digest: str) -> bytes:
            self.count += 1
            return original(digest)

        monkeypatch.setattr(platform.blobs, "get", counting)

    def take(self) -> int:
        count, self.count = self.count, 0
        return count


def put_files(client: TestClient, agent: str, files: list[dict[str, str]]) -> None:
    response = client.post(f"/api/v1/agents/{agent}/files", json={"files": files})
    assert response.status_code < 300, response.text


def test_a_builtin_runtime_reads_no_workspace_file(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client()
    create_agent(client, "e")  # echo
    put_files(client, "e", [{"path": "AGENT.md", "content": "hi"}, *EXAMPLE_FILES])
    reads = BlobReads(client, monkeypatch)
    for n in range(3):
        assert run_and_wait(client, "e", {"n": n})["status"] == "completed"
    assert reads.take() == 0
    platform: Platform = client.app.state.platform  # type: ignore[attr-defined]
    assert not any(platform.workspaces.root.iterdir())  # nothing materialised either


def test_a_builtin_runtime_gets_no_scratch_folder(client: TestClient) -> None:
    create_agent(client, "slow", config={"runtime": {"builtin": "echo", "delayMs": 20000}})
    execution_id = client.post("/api/v1/agents/slow/run", json={}).json()["executionId"]
    path = f"/api/v1/agents/executions/{execution_id}"
    deadline = time.monotonic() + 30
    while client.get(path).json()["execution"]["status"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    platform: Platform = client.app.state.platform  # type: ignore[attr-defined]
    assert not (platform.data_dir / "scratch" / execution_id).exists()
    client.post(f"{path}/cancel")


def test_a_program_agent_reads_its_commit_once_and_never_its_examples(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client()
    create_agent(client, "p", config={})
    visible = [{"path": "main.py", "content": PRINTS_DATA}, {"path": "data.txt", "content": "v1"}]
    put_files(client, "p", [*visible, *EXAMPLE_FILES])
    reads = BlobReads(client, monkeypatch)
    first = run_and_wait(client, "p")
    assert first["status"] == "completed", first
    assert first["output"] == {"data": "v1"}
    assert reads.take() == len(visible)  # materialised once, without examples/
    second = run_and_wait(client, "p")
    assert second["output"] == {"data": "v1"}
    assert reads.take() == 0  # the same commit: the materialised folder is reused

    put_files(client, "p", [{"path": "data.txt", "content": "v2"}])  # a new commit
    assert run_and_wait(client, "p")["output"] == {"data": "v2"}
    assert reads.take() == len(visible)
    platform: Platform = client.app.state.platform  # type: ignore[attr-defined]
    agent = platform.agents.get("p")
    (commit,) = (platform.workspaces.root / agent.id).iterdir()  # the old commit was removed
    assert commit.name == agent.latest_commit
    assert sorted(p.name for p in commit.iterdir()) == ["data.txt", "main.py"]


VANDAL = """\
import json, os
before = open('data.txt').read()
files = sorted(os.listdir('.'))
with open('data.txt', 'w') as f:
    f.write('changed by the program')
os.chmod('main.py', 0o777)
with open('main.py', 'a') as f:
    f.write('\\nraise SystemExit(3)\\n')
os.makedirs('new', exist_ok=True)
open('new/file.txt', 'w').write('x')
print(json.dumps({'data': before, 'files': files}))
"""


def test_a_program_cannot_change_the_workspace_the_next_run_sees(
    make_client: ClientFactory,
) -> None:
    client = make_client()
    create_agent(client, "v", config={})
    put_files(
        client,
        "v",
        [{"path": "main.py", "content": VANDAL}, {"path": "data.txt", "content": "original"}],
    )
    for _ in range(2):  # the second run copies the same commit: untouched by the first
        result = run_and_wait(client, "v")
        assert result["status"] == "completed", result
        assert result["output"]["data"] == "original"
        assert "new" not in result["output"]["files"]
    platform: Platform = client.app.state.platform  # type: ignore[attr-defined]
    agent = platform.agents.get("v")
    cached = platform.workspaces.root / agent.id / str(agent.latest_commit)
    assert (cached / "data.txt").read_text() == "original"
    # Read-only, against accidental writes by the platform's user (namespaces hide the folder).
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o444 for path in cached.iterdir())


# -- how many executions run at once -------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 6])
def test_the_platform_runs_as_many_executions_at_once_as_its_workers(
    make_client: ClientFactory, workers: int
) -> None:
    # Every run waits until `workers` runs are inside the runner together: with fewer
    # workers the barrier breaks (after its generous deadlock guard) and the runs fail.
    together = threading.Barrier(workers, timeout=60)
    inside: list[int] = []
    most_at_once: list[int] = []
    lock = threading.Lock()

    def slow(job: AgentJob) -> AgentOutcome:
        with lock:
            inside.append(1)
            most_at_once.append(len(inside))
        together.wait()
        with lock:
            inside.pop()
        return AgentOutcome(status="completed", output={})

    client = make_client(runner=slow, workers=workers)
    create_agent(client, "e")
    runs = [
        client.post("/api/v1/agents/e/run", json={}).json()["executionId"]
        for _ in range(workers * 2)
    ]
    statuses = [final_status(client, run) for run in runs]
    assert statuses == ["completed"] * len(runs)
    assert max(most_at_once) == workers  # never more than the pool either


def final_status(client: TestClient, execution_id: str) -> str:
    deadline = time.monotonic() + 120  # a deadlock guard, not a speed check
    while time.monotonic() < deadline:
        status: str = client.get(f"/api/v1/agents/executions/{execution_id}").json()["execution"][
            "status"
        ]
        if status in ("completed", "failed", "cancelled"):
            return status
        time.sleep(0.02)
    raise AssertionError(f"execution {execution_id} did not end")


def test_workers_default_and_bounds() -> None:
    config = PlatformConfig(api_keys=("k",))
    assert config.workers is None
    assert config.worker_count == DEFAULT_WORKERS
    assert PlatformConfig(api_keys=("k",), workers=MAX_WORKERS).worker_count == MAX_WORKERS
    for wrong in (0, MAX_WORKERS + 1):
        with pytest.raises(ValueError, match="workers must be 1 to"):
            PlatformConfig(api_keys=("k",), workers=wrong)
