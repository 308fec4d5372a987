"""With ``--json`` a command that fails (bad input, the platform, Ctrl-C) prints one JSON
document on standard output saying why: ``{"error": {...}, "problems": [...]}``, the problems
as ``validate`` gives them; standard error keeps the message for people."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import click
import pytest

from evalkit.cli.error_data import error_document
from evalkit.emulator.server import RunningPlatform
from evalkit.errors import ManifestError, ManifestProblem, SourceMark
from evalkit.exit_codes import DetailedPlanCode, ExitCode

from .harness import BROKEN, Evalkit, Outcome, project, remote

ERROR_KEYS = {"kind", "message", "where", "hint", "exit_code"}
PROBLEM_KEYS = {"file", "line", "column", "message", "key", "hint"}


def failure(outcome: Outcome) -> dict[str, Any]:
    """The one document on standard output, checked for the shape every command gives."""
    data: dict[str, Any] = json.loads(outcome.stdout)
    assert set(data["error"]) == ERROR_KEYS, data
    assert data["error"]["exit_code"] == outcome.code
    assert all(set(problem) >= PROBLEM_KEYS for problem in data["problems"]), data
    assert outcome.stderr.strip()  # people still read why on standard error
    assert "Traceback" not in outcome.stderr
    return data


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["plan"],
        ["plan", "--detailed-exitcode"],
        ["sync", "--yes"],
        ["pull", "tiny"],
        ["promote", "some-execution", "--agent", "tiny", "--name", "x"],
        ["harvest", "--agent", "tiny"],
        ["run", "--no-report"],
    ],
)
def test_a_broken_manifest_is_its_problems_for_every_command(
    evalkit: Evalkit, tmp_path: Path, closed_url: str, args: list[str]
) -> None:
    manifest = project(tmp_path, BROKEN)
    outcome = evalkit(*remote(closed_url), "-m", manifest, "--json", *args)
    data = failure(outcome)
    detailed = "--detailed-exitcode" in args
    assert outcome.code == (DetailedPlanCode.ERROR if detailed else ExitCode.USAGE)
    assert data["error"]["kind"] == "manifest"
    assert data["error"]["message"] == "1 problem in the manifest"
    [problem] = data["problems"]
    assert (problem["file"], problem["line"]) == (str(manifest), 2)
    assert "evalkit.yaml:2" in outcome.stderr
    validated = json.loads(evalkit("-m", manifest, "--json", "validate").stdout)
    assert data["problems"] == validated["problems"]


def test_validate_keeps_its_answer_and_says_the_error_as_every_command(
    evalkit: Evalkit, tmp_path: Path
) -> None:
    manifest = project(tmp_path, BROKEN)
    data = failure(evalkit("-m", manifest, "--json", "validate"))
    assert data["valid"] is False
    assert data["error"]["kind"] == "manifest"


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--concurrency", "0"],
        ["run", "--json-typo"],
        ["rn"],
        ["promote"],  # no execution id
        ["init", "{file}"],
        ["schema", "--out", "{file}/schema.json"],
        ["accept", "{dir}/nowhere", "--yes"],
        ["report", "{dir}/nowhere"],
        ["diff", "{dir}/a", "{dir}/b"],
        ["history", "{dir}/nowhere"],
        ["run", "--only", "no-such-agent"],
        ["sync"],  # no terminal and no --yes
        ["serve", "--host", "192.0.2.1", "--port", "0"],
    ],
)
def test_bad_input_is_one_error_document_whatever_the_command(
    evalkit: Evalkit, tmp_path: Path, platform: RunningPlatform, args: list[str]
) -> None:
    manifest = project(tmp_path / "project")
    (tmp_path / "a-file").write_text("not a folder")
    filled = [arg.format(file=tmp_path / "a-file", dir=tmp_path) for arg in args]
    outcome = evalkit(*remote(platform.base_url), "-m", manifest, "--json", *filled)
    assert outcome.code == ExitCode.USAGE, outcome.stderr
    data = failure(outcome)
    assert data["error"]["kind"] in {"usage", "input", "path"}
    assert data["problems"] == []


def test_a_bad_option_says_which_and_where_help_is(evalkit: Evalkit, tmp_path: Path) -> None:
    manifest = project(tmp_path)
    for args in (["--json", "run", "--concurrency", "0"], ["run", "--concurrency", "0", "--json"]):
        data = failure(evalkit("-m", manifest, *args))
        assert data["error"]["kind"] == "usage"
        assert data["error"]["where"] == "--concurrency"
        assert "Invalid value for '--concurrency'" in data["error"]["message"]
        assert data["error"]["hint"] == "see 'evalkit run --help'"


def test_an_unusable_path_is_where(evalkit: Evalkit, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    blocked = tmp_path / "a-file" / "sub"
    data = failure(evalkit("--json", "schema", "--out", blocked / "schema.json"))
    assert data["error"]["kind"] == "path"
    assert data["error"]["where"] == str(blocked)
    assert data["error"]["hint"]


def test_the_platform_is_a_platform_error_and_the_key_is_never_said(
    evalkit: Evalkit, tmp_path: Path, platform: RunningPlatform, closed_url: str
) -> None:
    manifest = project(tmp_path)
    secret = "eg_not_the_platforms_key_0123456789"
    refused = evalkit(*remote(platform.base_url, secret), "-m", manifest, "--json", "plan")
    assert refused.code == ExitCode.INFRASTRUCTURE
    assert failure(refused)["error"]["kind"] == "platform"
    assert secret not in refused.stdout + refused.stderr
    unreachable = evalkit(*remote(closed_url, secret), "-m", manifest, "--json", "plan")
    assert unreachable.code == ExitCode.INFRASTRUCTURE
    assert failure(unreachable)["error"]["kind"] == "platform"
    assert secret not in unreachable.stdout + unreachable.stderr
    with_password = closed_url.replace("//", "//user:hunter2secret@")
    refused_url = evalkit(*remote(with_password), "-m", manifest, "--json", "plan")
    assert refused_url.code == ExitCode.USAGE  # a URL with credentials is refused unused
    assert failure(refused_url)["error"]["kind"] == "input"
    assert "hunter2secret" not in refused_url.stdout + refused_url.stderr


def test_without_json_standard_output_stays_empty(evalkit: Evalkit, tmp_path: Path) -> None:
    manifest = project(tmp_path, BROKEN)
    outcome = evalkit("-m", manifest, "run", "--no-report")
    assert outcome.code == ExitCode.USAGE
    assert outcome.stdout == ""
    assert "evalkit.yaml:2" in outcome.stderr


def test_an_interruption_is_its_own_kind() -> None:
    data = error_document(KeyboardInterrupt(), ExitCode.INTERRUPTED)
    assert data["error"] == {
        "kind": "interrupted",
        "message": "interrupted",
        "where": None,
        "hint": None,
        "exit_code": 130,
    }
    assert error_document(click.exceptions.Abort(), 130)["error"]["message"] == "aborted"


def test_a_problem_keeps_its_mark_and_hint() -> None:
    problem = ManifestProblem(SourceMark("m.yaml", 3, 5), "bad slug", key="slug", hint="a-z")
    data = error_document(ManifestError([problem]), ExitCode.USAGE)
    assert data["problems"] == [
        {
            "file": "m.yaml",
            "line": 3,
            "column": 5,
            "message": "bad slug",
            "key": "slug",
            "hint": "a-z",
        }
    ]
    assert data["error"]["where"] == "m.yaml:3:5"


def test_a_port_in_use_is_usage(evalkit: Evalkit) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        outcome = evalkit("--json", "serve", "--port", str(taken.getsockname()[1]))
    assert outcome.code == ExitCode.USAGE
    assert failure(outcome)["error"]["kind"] == "usage"
