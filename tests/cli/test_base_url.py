"""The platform's URL and the proxy to it, as a user gives them: a mistake in either stops a
command with exit 2 and a message naming where it came from, and shows no secret."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evalkit.emulator.server import RunningPlatform
from tests.socks_proxy import socks_proxy

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


def test_a_platform_behind_a_socks_proxy_is_reached_through_it(
    tmp_path: Path, platform: RunningPlatform
) -> None:
    """``HTTP_PROXY=socks5://user:password@...``: a traceback ending in an ImportError (httpx
    needs socksio); now the proxy carries every request, and its password is never shown."""
    host, port = platform.base_url.removeprefix("http://").rsplit(":", 1)
    with socks_proxy((host, int(port)), user="me", password="pw_of_the_proxy") as (at, proxy):
        code, printed = _evalkit(
            tmp_path,
            ["--base-url", "http://platform.example.invalid", "-vv", "plan"],
            {"HTTP_PROXY": f"socks5://me:pw_of_the_proxy@127.0.0.1:{at}"},
        )
    assert code == 0, printed
    assert set(proxy.seen) == {"me platform.example.invalid:80"}
    assert "pw_of_the_proxy" not in printed


@pytest.mark.parametrize("variable", ["ALL_PROXY", "https_proxy"])
def test_a_proxy_evalkit_cannot_use_is_refused_naming_its_variable(
    tmp_path: Path, variable: str
) -> None:
    code, printed = _evalkit(
        tmp_path,
        ["--base-url", "https://platform.example.invalid", "run"],
        {variable: "socks4://me:pw_of_the_proxy@127.0.0.1:9"},
    )
    assert code == 2, printed
    assert f"error: {variable} names a proxy" in printed
    assert "socks5" in printed
    assert "Traceback" not in printed
    assert "pw_of_the_proxy" not in printed


@pytest.mark.parametrize(("variable", "command"), [("HTTP_PROXY", "plan"), ("ALL_PROXY", "run")])
def test_an_unreachable_socks_proxy_is_platform_trouble_with_its_password_unshown(
    tmp_path: Path, closed_url: str, variable: str, command: str
) -> None:
    at = closed_url.removeprefix("http://")
    code, printed = _evalkit(
        tmp_path,
        ["--base-url", "http://platform.example.invalid", "-vv", command],
        {variable: f"socks5://me:pw_of_the_proxy@{at}"},
    )
    assert code == 3, printed
    assert "cannot reach the EigenPal API" in printed
    assert "Traceback" not in printed
    assert "pw_of_the_proxy" not in printed
