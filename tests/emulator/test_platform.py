"""The platform as the workflow engine's ``AgentInvoker``, and the workflow routes in the app."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.platform import Platform
from evalkit.emulator.problems import ApiProblem
from evalkit.emulator.runtime.job import InputFile
from evalkit.emulator.workflows.contract import AgentInvoker
from evalkit.errors import ConfigError

from .conftest import ClientFactory
from .helpers import API_KEY, issue


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    made = Platform(PlatformConfig(data_dir=tmp_path, api_keys=(API_KEY,), workers=2))
    yield made
    made.close()


def add_agent(platform: Platform, slug: str, runtime: dict[str, object], **config: object) -> None:
    platform.agents.create(
        name=slug, slug=slug, description=None, config={"runtime": runtime, **config}
    )


def test_it_is_an_agent_invoker(platform: Platform) -> None:
    invoker: AgentInvoker = platform
    add_agent(platform, "echo", {"builtin": "echo"})
    result = invoker.run_agent_and_wait(
        "echo",
        {"q": 1},
        cancel=threading.Event(),
        timeout_seconds=30,
        input_files=[InputFile("doc", "a.txt", b"A", "text/plain")],
    )
    assert (result.status, result.output, result.error) == ("completed", {"q": 1}, None)
    assert result.execution_id is not None
    assert platform.executions.file_content(result.execution_id, "input", "a.txt") == b"A"


def test_agent_steps_ignore_the_api_trigger_switch(platform: Platform) -> None:
    add_agent(platform, "internal", {"builtin": "echo"}, triggers={"api": {"enabled": False}})
    result = platform.run_agent_and_wait(
        "internal", {}, cancel=threading.Event(), timeout_seconds=30
    )
    assert result.status == "completed"


def test_a_cancel_stops_the_agent_step(platform: Platform) -> None:
    add_agent(platform, "slow", {"builtin": "echo", "delayMs": 60_000})
    cancel = threading.Event()
    threading.Timer(0.1, cancel.set).start()
    result = platform.run_agent_and_wait("slow", {}, cancel=cancel, timeout_seconds=60)
    assert result.status == "cancelled"


def test_a_step_past_its_time_is_cancelled(platform: Platform) -> None:
    add_agent(platform, "slow", {"builtin": "echo", "delayMs": 60_000})
    result = platform.run_agent_and_wait("slow", {}, cancel=threading.Event(), timeout_seconds=0.2)
    assert result.status in {"cancelled", "failed"}
    assert result.execution_id is not None
    stored = platform.executions.get(result.execution_id)
    assert stored.is_terminal


def test_an_unknown_agent_raises_a_404_problem(platform: Platform) -> None:
    with pytest.raises(ApiProblem) as caught:
        platform.run_agent_and_wait("ghost", {}, cancel=threading.Event(), timeout_seconds=5)
    assert caught.value.status == 404


def test_workflow_routes_get_auth_ids_and_envelopes(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "hello.yaml").write_text("steps: [{id: a, builtin: echo}]\n")
    client = make_client(workflows_dir=flows)
    listing = client.get("/api/v1/workflows")
    assert listing.status_code == 200
    assert [w["name"] for w in listing.json()["data"]] == ["hello"]
    assert listing.headers["x-request-id"].startswith("req_")
    missing = client.get("/api/v1/workflows/nope")
    assert missing.status_code == 404
    assert issue(missing)["code"] == "not_found"
    anonymous = client.get("/api/v1/workflows", headers={"Authorization": "Bearer wrong"})
    assert anonymous.status_code == 401


def test_a_bad_workflow_file_leaves_nothing_running(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "bad.yaml").write_text("steps: []\n")
    before = {thread.name for thread in threading.enumerate()}
    config = PlatformConfig(data_dir=tmp_path / "d", api_keys=(API_KEY,), workflows_dir=flows)
    with pytest.raises(ConfigError, match=r"bad\.yaml"):
        Platform(config)
    leftover = {thread.name for thread in threading.enumerate()} - before
    assert not {name for name in leftover if name.startswith("evalkit-worker")}


def test_a_relative_data_folder_is_made_absolute_for_the_isolation_probe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``evalkit serve --data state`` ran its isolation probe from the scratch folder with a
    relative path, failed, and fell back to a weaker isolation than the absolute path got."""
    monkeypatch.chdir(tmp_path)
    relative = Platform(PlatformConfig(data_dir=Path("state"), api_keys=(API_KEY,), workers=1))
    try:
        assert relative.data_dir == tmp_path.resolve() / "state"
        mode = relative.isolation.mode
    finally:
        relative.close()
    absolute = Platform(PlatformConfig(data_dir=tmp_path / "abs", api_keys=(API_KEY,), workers=1))
    try:
        assert mode == absolute.isolation.mode
    finally:
        absolute.close()
