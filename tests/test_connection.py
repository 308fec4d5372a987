"""Which platform evalkit talks to: remote when configured, else the local one it starts."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing, suppress
from pathlib import Path
from typing import Any

import pytest

from evalkit.cli.connect import connection_of
from evalkit.cli.context import GlobalOptions
from evalkit.client import EigenpalClient, EigenpalTimeoutError, retry
from evalkit.connection import (
    Connection,
    launching_platform,
    local_state_dir,
    open_client,
    open_platform,
)
from evalkit.emulator import child
from evalkit.emulator.child import ChildPlatform
from evalkit.emulator.config import MAX_WORKERS, PlatformConfig
from evalkit.errors import ConfigError
from evalkit.runner.results_file import read_results_file
from tests.black_hole import black_hole


def test_no_url_starts_the_local_platform_with_state_in_the_project(tmp_path: Path) -> None:
    with open_platform(Connection(), project_root=tmp_path) as platform:
        assert platform.is_local
        assert platform.base_url.startswith("http://127.0.0.1:")
        with EigenpalClient(api_key=platform.api_key, base_url=platform.base_url) as client:
            created = client.agents.create(name="Probe", slug="probe")
            assert created.agent.slug == "probe"
    assert local_state_dir(tmp_path) == tmp_path.resolve() / ".evalkit" / "platform"
    assert any(local_state_dir(tmp_path).iterdir()), "state is kept on disk"

    # A second start finds the agent made by the first: the state survives.
    with (
        open_platform(Connection(), project_root=tmp_path) as platform,
        EigenpalClient(api_key=platform.api_key, base_url=platform.base_url) as client,
    ):
        assert client.agents.get("probe").agent.name == "Probe"


def test_the_local_platform_runs_in_a_child_process_that_ends_with_the_block(
    tmp_path: Path,
) -> None:
    """Its own process, so that it and the runner do not share one interpreter lock; the key
    never on its command line; nothing left running after the block."""
    lock = local_state_dir(tmp_path) / "platform.lock"
    with open_platform(Connection(), project_root=tmp_path) as platform:
        holder = int(lock.read_text())  # the process holding the state folder
        assert holder != os.getpid()
        assert Path(f"/proc/{holder}/status").read_text().count(f"PPid:\t{os.getpid()}\n") == 1
        command_line = Path(f"/proc/{holder}/cmdline").read_bytes()
        assert platform.api_key.encode() not in command_line
    assert not _running(holder)


def test_an_interrupted_block_still_stops_the_platform(tmp_path: Path) -> None:
    """Ctrl-C: the runner records what it can while the platform is up, then it is stopped."""
    holders: list[int] = []

    def interrupted_run() -> None:
        with open_platform(Connection(), project_root=tmp_path):
            holders.append(int((local_state_dir(tmp_path) / "platform.lock").read_text()))
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted_run()
    assert holders
    assert not _running(holders[0])


def test_the_local_platform_says_what_pass_env_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVALKIT_CONNECTION_PASSED", "not-shown")
    monkeypatch.delenv("EVALKIT_CONNECTION_UNSET", raising=False)
    names = ("EVALKIT_CONNECTION_PASSED", "EVALKIT_CONNECTION_UNSET")
    with open_platform(Connection(), project_root=tmp_path, pass_env=names) as platform:
        assert platform.notes == (
            "agent programs get EVALKIT_CONNECTION_PASSED from this environment",
            "warning: EVALKIT_CONNECTION_UNSET is not set here; agent programs get no"
            " EVALKIT_CONNECTION_UNSET (pass_env)",
        )


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie has ended; nobody else reuses a pid this soon)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX"
    except FileNotFoundError:
        return False


def test_local_wins_over_a_configured_url(tmp_path: Path) -> None:
    connection = Connection(base_url="https://app.example.invalid", local=True)
    with open_platform(connection, project_root=tmp_path) as platform:
        assert platform.is_local


def test_remote_without_key_is_a_config_error_naming_both_ways(tmp_path: Path) -> None:
    connection = Connection(base_url="https://app.example.invalid")
    with pytest.raises(ConfigError) as caught, open_platform(connection, project_root=tmp_path):
        pass
    assert "--api-key" in str(caught.value)
    assert "EIGENPAL_API_KEY" in str(caught.value)


def test_the_key_stays_out_of_every_repr(tmp_path: Path) -> None:
    connection = Connection(base_url="https://app.example.invalid", api_key="eg_topsecret")
    assert "eg_topsecret" not in repr(connection)
    with open_platform(connection, project_root=tmp_path) as platform:
        assert not platform.is_local
        assert platform.api_key == "eg_topsecret"
        assert "eg_topsecret" not in repr(platform)


def test_a_key_in_the_url_is_refused_without_showing_it(tmp_path: Path) -> None:
    connection = Connection(base_url="https://user:eg_inurl@app.example.invalid", api_key="k")
    assert "eg_inurl" not in repr(connection)
    with pytest.raises(ConfigError) as caught, open_platform(connection, project_root=tmp_path):
        pass
    assert "eg_inurl" not in str(caught.value)


@pytest.mark.parametrize(
    ("connection", "named"),
    [
        (Connection(base_url="http://127.0.0.1:abc", api_key="k"), "base_url"),
        (
            Connection.from_env(
                {"EIGENPAL_BASE_URL": "http://127.0.0.1:abc", "EIGENPAL_API_KEY": "k"}
            ),
            "EIGENPAL_BASE_URL",
        ),
    ],
)
def test_a_bad_base_url_is_refused_naming_where_it_came_from(
    tmp_path: Path, connection: Connection, named: str
) -> None:
    with pytest.raises(ConfigError) as caught, open_platform(connection, project_root=tmp_path):
        pass
    assert str(caught.value).startswith(f"{named} has a port that is not a number")


def test_a_token_in_the_url_s_query_is_refused_without_showing_it(tmp_path: Path) -> None:
    connection = Connection(base_url="http://127.0.0.1:8801/?token=SECRETQ", api_key="k")
    assert "SECRETQ" not in repr(connection)
    with pytest.raises(ConfigError) as caught, open_platform(connection, project_root=tmp_path):
        pass
    assert "query" in str(caught.value)
    assert "SECRETQ" not in str(caught.value)


def test_from_env_reads_the_variables_the_cli_reads() -> None:
    env = {"EIGENPAL_BASE_URL": "https://app.example.invalid", "EIGENPAL_API_KEY": "eg_k"}
    assert Connection.from_env(env) == Connection("https://app.example.invalid", "eg_k")
    assert Connection.from_env({}).is_local
    assert Connection.from_env({"EIGENPAL_BASE_URL": ""}).is_local


def test_the_cli_options_make_the_same_connection(tmp_path: Path) -> None:
    options = GlobalOptions(
        manifest=tmp_path / "evalkit.yaml",
        base_url="https://app.example.invalid",
        api_key="eg_k",
        local=True,
        verbose=0,
        json_output=False,
    )
    assert connection_of(options) == Connection("https://app.example.invalid", "eg_k", local=True)


def test_the_local_platform_runs_as_many_executions_at_once_as_asked(tmp_path: Path) -> None:
    seen: list[int | None] = []
    real_start = child.PlatformLaunch.start

    def spy(launch: child.PlatformLaunch, config: PlatformConfig, **options: Any) -> ChildPlatform:
        seen.append(config.workers)
        return real_start(launch, config, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(child.PlatformLaunch, "start", spy)
        for asked in (3, MAX_WORKERS + 100):
            with open_platform(Connection(), project_root=tmp_path, workers=asked):
                pass
    assert seen == [3, MAX_WORKERS]


def test_open_client_is_a_client_on_the_platform_that_it_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One helper for every library call (plan, promote, harvest): by default the
    environment's platform, here the local one."""
    monkeypatch.delenv("EIGENPAL_BASE_URL", raising=False)
    heard: list[str] = []
    with open_client(None, project_root=tmp_path, note=heard.append) as client:
        assert client.agents.create(name="Probe", slug="probe").agent.slug == "probe"
    assert len(heard) == 1
    assert heard[0].startswith("platform: local platform http://127.0.0.1:")


def test_open_client_gives_up_on_a_platform_that_never_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once, after the patience (60 s; here 3 s), saying meanwhile that nothing answers and at
    the end what to check."""
    monkeypatch.setattr(retry, "PLATFORM_PATIENCE_SECONDS", 3.0)
    monkeypatch.setattr("evalkit.connection.SILENCE_NOTE_SECONDS", 0.2)
    heard: list[str] = []
    with black_hole() as hole:
        remote = Connection(base_url=hole.base_url, api_key="eg_test_key")
        with (
            open_client(remote, project_root=tmp_path, note=heard.append) as client,
            pytest.raises(EigenpalTimeoutError) as caught,
        ):
            client.agents.get("slow-echo")
        assert len(hole.accepted) == 1  # not called again: 4 attempts took 244 s
    assert re.sub(r"\d+ s \(", "N s (", str(caught.value)) == (
        f"no answer from {hole.base_url} for N s (ReadTimeout); check base_url (or "
        "EIGENPAL_BASE_URL) and that the platform is up (GET /api/v1/agents/slow-echo)"
    )
    assert heard[0] == f"platform: remote platform {hole.base_url}"
    assert [re.sub(r"\d+ s;", "N s;", line) for line in heard[1:]] == [
        f"no answer from {hole.base_url} for N s; still waiting (up to 3 s)"
    ]


SLOW_MANIFEST = """
version: 1
agents:
  - slug: slowpoke
    config:
      triggers: {api: {enabled: true}}
      runtime: {builtin: fixed, output: {done: true}, delayMs: 120000}
    examples:
""" + "".join(
    f"      - {{name: ex{i}, input: {{n: {i}}}, expected: {{done: true}}}}\n" for i in range(3)
)


@pytest.mark.slow
def test_ctrl_c_in_a_terminal_lets_the_run_cancel_on_its_own_platform(tmp_path: Path) -> None:
    """SIGINT to the foreground process group, as a terminal's Ctrl-C sends it, while the run's
    executions are running on the local platform it started: the platform is not interrupted
    with the run, so the run cancels every execution and records it (exit code 130)."""
    (tmp_path / "evalkit.yaml").write_text(SLOW_MANIFEST)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EIGENPAL_")}
    environment["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    run = subprocess.Popen(
        [sys.executable, "-m", "evalkit", "run", "--no-report", "--out", str(tmp_path / "out")],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a group of its own, as a terminal's foreground job
    )
    try:
        _wait_for_running(local_state_dir(tmp_path) / "platform.sqlite3", run, count=3)
        os.killpg(run.pid, signal.SIGINT)
        _, stderr = run.communicate(timeout=PATIENCE_SECONDS)
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()
    assert run.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "stopped by itself" not in stderr
    results = read_results_file(tmp_path / "out" / "results.jsonl").results
    messages = [result.error.message for result in results if result.error is not None]
    assert len(messages) == 3
    assert all(
        message.endswith("the execution was cancelled on the platform") for message in messages
    )
    with (
        open_platform(Connection(), project_root=tmp_path) as platform,
        EigenpalClient(api_key=platform.api_key, base_url=platform.base_url) as client,
    ):
        statuses = [e.status.value for e in client.agents.executions.iter_list("slowpoke")]
    assert statuses == ["cancelled"] * 3, "cancelled by the run, not failed by a restart"


PATIENCE_SECONDS = 120


def _wait_for_running(database: Path, run: subprocess.Popen[str], count: int) -> None:
    """Until ``count`` executions run, read from the platform's database (its key is the
    run's own)."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    while time.monotonic() < deadline:
        assert run.poll() is None, run.communicate()
        if database.exists():
            with (
                closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db,
                suppress(sqlite3.OperationalError),  # no table yet
            ):
                query = "SELECT count(*) FROM executions WHERE status = 'running'"
                if db.execute(query).fetchone()[0] >= count:
                    return
        time.sleep(0.1)
    raise AssertionError("the executions never started")


def test_a_launched_platform_winds_down_while_the_caller_goes_on(tmp_path: Path) -> None:
    """Leaving ``open_platform`` asks the launched child to stop without waiting for it (a run
    writes its reports meanwhile); leaving the launch's block waits until it has ended."""
    waited: list[int] = []
    real_stop = child.ChildPlatform.stop

    def stop(platform: ChildPlatform) -> None:
        waited.append(platform.pid)
        real_stop(platform)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(child.ChildPlatform, "stop", stop)
        with launching_platform(Connection()) as launch:
            assert launch is not None
            with open_platform(Connection(), project_root=tmp_path, launch=launch):
                pass
            assert waited == [], "not waited for when its platform's block ended"
            process = launch._child.process
            assert process.wait(120) is not None, "it was asked to stop"
        assert waited == [launch.pid]
    assert process.stdout is None or process.stdout.closed


def test_a_launch_started_earlier_serves_the_local_platform(tmp_path: Path) -> None:
    """``launching_platform`` takes a launch started before (the CLI starts one before its
    imports) and owns it: the block serves with it and waits for it."""
    early = child.PlatformLaunch()
    with launching_platform(Connection(), early) as launch:
        assert launch is early
        with (
            open_platform(Connection(), project_root=tmp_path, launch=launch) as platform,
            EigenpalClient(api_key=platform.api_key, base_url=platform.base_url) as client,
        ):
            assert list(client.agents.iter_list()) == []
    assert early._child.process.returncode == 0, "stopped cleanly and waited for"


def test_a_launch_started_earlier_is_stopped_unused_for_a_remote_platform() -> None:
    early = child.PlatformLaunch()
    remote = Connection(base_url="http://platform.example", api_key="key")
    with launching_platform(remote, early) as launch:
        assert launch is None
        assert early._child.process.returncode is not None, "stopped at once, waited for"


def test_the_callers_work_runs_while_the_local_platform_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``meanwhile`` runs once the child has its configuration and before it is waited for:
    its start (state opened, isolation checked) overlaps the caller's work."""
    order: list[str] = []
    real_to_json, real_wait = child.config_to_json, child.ChildPlatform.wait_until_ready

    def to_json(config: PlatformConfig) -> dict[str, object]:
        order.append("configured")
        return real_to_json(config)

    def wait(platform: ChildPlatform, timeout: float = child.START_TIMEOUT_SECONDS) -> None:
        order.append("waited")
        real_wait(platform, timeout)

    monkeypatch.setattr(child, "config_to_json", to_json)
    monkeypatch.setattr(child.ChildPlatform, "wait_until_ready", wait)
    meanwhile = lambda: order.append("meanwhile")  # noqa: E731
    with open_platform(Connection(), project_root=tmp_path, meanwhile=meanwhile):
        assert order == ["configured", "meanwhile", "waited"]
    order.clear()
    remote = Connection(base_url="http://platform.example", api_key="key")
    with open_platform(remote, project_root=tmp_path, meanwhile=meanwhile):
        assert order == ["meanwhile"], "once, before the block, on a remote platform too"
