"""The platform's URL as a user gives it: a mistake stops a command with exit 2 and a message
naming where it came from, and shows no secret."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evalkit.emulator.server import RunningPlatform

from .harness import PLATFORM_KEY

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "invoices"
SECRET = "SECRETQ_token"
#: what a user's environment may hold that these tests set themselves (any case)
VARIABLES = {"eigenpal_base_url", "eigenpal_api_key", "request_method"} | {
    f"{scheme}_proxy" for scheme in ("http", "https", "all", "no")
}


def _evalkit(tmp_path: Path, args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    """``evalkit -m <a copy of the invoices example> ARGS``: its exit code and all it printed."""
    project = tmp_path / "invoices"
    if not project.exists():
        shutil.copytree(EXAMPLES, project, ignore=shutil.ignore_patterns(".evalkit"))
    clean = {name: value for name, value in os.environ.items() if name.lower() not in VARIABLES}
    result = subprocess.run(
        [sys.executable, "-m", "evalkit", "-m", str(project / "evalkit.yaml"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**clean, "EIGENPAL_API_KEY": PLATFORM_KEY, **(env or {})},
    )
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize("command", ["plan", "run"])
@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://127.0.0.1:abc", "has a port that is not a number from 1 to 65535"),
        ("http://127.0.0.1:99999", "has a port that is not a number from 1 to 65535"),
        (f"http://127.0.0.1:8801/?token={SECRET}", "must not have a query"),
        (f"http://127.0.0.1:8801#{SECRET}", "must not have a query"),
    ],
)
@pytest.mark.parametrize("given_as", ["--base-url", "EIGENPAL_BASE_URL"])
def test_a_base_url_that_cannot_work_is_refused_before_anything_runs(
    tmp_path: Path, command: str, url: str, problem: str, given_as: str
) -> None:
    """It was a traceback ending in httpx.InvalidURL (exit 1), or a connection error or 404
    (exit 3) after a banner quoting the query."""
    if given_as == "--base-url":
        code, printed = _evalkit(tmp_path, ["--base-url", url, command])
    else:
        code, printed = _evalkit(tmp_path, [command], {given_as: url})
    assert code == 2, printed
    assert f"error: {given_as} {problem}" in printed
    assert "Traceback" not in printed
    assert SECRET not in printed
    assert not (tmp_path / "invoices" / ".evalkit" / "runs").exists(), "nothing ran"


def test_an_upper_case_scheme_is_http(tmp_path: Path, platform: RunningPlatform) -> None:
    upper = platform.base_url.replace("http://", "HTTP://")
    code, printed = _evalkit(tmp_path, ["--base-url", upper, "plan"])
    assert code == 0, printed
    assert f"platform: remote platform {platform.base_url}\n" in printed
