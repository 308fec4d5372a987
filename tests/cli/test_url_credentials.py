"""A key pasted into the base URL stops every command before it is used, and is never shown."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SECRET = "eg_pasted_in_the_url_0123"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "invoices"


@pytest.mark.parametrize(
    "command",
    [["plan"], ["sync", "--yes"], ["run", "--sync"], ["pull", "invoice-extractor"]],
)
@pytest.mark.parametrize("verbosity", [[], ["-vv"]])
def test_every_platform_command_refuses_a_url_with_credentials(
    tmp_path: Path, command: list[str], verbosity: list[str]
) -> None:
    project = tmp_path / "invoices"
    shutil.copytree(EXAMPLES, project, ignore=shutil.ignore_patterns(".evalkit"))
    argv = [
        sys.executable,
        "-m",
        "evalkit",
        "-m",
        str(project / "evalkit.yaml"),
        "--base-url",
        f"http://user:{SECRET}@127.0.0.1:9",
        "--api-key",
        "eg_the_real_key",
        *verbosity,
        *command,
    ]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    printed = result.stdout + result.stderr
    assert result.returncode == 2, printed
    assert "must not contain credentials" in printed
    assert "http://***@127.0.0.1:9" in printed
    assert "Traceback" not in printed
    assert SECRET not in printed
    assert not (project / ".evalkit" / "runs").exists(), "nothing ran"
