"""``evalkit serve``: refusals through click's runner, a real run as a subprocess."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from evalkit.cli.main import main
from evalkit.cli.serve import is_loopback, serve


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.4", False),
        ("example.com", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_public_host_needs_allow_remote(tmp_path: Path) -> None:
    result = CliRunner().invoke(serve, ["--host", "0.0.0.0", "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert "--allow-remote" in result.output
    assert "0.0.0.0" in result.output
    assert not (tmp_path / "platform.sqlite3").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fault-error-rate", "2"], "--fault-error-rate"),
        (["--fault-path", "(oops"], "path_pattern"),
        (["--workers", "0"], "--workers"),
        (["--isolation", "sandbox"], "'auto', 'namespaces', 'subreaper', 'process-group'"),
    ],
)
def test_bad_flags_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(serve, ["--data", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(serve, ["--port", str(port), "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_serve_in_a_subprocess_prints_url_and_key_and_stops_cleanly(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    env.pop("EVALKIT_SERVE_API_KEY", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "evalkit", "serve", "--port", "0", "--data", str(tmp_path / "d")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        url_line = process.stdout.readline()
        key_line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", url_line)
        key = re.fullmatch(r"API key: (eg_local_\S+)\n", key_line)
        assert url, url_line
        assert key, key_line
        headers = {"Authorization": f"Bearer {key.group(1)}"}
        response = None
        for _ in range(100):  # the socket is bound before the line is printed; wait for uvicorn
            assert process.poll() is None, "the server exited early"
            try:
                response = httpx.get(f"{url.group(0)}/api/v1/agents", headers=headers, timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        assert response is not None
        assert response.status_code == 200
        process.send_signal(stop_signal)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert "stopped." in stderr
    assert "agent isolation: " in stderr, "serve says what isolation agent programs get"
    assert (tmp_path / "d" / "platform.sqlite3").exists()


@pytest.mark.slow
def test_a_given_key_is_never_printed(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "EVALKIT_SERVE_API_KEY": "eg_secret_given"}
    process = subprocess.Popen(
        [sys.executable, "-m", "evalkit", "serve", "--port", "0", "--data", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "http://127.0.0.1:" in first
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "eg_secret_given" not in first + stdout + stderr


def _serve_refused(tmp_path: Path, args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """``evalkit serve ARGS`` in a subprocess, expected to stop at once: its code and output
    (a serve that starts instead is killed, and the test fails)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "evalkit", "serve", "--port", "0", "--data", str(tmp_path), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**_without_serve_key(), "PYTHONUNBUFFERED": "1", **env},
    )
    try:
        stdout, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        pytest.fail(f"evalkit serve started with an unusable key: {stdout}{stderr}")
    return process.returncode, stdout + stderr


def _without_serve_key() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name != "EVALKIT_SERVE_API_KEY"}


UNUSABLE_KEYS = [
    ("", "is empty"),
    (" eg_padded_secret ", "around it"),
    ("eg_padded_secret\n", "around it"),
    ("eg_line\nbreak_secret", "control character"),
    ("eg_sécret", "non-ASCII"),
]


@pytest.mark.parametrize(("key", "problem"), UNUSABLE_KEYS)
@pytest.mark.parametrize("given_as", ["--api-key", "EVALKIT_SERVE_API_KEY"])
def test_a_key_clients_cannot_send_is_refused_unshown(
    tmp_path: Path, key: str, problem: str, given_as: str
) -> None:
    """An empty key started a platform that refused everyone with 401 (and the variable set
    empty had a key generated); one with spaces around it, a platform evalkit's client could
    not talk to. The rule is the client's: ``evalkit.api.keys``."""
    args, env = ([given_as, key], {}) if given_as == "--api-key" else ([], {given_as: key})
    code, printed = _serve_refused(tmp_path, args, env)
    assert code == 2, printed
    assert given_as in printed
    assert problem in printed
    assert "Traceback" not in printed
    assert "secret" not in printed
    assert "sécret" not in printed
    assert not (tmp_path / "platform.sqlite3").exists()


#: ``evalkit serve`` that gets a SIGINT the moment its address is shown: the earliest a user or a
#: script can know it is up and decide to stop it
INTERRUPTED_AT_ONCE = """
import signal
import sys

from evalkit.cli import output
from evalkit.cli.main import main

say = output.say


def say_then_interrupt(*args, **kwargs):
    say(*args, **kwargs)
    signal.raise_signal(signal.SIGINT)


output.say = say_then_interrupt
main(sys.argv[1:])
"""


@pytest.mark.slow
@pytest.mark.parametrize("sigint_ignored", [False, True], ids=["sigint-default", "sigint-ignored"])
def test_a_sigint_as_soon_as_the_address_is_shown_stops_cleanly(
    tmp_path: Path, sigint_ignored: bool
) -> None:
    """A SIGINT before uvicorn took over was a KeyboardInterrupt in the middle of the start-up
    ('aborted', exit 130, the platform left open) or, in a process started with SIGINT ignored
    (a background job of a script, as a CI step may be), lost: the server never stopped."""
    args = ["serve", "--port", "0", "--data", str(tmp_path / "d")]
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if sigint_ignored else None
    try:  # a child inherits an ignored signal
        process = subprocess.Popen(
            [sys.executable, "-c", INTERRUPTED_AT_ONCE, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    try:
        stdout, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail("evalkit serve did not stop on the SIGINT")
    assert "http://127.0.0.1:" in stdout
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert "stopped." in stderr


def test_a_bad_workflow_file_is_reported_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "broken.yaml").write_text("steps: [unclosed\n")
    args = ["serve", "--port", "0", "--data", str(tmp_path / "d"), "--workflows", str(flows)]
    with pytest.raises(SystemExit) as caught:
        main(args)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "broken.yaml:2:1" in err
    assert "Traceback" not in err
