"""The platform as the workflow engine's ``AgentInvoker``, and the workflow routes in the app."""

from __future__ import annotations

import logging
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from evalkit.emulator import platform as platform_module
from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.platform import Platform, RunRequest
from evalkit.emulator.problems import ApiProblem
from evalkit.emulator.runtime import isolation as isolation_module
from evalkit.emulator.runtime.isolation import ENV_VARIABLE, Isolation, IsolationUnavailable
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


# -- the agent isolation, chosen while the platform serves ---------------------------------------

#: a program that writes its output (any isolation can run it)
PROGRAM: dict[str, object] = {"command": ["python", "-c", "print('{\"ran\": 1}')"]}


@pytest.fixture
def held_check(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The isolation's check (a program it starts) held until the event is set; then the real
    one runs. ``auto`` asked for, whatever the environment says."""
    release = threading.Event()
    real = isolation_module._run_probe

    def held(isolation: Isolation, data_dir: Path) -> str | None:
        release.wait()
        return real(isolation, data_dir)

    monkeypatch.delenv(ENV_VARIABLE, raising=False)
    monkeypatch.setattr(isolation_module, "_probed", {})
    monkeypatch.setattr(isolation_module, "_run_probe", held)
    yield release
    release.set()


def started_platform(config: PlatformConfig) -> Platform:
    """``Platform(config)``, failing (not hanging) if it waits for a held isolation check."""
    made: list[Platform] = []
    starting = threading.Thread(target=lambda: made.append(Platform(config)), daemon=True)
    starting.start()
    starting.join(60)
    assert made, "the platform waited for its isolation check before it could serve"
    return made[0]


def wait_until_terminal(platform: Platform, execution_id: str) -> None:
    ended = platform.holds.watch_thread(execution_id)
    try:
        if not platform.executions.get(execution_id).is_terminal:
            assert ended.wait(120), "the execution did not end"
    finally:
        platform.holds.forget(execution_id, ended)


def isolation_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    messages = [record.getMessage() for record in caplog.records]
    return [message for message in messages if message.startswith("agent isolation:")]


def test_with_auto_the_platform_serves_while_its_isolation_is_chosen(
    tmp_path: Path, held_check: threading.Event, caplog: pytest.LogCaptureFixture
) -> None:
    """Choosing starts a program (36 ms on the 2-core machine, a tenth of the embedded
    platform's start): builtins never need it, a program's run waits for it."""
    caplog.set_level(logging.INFO, logger="evalkit.emulator")
    platform = started_platform(PlatformConfig(data_dir=tmp_path, api_keys=(API_KEY,)))
    try:
        add_agent(platform, "echo", {"builtin": "echo"})
        add_agent(platform, "program", PROGRAM)
        echoed = platform.run_agent_and_wait(
            "echo", {"q": 1}, cancel=threading.Event(), timeout_seconds=60
        )
        assert (echoed.status, echoed.output) == ("completed", {"q": 1})
        waiting = platform.start_run("program", RunRequest({}, None, []))
        assert not platform.executions.get(waiting.id).is_terminal
        assert not isolation_lines(caplog), "said before it was chosen"
        held_check.set()
        chosen = platform.isolation  # waits for the choice
        wait_until_terminal(platform, waiting.id)
        ran = platform.executions.get(waiting.id)
        assert (ran.status, ran.json_column("output")) == ("completed", {"ran": 1})
        assert isolation_lines(caplog) == [chosen.describe()]
    finally:
        platform.close()


@pytest.mark.parametrize("how", ["config", "environment"])
def test_an_explicit_mode_not_available_still_fails_the_start_leaving_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    monkeypatch.setattr(isolation_module, "_probed", {})  # checked again, with a broken launcher
    monkeypatch.setattr(isolation_module, "LAUNCHER", tmp_path / "missing-launcher.py")
    monkeypatch.delenv(ENV_VARIABLE, raising=False)
    data = tmp_path / "data"
    config = PlatformConfig(data_dir=data, api_keys=(API_KEY,), isolation="subreaper")
    if how == "environment":
        monkeypatch.setenv(ENV_VARIABLE, "subreaper")
        config = PlatformConfig(data_dir=data, api_keys=(API_KEY,))
    with pytest.raises(IsolationUnavailable, match="'subreaper' is not available here"):
        Platform(config)
    assert not (data / "platform.sqlite3").exists()
    monkeypatch.delenv(ENV_VARIABLE, raising=False)  # the folder's lock was released:
    Platform(PlatformConfig(data_dir=data, api_keys=(API_KEY,), isolation="process-group")).close()


def test_an_isolation_that_cannot_be_chosen_fails_programs_not_the_platform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> Isolation:
        raise OSError("no room left for the check")

    monkeypatch.delenv(ENV_VARIABLE, raising=False)
    monkeypatch.setattr(platform_module, "choose_isolation", broken)
    platform = Platform(PlatformConfig(data_dir=tmp_path, api_keys=(API_KEY,)))
    try:
        add_agent(platform, "echo", {"builtin": "echo"})
        add_agent(platform, "program", PROGRAM)
        echo = platform.run_agent_and_wait("echo", {}, cancel=threading.Event(), timeout_seconds=60)
        assert echo.status == "completed"
        ran = platform.run_agent_and_wait(
            "program", {}, cancel=threading.Event(), timeout_seconds=60
        )
        assert (ran.status, ran.error) == (
            "failed",
            "the agent isolation could not be chosen: no room left for the check",
        )
    finally:
        platform.close()
    assert "the agent isolation could not be chosen; programs cannot run" in caplog.text


def test_the_data_folder_is_private_once_programs_run_as_another_user(tmp_path: Path) -> None:
    platform = Platform(PlatformConfig(data_dir=tmp_path / "data", api_keys=(API_KEY,)))
    try:
        if platform.isolation.run_as is None:
            pytest.skip(f"programs run as the platform's user here: {platform.isolation.mode}")
        modes = {
            path.name: stat.S_IMODE(path.stat().st_mode) for path in platform.data_dir.iterdir()
        }
        assert stat.S_IMODE(platform.data_dir.stat().st_mode) == 0o711
        assert modes["platform.sqlite3"] == 0o600
        assert modes["scratch"] == 0o711
    finally:
        platform.close()
