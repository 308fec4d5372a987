"""The command registry: every listed command loads, under its own name, with global options."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from evalkit.cli.main import COMMANDS, cli, load_command


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_listed_command_loads_under_its_name(name: str) -> None:
    command = load_command(name)
    assert command.name == name
    flags = {flag for param in command.params for flag in param.opts}
    assert {"-m", "--manifest", "--json"} <= flags


def test_help_lists_every_command_without_importing_them() -> None:
    probe = (
        "import sys; from evalkit.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('evalkit.emulator', "
        "'evalkit.runner', 'evalkit.sync', 'evalkit.manifest', 'fastapi'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    for name in COMMANDS:
        assert f"  {name} " in result.stdout
    assert result.stdout.strip().endswith("[]"), "help imported command modules"


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["rnu"])
    assert result.exit_code == 2
    assert "No such command 'rnu'" in result.output


def test_manifest_errors_exit_2_with_the_source_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "evalkit", "validate", "-m", "tests/manifest/cases/bad-enum.yaml"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "bad-enum.yaml:" in result.stderr
