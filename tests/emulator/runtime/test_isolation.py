"""What an agent program can and cannot reach, under each isolation this machine has.

Every claim is checked with a real program that tries; where a mode is not available here the
test is skipped with the reason (``isolation_or_skip``), never passed silently.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from evalkit.emulator.runtime import AgentJob, launcher, run_agent_job
from evalkit.emulator.runtime import isolation as isolation_module
from evalkit.emulator.runtime.isolation import (
    ENV_VARIABLE,
    PRIVATE_TMP,
    PROCESS_GROUP,
    Isolation,
    IsolationChoice,
    IsolationUnavailable,
    _blocked_ancestors,
    _outermost,
    choose_isolation,
    make_data_private,
)

from .conftest import JobFactory, isolation_or_skip


def program(source: str) -> dict[str, bytes]:
    return {"main.py": textwrap.dedent(source).encode()}


def processes_with(token: str) -> list[int]:
    """Live (not zombie) processes whose command line holds ``token``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            state = Path(f"/proc/{entry}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if token.encode() in cmdline and state != b"Z":
            found.append(int(entry))
    return found


def eventually_none_with(token: str, seconds: float = 10.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (found := processes_with(token)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


DAEMON = """
    import json, os, pathlib, sys, time
    if os.fork() == 0:  # the classic daemon: fork, setsid, fork again, parent exits
        os.setsid()
        if os.fork() == 0:
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            code = "import pathlib, time; pathlib.Path('daemon-ready').touch(); time.sleep(120)"
            os.execv(sys.executable, [sys.executable, "-c", code, "{token}"])
        os._exit(0)
    for _ in range(400):
        if pathlib.Path("daemon-ready").exists():
            break
        time.sleep(0.025)
    print(json.dumps({{"daemon": pathlib.Path("daemon-ready").exists()}}))
"""


@pytest.fixture
def token() -> Iterator[str]:
    token = f"evalkit-daemon-{uuid.uuid4().hex}"
    yield token
    for pid in processes_with(token):  # never leave one behind, whatever the test found
        os.kill(pid, signal.SIGKILL)


# -- leftovers (issue 16 item 9) -----------------------------------------------------------


def test_a_daemon_started_with_fork_and_setsid_does_not_outlive_the_run(
    make_job: JobFactory, isolation: Isolation, token: str
) -> None:
    job = make_job(workspace=program(DAEMON.format(token=token)))
    outcome = run_agent_job(job)
    assert outcome.status == "completed", outcome.error
    assert outcome.output == {"daemon": True}, "the daemon never started: nothing was tested"
    if isolation.mode == "process-group":  # documented: a process that left the group lives on
        assert processes_with(token)
    else:
        assert eventually_none_with(token) == []


def test_a_program_that_ignores_sigterm_and_its_daemon_end_at_the_time_limit(
    make_job: JobFactory, isolation: Isolation, token: str
) -> None:
    if isolation.mode == "process-group":
        pytest.skip("process-group isolation does not end processes that left the group")
    source = (
        DAEMON.format(token=token)
        + """
    import signal
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    time.sleep(120)
    """
    )
    job = make_job(workspace=program(source), config={"runtime": {"timeoutSeconds": 2}})
    outcome = run_agent_job(job)
    assert outcome.status == "failed"
    assert outcome.error == "timed out after 2 seconds (config.runtime.timeoutSeconds)"
    assert eventually_none_with(token) == []


# -- what a program can see (issue 16 item 10) ---------------------------------------------

PROBE = """
    import glob, json, os, sys

    def attempt(path):
        try:
            with open(path, "rb") as handle:
                return handle.read().decode("utf-8", "replace")
        except OSError as err:
            return type(err).__name__

    def listing(path):
        try:
            return sorted(os.listdir(path))
        except OSError as err:
            return type(err).__name__

    data, host_tmp_file = sys.argv[1], sys.argv[2]
    print(json.dumps({
        "uid": os.getuid(),
        "database": attempt(os.path.join(data, "platform.sqlite3")),
        "blob": attempt(os.path.join(data, "blobs", "ab", "abc")),
        "data_listing": listing(data),
        "host_tmp_file": attempt(host_tmp_file),
        "processes": [p for p in os.listdir("/proc") if p.isdigit()],
        "parent_environ": attempt(f"/proc/{os.getppid()}/environ"),
    }))
"""


@pytest.fixture
def namespaces(tmp_path: Path) -> Isolation:
    return isolation_or_skip("namespaces", tmp_path / "platform")


@pytest.fixture
def outside_tmp() -> Iterator[Path]:
    """A folder outside /tmp (which namespaces hide anyway), so the data folder's own cover is
    what is tested."""
    folder = Path(tempfile.mkdtemp(prefix="evalkit-test-", dir="/var/tmp"))
    folder.chmod(0o755)  # open to all, so that only the isolation keeps a program out
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def seen(outside_tmp: Path) -> dict[str, object]:
    """What the probe program found, run in namespaces with a data folder full of secrets."""
    data = outside_tmp / "platform"
    namespaces = isolation_or_skip("namespaces", data)
    (data / "blobs" / "ab").mkdir(parents=True)
    (data / "platform.sqlite3").write_text("SECRET-DATABASE")
    (data / "blobs" / "ab" / "abc").write_text("SECRET-BLOB")
    host_tmp = Path(PRIVATE_TMP) / f"evalkit-host-{uuid.uuid4().hex}"
    host_tmp.write_text("SECRET-HOST-TMP")
    try:
        job = AgentJob(
            execution_id="exec_probe",
            workspace=program(PROBE),
            config={"runtime": {"command": ["python", "main.py", str(data), str(host_tmp)]}},
            input_json={},
            input_files=[],
            scratch_root=data / "scratch",
            isolation=namespaces,
        )
        outcome = run_agent_job(job)
    finally:
        host_tmp.unlink()
    assert outcome.status == "completed", outcome.error
    assert isinstance(outcome.output, dict)
    return outcome.output


def test_in_namespaces_the_data_folder_is_an_empty_folder(seen: dict[str, object]) -> None:
    assert seen["database"] == "FileNotFoundError"
    assert seen["blob"] == "FileNotFoundError"
    assert seen["data_listing"] == []


def test_in_namespaces_the_hosts_tmp_is_not_there(seen: dict[str, object]) -> None:
    assert seen["host_tmp_file"] == "FileNotFoundError"


def test_in_namespaces_only_the_runs_own_processes_are_visible(seen: dict[str, object]) -> None:
    # pid 1 is the launcher's init, pid 2 the program; the platform is not there at all
    processes = seen["processes"]
    assert isinstance(processes, list)
    assert sorted(processes) == ["1", "2"]
    assert "SECRET" not in json.dumps(seen["parent_environ"])


def test_in_namespaces_as_root_the_program_runs_as_nobody(
    seen: dict[str, object], namespaces: Isolation
) -> None:
    if os.geteuid() != 0:
        pytest.skip("not root here: the program runs as the platform's user in a user namespace")
    assert namespaces.run_as is not None
    assert seen["uid"] == namespaces.run_as[0] != 0


def test_in_namespaces_the_interpreter_and_its_packages_work(
    make_job: JobFactory, isolation: Isolation
) -> None:
    source = """
        import json, sys
        import jsonschema  # from the environment that runs evalkit
        print(json.dumps([sys.executable, sys.version]))
    """
    outcome = run_agent_job(make_job(workspace=program(source)))
    assert outcome.status == "completed", outcome.error
    assert outcome.output == [sys.executable, sys.version]


# -- choosing ------------------------------------------------------------------------------


def test_auto_takes_the_strongest_available(tmp_path: Path) -> None:
    chosen = choose_isolation("auto", tmp_path / "platform")
    for stronger in ("namespaces", "subreaper"):
        if chosen.mode == stronger:
            break
        with pytest.raises(IsolationUnavailable):
            choose_isolation(stronger, tmp_path / f"other-{stronger}")
        assert any(reason.startswith(f"{stronger}: ") for reason in chosen.fallbacks)


def test_the_environment_variable_picks_the_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VARIABLE, "process-group")
    assert choose_isolation("auto", tmp_path).mode == "process-group"
    monkeypatch.setenv(ENV_VARIABLE, "sandbox")
    with pytest.raises(IsolationUnavailable) as caught:
        choose_isolation("auto", tmp_path)
    assert str(caught.value) == (
        "unknown agent isolation 'sandbox' (from EVALKIT_AGENT_ISOLATION or --isolation); "
        "use one of: auto, namespaces, subreaper, process-group"
    )


def test_off_linux_only_the_process_group_is_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    chosen = choose_isolation("auto", tmp_path)
    assert chosen.mode == "process-group"
    assert chosen.fallbacks == ("namespaces: not Linux", "subreaper: not Linux")
    assert "process group only" in chosen.describe()
    assert "not Linux" in chosen.describe()
    with pytest.raises(IsolationUnavailable, match="'namespaces' is not available here: not Linux"):
        choose_isolation("namespaces", tmp_path)


def test_describe_says_what_is_hidden_and_as_whom(namespaces: Isolation, tmp_path: Path) -> None:
    text = namespaces.describe()
    assert text.startswith("agent isolation: namespaces.")
    others = ", ".join(path for path in namespaces.hide if path != namespaces.data_dir)
    assert f"hidden from them: the platform's data folder, {others} and every other" in text
    assert ("user nobody" in text) == (os.geteuid() == 0)


def test_outermost_drops_folders_inside_others() -> None:
    assert _outermost(["/tmp/a/b", "/tmp", "/root/x", "/root/x", "/rootless"]) == [
        "/root/x",
        "/rootless",
        "/tmp",
    ]


def test_a_folder_another_user_cannot_enter_blocks_what_is_below(outside_tmp: Path) -> None:
    closed = outside_tmp / "closed"
    inner = closed / "inner" / "python"
    inner.mkdir(parents=True)
    closed.chmod(0o700)
    stranger = (os.getuid() + 12345, os.getgid() + 12345)
    assert _blocked_ancestors([str(inner)], stranger) == [str(closed)]
    closed.chmod(0o755)
    assert _blocked_ancestors([str(inner)], stranger) == []


def test_make_data_private_leaves_only_scratch_reachable(tmp_path: Path) -> None:
    data = tmp_path / "platform"
    (data / "blobs").mkdir(parents=True)
    (data / "platform.sqlite3").write_text("")
    make_data_private(data, data / "scratch")
    mode = {path.name: stat.S_IMODE(path.stat().st_mode) for path in data.iterdir()}
    assert stat.S_IMODE(data.stat().st_mode) == 0o711
    assert mode == {"blobs": 0o700, "platform.sqlite3": 0o600, "scratch": 0o711}


def test_a_machine_where_programs_cannot_start_isolated_falls_back_saying_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(isolation_module, "_probed", {})  # probe again, with a broken launcher
    monkeypatch.setattr(isolation_module, "LAUNCHER", tmp_path / "missing-launcher.py")
    chosen = choose_isolation("auto", tmp_path / "platform")
    assert chosen.mode == "process-group"
    assert [reason.split(":")[0] for reason in chosen.fallbacks] == ["namespaces", "subreaper"]
    assert all("a test program ended with 2" in reason for reason in chosen.fallbacks)
    with pytest.raises(IsolationUnavailable, match="'subreaper' is not available here"):
        choose_isolation("subreaper", tmp_path / "platform")


def test_a_setup_step_that_fails_fails_the_run_naming_it(
    make_job: JobFactory, isolation: Isolation
) -> None:
    if isolation.mode != "namespaces":
        pytest.skip("only namespaces have setup steps that can fail after the probe")
    broken = replace(isolation, hide=(*isolation.hide, "/nonexistent-evalkit-folder"))
    job = replace(make_job(workspace=program("print(1)")), isolation=broken)
    outcome = run_agent_job(job)
    assert outcome.status == "failed"
    assert outcome.error == (
        "the agent program could not be isolated (namespaces): "
        "hide /nonexistent-evalkit-folder: No such file or directory"
    )


def test_the_launcher_reads_back_what_the_platform_wrote() -> None:
    isolation = Isolation("namespaces", (65534, 65533), False, ("/a=b", "/tmp"), ("/k",))
    command = isolation.command(["prog", "--", "x=1"], folder=Path("/f"), report_fd=9, grace=2.5)
    assert command[:4] == [sys.executable, "-I", "-S", str(isolation_module.LAUNCHER)]
    assert launcher.parse(command[4:]) == {
        "mode": "namespaces",
        "folder": "/f",
        "visible": "/tmp/evalkit-run",
        "hide": ["/a=b", "/tmp"],
        "keep": ["/k"],
        "cover": [],
        "run_as": [65534, 65533],
        "user_namespace": False,
        "tmp_size": isolation_module.TMPFS_SIZE,
        "report_fd": 9,
        "grace": 2.5,
        "argv": ["prog", "--", "x=1"],
    }


def test_more_folders_can_be_hidden(outside_tmp: Path) -> None:
    project = outside_tmp / "project"
    (project / "examples").mkdir(parents=True)
    (project / "examples" / "expected.json").write_text('"SECRET"')
    data = outside_tmp / "platform"
    isolation = choose_isolation("auto", data, hidden=[project, outside_tmp / "missing"])
    if isolation.mode != "namespaces":
        pytest.skip(f"only namespaces hide folders; here: {isolation.describe()}")
    source = f"""
        import json, os
        print(json.dumps(os.listdir({str(project)!r})))
    """
    job = AgentJob("exec_hide", program(source), {}, {}, [], data / "scratch", isolation=isolation)
    outcome = run_agent_job(job)
    assert outcome.status == "completed", outcome.error
    assert outcome.output == []
    assert str(outside_tmp / "missing") not in isolation.hide


def test_a_hidden_folder_inside_a_kept_one_stays_hidden(
    outside_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tools = Path(PRIVATE_TMP) / f"evalkit-tools-{uuid.uuid4().hex}"  # on PATH, under /tmp
    data = tools / "platform"
    (data / "blobs").mkdir(parents=True)
    (data / "blobs" / "secret").write_text("SECRET")
    (tools / "tool.sh").write_text("echo tool")
    tools.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    try:
        isolation = isolation_or_skip("namespaces", data)
        assert str(tools) in isolation.keep
        assert str(data) in isolation.cover
        source = f"""
            import json, os
            print(json.dumps([sorted(os.listdir({str(tools)!r})), os.listdir({str(data)!r})]))
        """
        job = AgentJob(
            "exec_cover", program(source), {}, {}, [], data / "scratch", isolation=isolation
        )
        outcome = run_agent_job(job)
    finally:
        shutil.rmtree(tools)
    assert outcome.status == "completed", outcome.error
    assert outcome.output == [["platform", "tool.sh"], []]


def test_an_isolation_choice_gives_what_was_chosen_or_why_not(
    make_job: JobFactory, tmp_path: Path
) -> None:
    chosen = IsolationChoice()
    chosen.choose_in_background(lambda: PROCESS_GROUP)
    assert chosen.get() is PROCESS_GROUP
    chosen.wait()
    assert IsolationChoice.known(PROCESS_GROUP).get() is PROCESS_GROUP

    def broken() -> Isolation:
        raise OSError("no room left")

    failed = IsolationChoice()
    failed.choose_in_background(broken)
    with pytest.raises(IsolationUnavailable, match=r"^the agent isolation could not be chosen: no"):
        failed.get()
    job = replace(make_job(workspace=program("print(1)")), isolation=failed)
    outcome = run_agent_job(job)
    assert (outcome.status, outcome.error) == (
        "failed",
        "the agent isolation could not be chosen: no room left",
    )
    assert not list(job.scratch_root.iterdir()), "nothing laid out for a program that cannot run"
