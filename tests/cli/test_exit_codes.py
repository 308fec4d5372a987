"""One table of exit codes: every command exits as ``evalkit.exit_codes`` says, against a
closed loopback port, a local platform that refuses the key, and bad input; each command's
--help is rendered from the same table (the README's: tests/cli/test_readme_exit_codes.py)."""

from __future__ import annotations

import ast
import dataclasses
import re
import socket
from pathlib import Path

import click
import pytest

from evalkit.cli.main import COMMANDS, load_command
from evalkit.client.errors import EigenpalConfigError, EigenpalConnectionError, error_for_status
from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.faults import FaultConfig
from evalkit.emulator.server import RunningPlatform, start_platform
from evalkit.errors import ManifestError, PlanError, RunError
from evalkit.exit_codes import (
    DETAILED,
    RUN_STATUS_CODES,
    SYNC_STATE_CODES,
    DetailedPlanCode,
    ExitCode,
    RunStatus,
    codes_of,
    commands,
    exit_code_for,
)
from evalkit.runner.presync import SyncFailed
from evalkit.runner.versions import VersionLookupFailed

from .harness import BROKEN, PLATFORM_KEY, SMALL, Evalkit, project, remote

ROOT = Path(__file__).resolve().parents[2]

FAILING = SMALL.replace("builtin: fixed, output: {ok: true}", "builtin: fail")


#: how each command that talks to a platform is called (``{dir}``: a fresh folder)
PLATFORM_COMMANDS = {
    "plan": ["plan"],
    DETAILED: ["plan", "--detailed-exitcode"],
    "sync": ["sync", "--yes"],
    "pull": ["pull", "tiny", "--dir", "{dir}"],
    "run": ["run", "--no-report", "--out", "{dir}"],
}
#: what a platform error gives each of them: 3, but 1 for Terraform's --detailed-exitcode
PLATFORM_ERROR = dict.fromkeys(PLATFORM_COMMANDS, ExitCode.INFRASTRUCTURE) | {
    DETAILED: DetailedPlanCode.ERROR
}


def _args(name: str, tmp_path: Path) -> list[str]:
    return [arg.format(dir=tmp_path / "out") for arg in PLATFORM_COMMANDS[name]]


@pytest.mark.parametrize("name", list(PLATFORM_COMMANDS))
def test_an_unreachable_platform_exits_3(
    evalkit: Evalkit, tmp_path: Path, closed_url: str, name: str
) -> None:
    manifest = project(tmp_path / "project")
    result = evalkit(*remote(closed_url, "eg_secret_key"), "-m", manifest, *_args(name, tmp_path))
    assert result.code == PLATFORM_ERROR[name], result.stderr
    assert PLATFORM_ERROR[name] in codes_of(name)
    assert "cannot reach the EigenPal API" in result.stderr
    assert "Traceback" not in result.stderr
    assert "eg_secret_key" not in result.stdout + result.stderr


@pytest.mark.parametrize("name", list(PLATFORM_COMMANDS))
def test_a_refused_key_exits_3(
    evalkit: Evalkit, tmp_path: Path, platform: RunningPlatform, name: str
) -> None:
    manifest = project(tmp_path / "project")
    wrong = remote(platform.base_url, "eg_not_the_platforms_key")
    result = evalkit(*wrong, "-m", manifest, *_args(name, tmp_path))
    assert result.code == PLATFORM_ERROR[name], result.stderr
    assert "invalid API key" in result.stderr
    assert "Traceback" not in result.stderr
    assert "eg_not_the_platforms_key" not in result.stdout + result.stderr


@pytest.mark.parametrize("name", list(PLATFORM_COMMANDS))
def test_a_broken_manifest_exits_2_without_contacting_the_platform(
    evalkit: Evalkit, tmp_path: Path, closed_url: str, name: str
) -> None:
    manifest = project(tmp_path / "project", BROKEN)
    # pull into the broken manifest itself, not into another folder's
    args = ["pull", "tiny"] if name == "pull" else _args(name, tmp_path)
    result = evalkit(*remote(closed_url), "-m", manifest, *args)
    expected = DetailedPlanCode.ERROR if name == DETAILED else ExitCode.USAGE
    assert result.code == expected, result.stderr
    assert "evalkit.yaml:2" in result.stderr
    assert "cannot reach" not in result.stderr


def test_a_used_out_folder_exits_2_before_the_platform_is_contacted_or_synced(
    evalkit: Evalkit, tmp_path: Path, closed_url: str
) -> None:
    manifest = project(tmp_path / "project")
    used = tmp_path / "out"
    used.mkdir()
    (used / "results.jsonl").write_text('{"kept": true}\n')
    result = evalkit(*remote(closed_url), "-m", manifest, "run", "--sync", "--out", used)
    assert result.code == ExitCode.USAGE, result.stderr
    assert "results.jsonl already exists" in result.stderr
    assert "cannot reach" not in result.stderr  # refused before any call: nothing synced
    assert (used / "results.jsonl").read_text() == '{"kept": true}\n'


def test_a_bad_option_of_a_detailed_plan_is_1_not_2_which_means_changes(
    evalkit: Evalkit, tmp_path: Path
) -> None:
    manifest = project(tmp_path / "project")
    result = evalkit("-m", manifest, "plan", "--detailed-exitcode", "--concurrency", "0")
    assert result.code == DetailedPlanCode.ERROR
    assert "--concurrency" in result.stderr
    plain = evalkit("-m", manifest, "plan", "--concurrency", "0")
    assert plain.code == ExitCode.USAGE


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["schema", "--out", "{file}/schema.json"],
        ["init", "{file}"],
        ["pull", "--dir", "{dir}"],  # no slug
        ["report", "{dir}/no-such-run"],
        ["run", "--only", "no-such-agent"],
        ["sync"],  # no terminal and no --yes
        ["serve", "--host", "192.0.2.1", "--port", "0"],  # not loopback
        ["serve", "--port", "{taken}"],
    ],
)
def test_bad_input_exits_2(
    evalkit: Evalkit, tmp_path: Path, platform: RunningPlatform, args: list[str]
) -> None:
    manifest = project(tmp_path / "project", BROKEN if args == ["validate"] else SMALL)
    (tmp_path / "a-file").write_text("not a folder")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        values = {
            "file": tmp_path / "a-file",
            "dir": tmp_path / "out",
            "taken": taken.getsockname()[1],
        }
        filled = [arg.format(**values) for arg in args]
        result = evalkit(*remote(platform.base_url), "-m", manifest, *filled)
    assert result.code == ExitCode.USAGE, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip()


def test_pulling_an_agent_the_platform_does_not_have_exits_2(
    evalkit: Evalkit, tmp_path: Path, platform: RunningPlatform
) -> None:
    manifest = project(tmp_path / "project")
    result = evalkit(*remote(platform.base_url), "-m", manifest, "pull", "nobody-has-this")
    assert result.code == ExitCode.USAGE, result.stderr
    assert "no agent 'nobody-has-this' on the platform" in result.stderr


def test_the_answer_no_is_1_and_success_is_0(
    evalkit: Evalkit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert evalkit("init", "fresh").code == ExitCode.OK
    manifest = tmp_path / "fresh" / "evalkit.yaml"
    assert evalkit("-m", manifest, "validate").code == ExitCode.OK
    assert evalkit("schema", "--out", "-").code == ExitCode.OK
    stale = evalkit("schema", "--check", "--out", tmp_path / "missing.json")
    assert stale.code == ExitCode.FAILURE

    # The local platform, started by each command: run syncs first, then passes.
    passing = evalkit("-m", manifest, "run", "--out", tmp_path / "pass")
    assert passing.code == ExitCode.OK, passing.stderr
    assert evalkit("report", tmp_path / "pass", "--gate").code == ExitCode.OK
    assert evalkit("-m", manifest, "plan", "--detailed-exitcode").code == 0

    failing = project(tmp_path / "failing", FAILING)
    gate = evalkit("-m", failing, "run", "--out", tmp_path / "fail", "--no-report")
    assert gate.code == ExitCode.FAILURE, gate.stderr
    assert evalkit("report", tmp_path / "fail", "--gate").code == ExitCode.FAILURE


def test_report_gate_gives_the_runs_own_infrastructure_code(
    evalkit: Evalkit, tmp_path: Path
) -> None:
    from evalkit.report.shard_merge import write_run
    from tests.report.sample_runs import failing_variant

    run = failing_variant(tmp_path / "variant", with_baseline=False)
    assert run.summary is not None
    summary = run.summary.model_copy(
        update={"status": "infrastructure", "exit_code": ExitCode.INFRASTRUCTURE}
    )
    folder = tmp_path / "run"
    folder.mkdir()
    write_run(dataclasses.replace(run, summary=summary), folder)
    assert evalkit("report", folder, "--gate").code == ExitCode.INFRASTRUCTURE
    assert evalkit("report", folder).code == ExitCode.OK  # without --gate: reports written


def test_a_sync_whose_every_write_fails_exits_3(evalkit: Evalkit, tmp_path: Path) -> None:
    """The saved plan is current, but the platform fails every agent creation: nothing was
    applied because of the platform, which is 3 like a partly applied sync (run it again)."""
    manifest = project(tmp_path / "project")
    saved = tmp_path / "plan.json"
    data = tmp_path / "platform"
    with start_platform(PlatformConfig(data_dir=data, api_keys=(PLATFORM_KEY,))) as running:
        planned = evalkit(*remote(running.base_url), "-m", manifest, "plan", "--out", saved)
        assert planned.code == ExitCode.OK, planned.stderr
    failing_writes = FaultConfig(error_rate=1.0, path_pattern=r"/agents$")
    config = PlatformConfig(data_dir=data, api_keys=(PLATFORM_KEY,), faults=failing_writes)
    with start_platform(config) as running:
        result = evalkit(
            *remote(running.base_url), "-m", manifest, "sync", "--plan", saved, "--yes"
        )
    assert result.code == SYNC_STATE_CODES["nothing-applied"] == ExitCode.INFRASTRUCTURE
    assert "Nothing applied: 0 agents fully applied, 1 agent failed." in result.stdout


# ---------------------------------------------------------------- the table itself


def test_every_command_has_its_codes_in_the_table_and_in_its_help() -> None:
    assert [name for name in commands() if name != DETAILED] == list(COMMANDS)
    for name in COMMANDS:
        command = load_command(name)
        with click.Context(command, info_name=name) as context:
            shown = command.get_help(context)
        assert "Exit codes:" in shown
        for code in codes_of(name):
            assert re.search(rf"\n +{code} ", shown), (name, code, shown)


def test_errors_map_to_codes_in_one_place() -> None:
    assert exit_code_for(EigenpalConnectionError("down")) == ExitCode.INFRASTRUCTURE
    assert exit_code_for(error_for_status(401, None)) == ExitCode.INFRASTRUCTURE
    assert exit_code_for(error_for_status(503, None)) == ExitCode.INFRASTRUCTURE
    assert exit_code_for(SyncFailed("sync failed")) == ExitCode.INFRASTRUCTURE
    assert exit_code_for(VersionLookupFailed("no versions")) == ExitCode.INFRASTRUCTURE
    assert exit_code_for(EigenpalConfigError("no key")) == ExitCode.USAGE
    assert exit_code_for(ManifestError([])) == ExitCode.USAGE
    assert exit_code_for(PlanError("no such agent")) == ExitCode.USAGE
    assert exit_code_for(RunError("bad selection")) == ExitCode.USAGE
    assert exit_code_for(click.UsageError("bad option")) == ExitCode.USAGE
    assert exit_code_for(KeyboardInterrupt()) == ExitCode.INTERRUPTED
    assert exit_code_for(error_for_status(503, None), detailed_plan=True) == 1


def test_every_run_status_has_a_code_that_run_documents() -> None:
    assert set(RUN_STATUS_CODES) == set(RunStatus)
    for code in RUN_STATUS_CODES.values():
        assert code in codes_of("run")


def test_no_other_module_knows_an_exit_code() -> None:
    """Errors carry no exit code of their own: ``exit_code_for`` decides, by their type."""
    holders = []
    for path in sorted((ROOT / "evalkit").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                for statement in node.body:
                    targets = statement.targets if isinstance(statement, ast.Assign) else []
                    if any(getattr(t, "id", "") == "exit_code" for t in targets):
                        holders.append(f"{path.relative_to(ROOT)}: {node.name}")
    assert holders == []
