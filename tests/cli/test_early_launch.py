"""``evalkit run`` on the local platform launches the platform's process before its own imports;
nothing is launched for help, another command or a remote platform, and a launch a usage error
leaves unused is stopped before it opened any state."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from evalkit.cli.early_launch import is_local_run
from evalkit.cli.main import cli, main
from evalkit.emulator import child
from evalkit.emulator.config import PlatformConfig
from tests.emulator.test_child import ended
from tests.runner.test_cli_run import copy_project

#: what ``evalkit run`` imports after the launch (the run, its manifest, its models, its client)
HEAVY_MODULES = (
    "evalkit.cli.run",
    "evalkit.evaluation",
    "evalkit.manifest",
    "evalkit.runner.config",
    "evalkit.client",
    "pydantic",
    "httpx",
)


@pytest.fixture
def launches(monkeypatch: pytest.MonkeyPatch) -> list[child.PlatformLaunch]:
    """Every ``PlatformLaunch`` made from now on, as it is made."""
    made: list[child.PlatformLaunch] = []
    real_init = child.PlatformLaunch.__init__

    def launch(self: child.PlatformLaunch) -> None:
        real_init(self)
        made.append(self)

    monkeypatch.setattr(child.PlatformLaunch, "__init__", launch)
    monkeypatch.delenv("EIGENPAL_BASE_URL", raising=False)
    monkeypatch.delenv("EIGENPAL_API_KEY", raising=False)
    return made


def _exit_code(args: list[str]) -> int | str | None:
    with pytest.raises(SystemExit) as ended_with:
        main(args)
    return ended_with.value.code


@pytest.mark.parametrize(
    ("args", "local"),
    [
        (["run"], True),
        (["-vv", "--json", "-m", "other.yaml", "run", "--only", "a"], True),
        (["--manifest=other.yaml", "run", "--concurrency", "4"], True),
        (["run", "--bogus"], True),  # (click refuses it later: the launch is then stopped)
        (["--base-url", "http://platform.example", "run"], False),
        (["run", "--base-url", "http://platform.example"], False),
        (["run", "--base-url=http://platform.example"], False),
        (["--base-url", "http://platform.example", "run", "--local"], True),
        (["--local", "run", "--base-url", "http://platform.example"], True),
        (["run", "--base-url="], True),  # empty: not a URL, as the options read it
        (["run", "--help"], False),
        (["-h", "run"], False),
        (["--version", "run"], False),
        (["--help"], False),
        ([], False),
        (["validate"], False),
        (["serve"], False),
        (["--no-such-option", "run"], False),
        (["-m", "run", "sync"], False),  # "run" is the manifest's name here
    ],
)
def test_which_command_lines_launch_the_local_platform(
    args: list[str], local: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EIGENPAL_BASE_URL", raising=False)
    assert is_local_run(cli, args) is local


def test_a_base_url_from_the_environment_is_remote_unless_local(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EIGENPAL_BASE_URL", "http://platform.example")
    assert not is_local_run(cli, ["run"])
    assert is_local_run(cli, ["--local", "run"])
    monkeypatch.setenv("EIGENPAL_BASE_URL", "")
    assert is_local_run(cli, ["run"])


def test_the_platform_is_launched_before_the_runs_imports(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from evalkit.emulator import child\n"
        "loaded = []\n"
        "real = child.PlatformLaunch.__init__\n"
        "def launch(self):\n"
        f"    loaded.append(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules))\n"
        "    real(self)\n"
        "child.PlatformLaunch.__init__ = launch\n"
        "from evalkit.cli.main import main\n"
        "try:\n    main(['run', '-m', 'missing.yaml'])\n"
        "except SystemExit as ended:\n    print(loaded, ended.code)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("EIGENPAL_")}
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert result.stdout.strip() == "[[]] 2", result.stderr
    assert not (tmp_path / ".evalkit").exists(), "the launch was never given a configuration"


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--help"],
        ["--help"],
        ["-m", "missing.yaml", "validate"],
        ["-m", "missing.yaml", "run", "--base-url", "http://127.0.0.1:9", "--api-key", "k"],
        ["--base-url", "http://127.0.0.1:9", "-m", "missing.yaml", "run", "--api-key", "k"],
    ],
)
def test_nothing_is_launched_for_help_another_command_or_a_remote_platform(
    args: list[str],
    launches: list[child.PlatformLaunch],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    _exit_code(args)
    assert launches == []


def test_a_usage_error_stops_the_launch_before_it_opened_any_state(
    launches: list[child.PlatformLaunch], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _exit_code(["run", "--bogus"]) == 2
    assert len(launches) == 1
    assert ended(launches[0].pid), "stopped and waited for: no orphan"
    assert not (tmp_path / ".evalkit").exists()


def test_an_unused_launch_leaves_no_resource_warning(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EIGENPAL_")}
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", "-m", "evalkit", "run", "--bogus"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 2
    assert "No such option: --bogus" in result.stderr or "--bogus" in result.stderr
    assert "Warning" not in result.stderr
    assert "Traceback" not in result.stderr


def test_the_run_is_served_by_the_process_launched_before_its_imports(
    launches: list[child.PlatformLaunch], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_project(tmp_path) / "examples" / "invoices"
    started: list[int] = []
    real_start = child.PlatformLaunch.start

    def start(
        self: child.PlatformLaunch, config: PlatformConfig, **options: Any
    ) -> child.ChildPlatform:
        started.append(self.pid)
        return real_start(self, config, **options)

    monkeypatch.setattr(child.PlatformLaunch, "start", start)
    monkeypatch.chdir(project)
    code = _exit_code(
        ["run", "--example", "acme-*", "--no-report", "--out", str(tmp_path / "r"), "--json"]
    )
    assert code == 0
    assert started == [launch.pid for launch in launches] != []
    assert all(ended(pid) for pid in started), "the run waited for its platform"
