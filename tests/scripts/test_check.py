"""scripts/check, the README's test command: what it installs, when, and how it fails.

The script runs in a copy of the repository with every tool it calls replaced by a stub that
logs its arguments: Python, pip, the checks, apt-get, sudo, Playwright. PATH holds the stubs and
only the few system commands the script needs, so whether apt-get exists is up to each test.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_COMMANDS = ("bash", "env", "dirname", "basename", "cat", "chmod", "mkdir", "cp")

LOGGER = """#!/usr/bin/env bash
name=$(basename "$0")
echo "$name $*" >>"$CHECK_LOG"
if [ -f "$STUB_STATE/$name.exit" ]; then exit "$(cat "$STUB_STATE/$name.exit")"; fi
"""

# The venv's python: answers the script's questions, logs the rest.
VENV_PYTHON = """#!/usr/bin/env bash
case "$*" in
  *"import CHROMIUM"*) echo "$DEBIAN_CHROMIUM"; exit ;;
  *sync_playwright*) echo "$PLAYWRIGHT_CHROMIUM"; exit ;;
  "-c "*) exec "$REAL_PYTHON" "$@" ;;
  --version) echo "Python 3.11.7"; exit ;;
esac
echo "python $*" >>"$CHECK_LOG"
case "$*" in "-m playwright install chromium" | "-m playwright install --with-deps chromium")
  if [ -f "$STUB_STATE/playwright.exit" ]; then exit "$(cat "$STUB_STATE/playwright.exit")"; fi
  mkdir -p "$(dirname "$PLAYWRIGHT_CHROMIUM")"
  printf '#!/bin/sh\\n' >"$PLAYWRIGHT_CHROMIUM" && chmod +x "$PLAYWRIGHT_CHROMIUM" ;;
esac
"""

ACTIVATE = """VIRTUAL_ENV=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PATH="$VIRTUAL_ENV/bin:$PATH"
export VIRTUAL_ENV PATH
"""

# The python3 that makes the venv.
SYSTEM_PYTHON = """#!/usr/bin/env bash
case "$1" in
  -c) exec "$REAL_PYTHON" "$@" ;;
  --version) echo "Python 3.11.7"; exit ;;
esac
echo "python3 $*" >>"$CHECK_LOG"
if [ "$1 $2" = "-m venv" ]; then
  venv=${!#}
  mkdir -p "$venv"
  cp -R "$VENV_TEMPLATE/." "$venv/"
fi
"""

PYTEST = """#!/usr/bin/env bash
echo "pytest $* (EVALKIT_CHROMIUM=${EVALKIT_CHROMIUM:-})" >>"$CHECK_LOG"
if [ -f "$STUB_STATE/pytest.exit" ]; then exit "$(cat "$STUB_STATE/pytest.exit")"; fi
"""

APT_GET = """#!/usr/bin/env bash
echo "apt-get $*" >>"$CHECK_LOG"
[ "$1" = install ] || exit 0
if [ -f "$STUB_STATE/apt-get.exit" ]; then exit "$(cat "$STUB_STATE/apt-get.exit")"; fi
mkdir -p "$(dirname "$DEBIAN_CHROMIUM")"
status=$(cat "$STUB_STATE/chromium.exit" 2>/dev/null || echo 0)
printf '#!/bin/sh\\nexit %s\\n' "$status" >"$DEBIAN_CHROMIUM" && chmod +x "$DEBIAN_CHROMIUM"
"""

SUDO = """#!/usr/bin/env bash
echo "sudo $1" >>"$CHECK_LOG"
exec "$@"
"""

FAKE_ID = """#!/usr/bin/env bash
echo "${FAKE_UID:-0}"
"""


def _write(path: Path, text: str, *, executable: bool = True) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if executable:
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@dataclass
class Checkout:
    root: Path
    env: dict[str, str]
    log: Path
    state: Path
    debian_chromium: Path
    playwright_chromium: Path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        self.log.write_text("")
        return subprocess.run(
            [str(self.root / "scripts" / "check"), *args],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines()

    def fail(self, tool: str, status: int) -> None:
        (self.state / f"{tool}.exit").write_text(str(status))

    def add_tool(self, name: str, script: str) -> None:
        _write(self.root.parent / "stubs" / name, script)


@pytest.fixture
def checkout(tmp_path: Path) -> Checkout:
    root = tmp_path / "repo"
    _write(root / "scripts" / "check", (ROOT / "scripts" / "check").read_text())
    _write(root / "pyproject.toml", "[project]\nname = 'evalkit'\n", executable=False)
    template = tmp_path / "venv-template" / "bin"
    _write(template / "python", VENV_PYTHON)
    _write(template / "activate", ACTIVATE, executable=False)
    for tool in ("pip", "ruff", "mypy"):
        _write(template / tool, LOGGER)
    _write(template / "pytest", PYTEST)
    stubs = tmp_path / "stubs"
    _write(stubs / "python3", SYSTEM_PYTHON)
    _write(stubs / "id", FAKE_ID)
    system = tmp_path / "system"
    system.mkdir()
    for command in SYSTEM_COMMANDS:
        found = shutil.which(command)
        assert found is not None, command
        (system / command).symlink_to(found)
    state = tmp_path / "state"
    state.mkdir()
    log = tmp_path / "calls.log"
    debian_chromium = tmp_path / "usr-bin" / "chromium"
    playwright_chromium = tmp_path / "ms-playwright" / "chrome"
    env = {
        "PATH": f"{stubs}:{system}",
        "HOME": str(tmp_path),
        "CHECK_LOG": str(log),
        "STUB_STATE": str(state),
        "VENV_TEMPLATE": str(template.parent),
        "REAL_PYTHON": sys.executable,
        "DEBIAN_CHROMIUM": str(debian_chromium),
        "PLAYWRIGHT_CHROMIUM": str(playwright_chromium),
    }
    return Checkout(root, env, log, state, debian_chromium, playwright_chromium)


def with_apt(checkout: Checkout) -> Checkout:
    checkout.add_tool("apt-get", APT_GET)
    return checkout


CHECKS = [
    "ruff check .",
    "ruff format --check .",
    "mypy --strict evalkit scripts tests benchmarks",
]


def test_a_fresh_debian_machine_gets_a_venv_the_dev_tools_and_chromium_then_every_check(
    checkout: Checkout,
) -> None:
    result = with_apt(checkout).run("-x", "tests/emulator")
    assert result.returncode == 0, result.stdout + result.stderr
    assert checkout.calls() == [
        "python3 -m venv --clear .venv",
        "pip install -q -e .[dev]",
        "apt-get update -qq",
        "apt-get install -y -qq chromium",
        *CHECKS,
        "pytest -x tests/emulator (EVALKIT_CHROMIUM=)",
    ]
    assert "all checks passed" in result.stdout


def test_a_second_run_reuses_the_venv_and_installs_nothing(checkout: Checkout) -> None:
    with_apt(checkout).run()
    result = checkout.run()
    assert result.returncode == 0, result.stdout + result.stderr
    assert checkout.calls() == [*CHECKS, "pytest  (EVALKIT_CHROMIUM=)"]
    assert "reusing .venv" in result.stdout


def test_a_changed_pyproject_installs_the_dev_tools_again(checkout: Checkout) -> None:
    with_apt(checkout).run()
    with (checkout.root / "pyproject.toml").open("a") as pyproject:
        pyproject.write("# a new dependency\n")
    checkout.run()
    assert checkout.calls()[0] == "pip install -q -e .[dev]"


def test_without_root_apt_get_goes_through_sudo(checkout: Checkout) -> None:
    with_apt(checkout).add_tool("sudo", SUDO)
    checkout.env["FAKE_UID"] = "1000"
    result = checkout.run()
    assert result.returncode == 0, result.stdout + result.stderr
    assert checkout.calls()[2:6] == [
        "sudo env",
        "apt-get update -qq",
        "sudo env",
        "apt-get install -y -qq chromium",
    ]


@pytest.mark.parametrize(
    ("setup", "install"),
    [
        ("no apt-get", "python -m playwright install chromium"),
        ("not root, no sudo", "python -m playwright install chromium"),
        ("apt-get fails", "python -m playwright install --with-deps chromium"),
        ("its chromium does not run", "python -m playwright install --with-deps chromium"),
    ],
)
def test_without_debian_chromium_playwright_downloads_one_and_the_tests_use_it(
    checkout: Checkout, setup: str, install: str
) -> None:
    if setup == "not root, no sudo":
        with_apt(checkout)
        checkout.env["FAKE_UID"] = "1000"
    elif setup == "apt-get fails":
        with_apt(checkout).fail("apt-get", 100)
    elif setup == "its chromium does not run":  # Ubuntu's package: a stub that installs a snap
        with_apt(checkout).fail("chromium", 1)
    result = checkout.run()
    assert result.returncode == 0, result.stdout + result.stderr
    calls = checkout.calls()
    assert install in calls
    assert calls[-1] == f"pytest  (EVALKIT_CHROMIUM={checkout.playwright_chromium})"


def test_no_chromium_at_all_stops_before_the_checks_with_what_to_do(checkout: Checkout) -> None:
    checkout.fail("playwright", 1)
    result = checkout.run()
    assert result.returncode == 2
    assert "set EVALKIT_CHROMIUM to a Chromium executable" in result.stderr
    assert not [call for call in checkout.calls() if call.startswith(("ruff", "pytest"))]


def test_a_given_chromium_is_used_and_none_is_installed(checkout: Checkout) -> None:
    given = checkout.root / "my-chrome"
    _write(given, "#!/bin/sh\n")
    checkout.env["EVALKIT_CHROMIUM"] = str(given)
    result = with_apt(checkout).run()
    assert result.returncode == 0, result.stdout + result.stderr
    assert not [call for call in checkout.calls() if "apt-get" in call or "playwright" in call]
    assert checkout.calls()[-1] == f"pytest  (EVALKIT_CHROMIUM={given})"


def test_pytest_collecting_no_test_is_a_failure(checkout: Checkout) -> None:
    with_apt(checkout).fail("pytest", 5)
    result = checkout.run("-k", "no-such-test")
    assert result.returncode == 1
    assert "pytest collected no tests" in result.stderr
    assert "failed: pytest" in result.stdout


def test_every_check_runs_and_the_failed_ones_are_named(checkout: Checkout) -> None:
    with_apt(checkout).fail("ruff", 1)
    checkout.fail("mypy", 1)
    result = checkout.run()
    assert result.returncode == 1
    assert checkout.calls()[-4:] == [*CHECKS, "pytest  (EVALKIT_CHROMIUM=)"]
    assert "failed: ruff check, ruff format, mypy" in result.stdout


def test_a_failed_install_stops_with_exit_2(checkout: Checkout) -> None:
    with_apt(checkout).fail("pip", 1)
    result = checkout.run()
    assert result.returncode == 2
    assert "pip could not install evalkit's dev extra" in result.stderr
    assert not [call for call in checkout.calls() if call.startswith(("ruff", "pytest"))]


def test_the_script_is_executable() -> None:
    assert os.access(ROOT / "scripts" / "check", os.X_OK)
