"""``pass_env``: named variables of evalkit's environment reach agent programs, on a served
platform (``evalkit serve --pass-env``) and on the one ``evalkit run`` embeds
(``local_platform.pass_env``); their values never appear in any output or in the state."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from evalkit.cli.serve import serve
from evalkit.emulator.config import PlatformConfig
from tests.manifest.project_files import write_files
from tests.runner.test_cli_run import evalkit, finish

SECRET_NAME = "EVALKIT_TEST_SECRET"
UNSET_NAME = "EVALKIT_TEST_NEVER_SET"
#: the agent says whether it got the secret and its digest: never the value itself
PROGRAM = f"""\
import hashlib, json, os
value = os.environ.get({SECRET_NAME!r})
print(json.dumps({{
    "got": value is not None,
    "digest": hashlib.sha256(value.encode()).hexdigest() if value is not None else None,
    "unset_seen": {UNSET_NAME!r} in os.environ,
}}))
"""


def _project(root: Path, secret: str, *, pass_env: bool) -> Path:
    local = f"local_platform:\n  pass_env: [{SECRET_NAME}, {UNSET_NAME}]\n" if pass_env else ""
    expected = {
        "got": True,
        "digest": hashlib.sha256(secret.encode()).hexdigest(),
        "unset_seen": False,
    }
    return write_files(
        root,
        {
            "evalkit.yaml": (
                "version: 1\n"
                f"{local}"
                "agents:\n"
                "  - slug: secret-reader\n"
                "    config: {triggers: {api: {enabled: true}}}\n"
                "    workspace: agent/\n"
                "    examples: agent/examples/\n"
            ),
            "agent/main.py": PROGRAM,
            "agent/examples/one/input.json": {},
            "agent/examples/one/expected.json": expected,
        },
    )


def _files_holding(folder: Path, secret: str) -> list[Path]:
    needle = secret.encode()
    return [p for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_serve_refuses_a_pass_env_that_is_not_a_variable_name(tmp_path: Path) -> None:
    result = CliRunner().invoke(serve, ["--data", str(tmp_path), "--pass-env", "OPENAI-KEY"])
    assert result.exit_code == 2
    assert "--pass-env" in result.output
    assert "'OPENAI-KEY' is not an environment variable name" in result.output
    assert not (tmp_path / "platform.sqlite3").exists()


def test_serve_refuses_to_pass_evalkits_own_key(tmp_path: Path) -> None:
    result = CliRunner().invoke(serve, ["--data", str(tmp_path), "--pass-env", "EIGENPAL_API_KEY"])
    assert result.exit_code == 2
    assert "EIGENPAL_API_KEY is evalkit's own secret" in result.output
    assert not (tmp_path / "platform.sqlite3").exists()


def test_serve_refuses_to_pass_its_own_key(tmp_path: Path) -> None:
    # It started, and every agent program got the key to the platform's whole API.
    result = CliRunner().invoke(
        serve,
        # a host refused after the options are read: were the name let through, serve stops
        # there (exit 2, another message) instead of serving until killed
        ["--data", str(tmp_path), "--host", "192.0.2.1", "--pass-env", "EVALKIT_SERVE_API_KEY"],
        env={"EVALKIT_SERVE_API_KEY": "eg_servekey_999"},
    )
    assert result.exit_code == 2
    assert "EVALKIT_SERVE_API_KEY is evalkit's own secret" in result.output
    assert "eg_servekey_999" not in result.output
    assert not (tmp_path / "platform.sqlite3").exists()


@pytest.mark.parametrize("name", ["EIGENPAL_API_KEY", "EVALKIT_SERVE_API_KEY"])
def test_a_platform_config_refuses_to_pass_a_key(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match=f"{name} is evalkit's own secret"):
        PlatformConfig(data_dir=tmp_path, api_keys=("eg_k",), pass_env=(name,))


@pytest.mark.slow
def test_the_embedded_platform_passes_the_manifest_pass_env(tmp_path: Path) -> None:
    secret = "sk-embedded-" + secrets.token_hex(16)
    project = _project(tmp_path / "project", secret, pass_env=True)
    code, stdout, stderr = finish(
        evalkit("run", "--out", str(tmp_path / "out"), cwd=project, env={SECRET_NAME: secret})
    )
    assert code == 0, stdout + stderr
    assert f"agent programs get {SECRET_NAME} from this environment" in stderr
    warning = f"warning: {UNSET_NAME} is not set here"
    assert stderr.count(warning) == 1
    assert secret not in stdout + stderr
    assert _files_holding(project, secret) == []
    assert _files_holding(tmp_path / "out", secret) == []


@pytest.mark.slow
def test_without_pass_env_the_program_gets_nothing(tmp_path: Path) -> None:
    secret = "sk-kept-" + secrets.token_hex(16)
    project = _project(tmp_path / "project", secret, pass_env=False)
    code, stdout, stderr = finish(
        evalkit("run", "--out", str(tmp_path / "out"), cwd=project, env={SECRET_NAME: secret})
    )
    assert code == 1, stdout + stderr  # the example expects the secret: it fails
    assert "agent programs get" not in stderr


@pytest.mark.slow
def test_a_served_platform_passes_only_its_pass_env(tmp_path: Path) -> None:
    secret = "sk-served-" + secrets.token_hex(16)
    project = _project(tmp_path / "project", secret, pass_env=False)
    data = tmp_path / "served"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200", SECRET_NAME: secret}
    env.pop("EVALKIT_SERVE_API_KEY", None)
    env.pop(UNSET_NAME, None)
    command = [sys.executable, "-m", "evalkit", "serve", "--port", "0", "--data", str(data)]
    server = subprocess.Popen(
        [*command, "--pass-env", SECRET_NAME, "--pass-env", UNSET_NAME],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert server.stdout is not None
        url_line, key_line = server.stdout.readline(), server.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", url_line)
        key = re.fullmatch(r"API key: (eg_local_\S+)\n", key_line)
        assert url, url_line
        assert key, key_line
        # The run's own environment has no secret: what the agent gets comes from serve.
        run_env = {"EIGENPAL_BASE_URL": url.group(0), "EIGENPAL_API_KEY": key.group(1)}
        code, stdout, stderr = finish(
            evalkit("run", "--sync", "--out", str(tmp_path / "out"), cwd=project, env=run_env)
        )
        server.send_signal(signal.SIGINT)
        served_out, served_err = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert code == 0, stdout + stderr
    served = url_line + key_line + served_out + served_err
    assert f"agent programs get {SECRET_NAME} from this environment" in served
    assert served.count(f"warning: {UNSET_NAME} is not set here") == 1
    assert secret not in served + stdout + stderr
    assert (data / "platform.sqlite3").exists()
    assert _files_holding(data, secret) == []
    assert _files_holding(tmp_path / "out", secret) == []
