"""The local platform in a child process: served over loopback, the key never in its command
line, stopped with its parent's block or when its parent dies, clear errors when it cannot
start."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

import evalkit
from evalkit.emulator.child import (
    PlatformLaunch,
    PlatformStartError,
    _StderrDrain,
    _wait_for_exit,
    config_from_json,
    config_to_json,
    start_child_platform,
)
from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.faults import FaultConfig
from evalkit.emulator.launch import _BOOTSTRAP
from evalkit.emulator.runtime.isolation import IsolationUnavailable
from evalkit.emulator.runtime.sandbox_env import pass_env_notes, read_passed_env
from evalkit.emulator.server import start_platform
from evalkit.emulator.store.lock import FolderInUseError
from evalkit.emulator.workflows.definitions import WorkflowDefinitionError
from evalkit.errors import ConfigError

from .helpers import API_KEY, AUTH, create_agent, no_unclosed_files

#: a bound on waiting for a process to end, so that a broken stop fails instead of hanging
PATIENCE_SECONDS = 120


def config_in(folder: Path, **changes: Any) -> PlatformConfig:
    return replace(PlatformConfig(data_dir=folder, api_keys=(API_KEY,), workers=2), **changes)


def ended(pid: int) -> bool:
    """Whether ``pid`` has exited (gone, or a zombie nobody has reaped yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def wait_until_ended(pid: int) -> None:
    deadline = time.monotonic() + PATIENCE_SECONDS
    while not ended(pid):
        assert time.monotonic() < deadline, f"process {pid} is still running"
        time.sleep(0.05)


def test_the_child_serves_the_api_on_loopback_and_stops_with_the_block(tmp_path: Path) -> None:
    with no_unclosed_files(), start_child_platform(config_in(tmp_path / "p")) as child:
        assert child.pid != os.getpid()
        assert child.base_url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=child.base_url, headers=AUTH) as http:
            create_agent(http, "probe")
            assert http.get("/api/v1/agents/probe").status_code == 200
            assert (
                http.get("/api/v1/agents/probe", headers={"Authorization": "Bearer no"}).status_code
                == 401
            )
        # The folder lock says who holds the state: the child, not this process.
        assert (tmp_path / "p" / "platform.lock").read_text() == str(child.pid)
        assert API_KEY not in repr(child)
    assert child.process.returncode == 0, "stopped cleanly, not killed"
    assert ended(child.pid)
    # The lock is free again: a platform in this process can open the same state.
    with (
        start_platform(config_in(tmp_path / "p")) as again,
        httpx.Client(base_url=again.base_url, headers=AUTH) as http,
    ):
        assert http.get("/api/v1/agents/probe").status_code == 200


def test_the_key_is_in_neither_the_command_line_nor_the_environment(tmp_path: Path) -> None:
    with start_child_platform(config_in(tmp_path)) as child:
        cmdline = Path(f"/proc/{child.pid}/cmdline").read_bytes()
        environ = Path(f"/proc/{child.pid}/environ").read_bytes()
        assert b"evalkit.emulator.child" in cmdline
        assert API_KEY.encode() not in cmdline
        assert API_KEY.encode() not in environ


def test_the_child_has_a_session_of_its_own_so_the_terminal_ctrl_c_misses_it(
    tmp_path: Path,
) -> None:
    with start_child_platform(config_in(tmp_path)) as child:
        assert os.getsid(child.pid) == child.pid != os.getsid(0)
        assert os.getpgid(child.pid) != os.getpgrp()


def test_ctrl_c_reaches_the_parent_alone_which_still_uses_the_platform(tmp_path: Path) -> None:
    """What Ctrl-C in a terminal does: SIGINT to the foreground process group, here that of a
    stand-in for evalkit. The platform, in a session of its own, does not get it: the parent
    still creates an agent (as the runner cancels and records its executions), then stops it."""
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT_SCRIPT, str(tmp_path / "p")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    with parent:
        assert parent.stdout is not None
        child_pid, _ = json.loads(parent.stdout.readline())
        assert os.getsid(child_pid) == child_pid != os.getsid(parent.pid)
        os.killpg(parent.pid, signal.SIGINT)
        assert json.loads(parent.stdout.readline()) == {"after_ctrl_c": 201}
        assert parent.wait(PATIENCE_SECONDS) == 0
    assert ended(child_pid)


#: a stand-in for evalkit's process: starts a child platform, says its pid and address, holds
#: it until its stdin ends; on Ctrl-C it uses the platform once more before its block ends
PARENT_SCRIPT = """
import json, sys
from pathlib import Path
import httpx
from evalkit.emulator.child import start_child_platform
from evalkit.emulator.config import PlatformConfig
from tests.emulator.helpers import API_KEY, AUTH, ECHO
config = PlatformConfig(data_dir=Path(sys.argv[1]), api_keys=(API_KEY,), workers=2)
with start_child_platform(config) as child:
    try:  # before the line that tells the test it may send SIGINT
        print(json.dumps([child.pid, child.base_url]), flush=True)
        sys.stdin.read()
    except KeyboardInterrupt:
        body = {"name": "After", "slug": "after", "config": ECHO}
        status = httpx.post(f"{child.base_url}/api/v1/agents", json=body, headers=AUTH).status_code
        print(json.dumps({"after_ctrl_c": status}), flush=True)
"""


def test_the_child_ends_by_itself_when_its_parent_is_killed(tmp_path: Path) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT_SCRIPT, str(tmp_path / "p")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    with parent:
        assert parent.stdout is not None
        child_pid, base_url = json.loads(parent.stdout.readline())
        assert httpx.get(f"{base_url}/_emulator/health").status_code == 200
        parent.kill()  # SIGKILL: no with-block, no cleanup of any kind
        parent.wait()
    wait_until_ended(child_pid)
    # It shut down cleanly: its lock is released, its state usable by the next platform.
    with start_child_platform(config_in(tmp_path / "p")) as again:
        assert httpx.get(f"{again.base_url}/_emulator/health").status_code == 200


def test_the_child_ends_at_end_of_file_on_its_stdin(tmp_path: Path) -> None:
    child = start_child_platform(config_in(tmp_path))
    try:
        assert child.process.stdin is not None
        child.process.stdin.close()
        assert child.process.wait(PATIENCE_SECONDS) == 0
    finally:
        child.stop()


def test_a_launch_serves_the_configuration_it_is_given_later(tmp_path: Path) -> None:
    """The process starts (and imports) first; the configuration, key included, comes later."""
    with no_unclosed_files(), PlatformLaunch() as launch:
        assert API_KEY not in Path(f"/proc/{launch.pid}/cmdline").read_text()
        with launch.start(config_in(tmp_path / "p")) as child:
            assert child.pid == launch.pid
            with httpx.Client(base_url=child.base_url, headers=AUTH) as http:
                create_agent(http, "probe")
                assert http.get("/api/v1/agents/probe").status_code == 200
        assert ended(launch.pid)
        with pytest.raises(RuntimeError, match="one platform"):
            launch.start(config_in(tmp_path / "q"))


def test_a_launch_let_go_unused_ends_without_a_word(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with no_unclosed_files(), PlatformLaunch() as launch:
        pid = launch.pid
    assert ended(pid)
    assert capfd.readouterr().err == ""


def test_a_launch_whose_parent_closes_stdin_before_configuring_exits_cleanly() -> None:
    """End of file before any configuration (the launch was let go): exit code 0, no output."""
    with no_unclosed_files(), PlatformLaunch() as launch:
        process = launch._child.process
        assert process.stdin is not None
        process.stdin.close()
        assert process.wait(PATIENCE_SECONDS) == 0


def test_a_folder_in_use_is_the_users_error_with_its_own_type(tmp_path: Path) -> None:
    with start_platform(config_in(tmp_path)), pytest.raises(FolderInUseError) as caught:
        start_child_platform(config_in(tmp_path))
    assert "in use by another local platform" in str(caught.value)
    assert API_KEY not in str(caught.value)


def test_a_bad_workflows_folder_and_an_unknown_isolation_keep_their_types(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "no-such-workflows"
    with pytest.raises(WorkflowDefinitionError, match="does not exist"):
        start_child_platform(config_in(tmp_path / "a", workflows_dir=missing))
    monkeypatch.setenv("EVALKIT_AGENT_ISOLATION", "bogus")
    with pytest.raises(IsolationUnavailable, match="unknown agent isolation 'bogus'"):
        start_child_platform(config_in(tmp_path / "b"))


def test_an_unexpected_start_failure_says_so_with_the_end_of_its_output(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    with no_unclosed_files(), pytest.raises(PlatformStartError) as caught:
        start_child_platform(config_in(not_a_folder))
    message = str(caught.value)
    assert message.startswith("the local platform did not start: ")
    assert "its last output:" in message
    assert "Traceback" in message
    assert API_KEY not in message
    assert isinstance(caught.value, ConfigError), "reported as the user's problem: exit code 2"


def test_pass_env_notes_come_from_the_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVALKIT_CHILD_PASSED", "value-not-shown")
    monkeypatch.delenv("EVALKIT_CHILD_UNSET", raising=False)
    names = ("EVALKIT_CHILD_PASSED", "EVALKIT_CHILD_UNSET")
    with start_child_platform(config_in(tmp_path, pass_env=names)) as child:
        assert child.notes == tuple(pass_env_notes(read_passed_env(names)))
    assert any("EVALKIT_CHILD_PASSED" in note for note in child.notes)
    assert any("EVALKIT_CHILD_UNSET is not set" in note for note in child.notes)
    assert not any("value-not-shown" in note for note in child.notes)


def test_the_childs_log_records_are_logged_here(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.INFO, logger="evalkit.emulator"),
        start_child_platform(config_in(tmp_path)),
    ):
        pass
    isolation = [r for r in caplog.records if r.getMessage().startswith("agent isolation:")]
    assert isolation, "the platform's start-up line, logged in the child"
    assert isolation[0].name == "evalkit.emulator"


def test_keys_are_masked_in_what_the_child_writes(caplog: pytest.LogCaptureFixture) -> None:
    read, write = os.pipe()
    with open(read, "rb", buffering=0) as stream:
        drain = _StderrDrain(stream, secrets=(API_KEY,))
        drain.start()
        record = {"level": logging.WARNING, "logger": "evalkit.emulator", "message": API_KEY}
        os.write(write, f"evalkit-log {json.dumps(record)}\nplain {API_KEY}\n".encode())
        os.close(write)
        drain.finish()
    assert drain.tail() == ["WARNING evalkit.emulator: ***", "plain ***"]
    assert API_KEY not in caplog.text
    assert "***" in caplog.text


def test_the_configuration_crosses_as_json_whole() -> None:
    config = PlatformConfig(
        data_dir=Path("/tmp/x"),
        api_keys=("eg_a", "eg_b"),
        workers=7,
        workflows_dir=Path("/tmp/w"),
        max_body_bytes=123,
        cancel_grace_seconds=1.5,
        faults=FaultConfig(error_rate=0.5, error_statuses=(503,), path_pattern="/run$", seed=3),
        isolation="process-group",
        hidden_paths=(Path("/tmp/h"),),
        pass_env=("A_VARIABLE",),
    )
    assert config_from_json(json.loads(json.dumps(config_to_json(config)))) == config


def test_a_runner_cannot_cross_processes(tmp_path: Path) -> None:
    config = config_in(tmp_path, runner=lambda job: None)
    with pytest.raises(ValueError, match="runner"):
        start_child_platform(config)


def test_faults_configured_for_it_are_injected_by_the_child(tmp_path: Path) -> None:
    faults = FaultConfig(error_rate=1.0, error_statuses=(503,), path_pattern=r"/agents$")
    with (
        start_child_platform(config_in(tmp_path, faults=faults)) as child,
        httpx.Client(base_url=child.base_url, headers=AUTH) as http,
    ):
        assert http.get("/api/v1/agents").status_code == 503
        assert http.get("/_emulator/health").status_code == 200


def test_the_child_ends_without_the_interpreters_teardown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Once its platform is closed (its stores, its folder's lock), the child ends at once,
    flushed, without the interpreter's teardown (a last collection, then its modules: a tenth
    of a second its parent's run waited for), so exit handlers do not run: a ``sitecustomize``
    of its path registers one that would write to its standard error, which reaches this
    process's (as its log records do, which it still flushes)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(  # (in the child, not in the programs it starts)
        "import atexit, os\n"
        "if b'evalkit.emulator.child' in open('/proc/self/cmdline', 'rb').read():\n"
        "    atexit.register(os.write, 2, b'teardown ran\\n')\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PYTHONPATH", str(site))
    with (
        start_child_platform(config_in(tmp_path / "p")) as child,
        httpx.Client(base_url=child.base_url, headers=AUTH) as http,
    ):
        create_agent(http, "kept")
    assert child.process.returncode == 0
    assert "teardown ran" not in capsys.readouterr().err
    with (  # its state was written and its folder released before it ended
        start_platform(config_in(tmp_path / "p")) as again,
        httpx.Client(base_url=again.base_url, headers=AUTH) as http,
    ):
        assert http.get("/api/v1/agents/kept").status_code == 200


def test_a_stop_returns_once_the_child_has_exited(tmp_path: Path) -> None:
    """The stop waits for the exit itself (a pidfd on Linux), not for the next of
    ``Popen.wait``'s growing polls."""
    with start_child_platform(config_in(tmp_path / "p")) as child:
        pass
    assert child.process.returncode == 0
    assert ended(child.pid)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        assert not _wait_for_exit(sleeper, 0.01), "still running"
        sleeper.terminate()
        assert _wait_for_exit(sleeper, PATIENCE_SECONDS)
        assert sleeper.returncode == -signal.SIGTERM
    finally:
        sleeper.kill()
        sleeper.wait()


def test_the_child_imports_the_platform_with_the_collector_paused() -> None:
    """Its imports make ~100,000 objects that live as long as it does: the collector is paused
    from its first line (the bootstrap's) and resumed with them frozen once the platform is
    imported, before its configuration is read (a tenth of its imports' CPU went to
    collections that found next to nothing)."""
    start = "from evalkit.emulator.child import main; main()"
    assert _BOOTSTRAP.startswith("import gc; gc.disable(); ")
    assert _BOOTSTRAP.endswith(start)
    counts = "[s['collections'] for s in gc.get_stats()]"
    probe = (
        f"before = {counts}; "  # (the interpreter's own start collected already)
        + _BOOTSTRAP.replace(
            start,
            "from evalkit.emulator.child import import_platform; import_platform(); "
            f"print(gc.isenabled(), gc.get_freeze_count(), {counts} == before)",
        )
    )
    package_home = str(Path(evalkit.__file__).resolve().parent.parent)
    ran = subprocess.run(
        [sys.executable, "-c", "import gc; " + probe, package_home],
        capture_output=True,
        text=True,
        check=True,
    )
    enabled, frozen, none_collected = ran.stdout.split()
    assert (enabled, none_collected) == ("True", "True")
    assert int(frozen) > 50_000, "the imports' objects are frozen"


def test_the_child_builds_and_serves_its_app_without_pydantic_v1(tmp_path: Path) -> None:
    """FastAPI imports pydantic's v1 while building routes, only to refuse v1 models: the child
    keeps it out (``evalkit.unused_modules``), and its app is built and answers as before."""
    probe = (
        "import sys, json; from pathlib import Path; "
        "from evalkit.emulator.child import import_platform; import_platform(); "
        "from evalkit.emulator.config import PlatformConfig; "
        "from evalkit.emulator.server import create_app; "
        "from starlette.testclient import TestClient; "
        f"app = create_app(PlatformConfig(data_dir=Path(sys.argv[1]), api_keys=({API_KEY!r},))); "
        "client = TestClient(app); "
        f"answer = client.get('/api/v1/agents', headers={AUTH!r}); "
        "app.state.platform.close(); "
        "print(json.dumps([answer.status_code, 'pydantic.v1' in sys.modules, "
        "sys.modules.get('pydantic.v1') is None]))"
    )
    ran = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "state")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(ran.stdout.splitlines()[-1]) == [200, True, True]
