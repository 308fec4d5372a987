"""``evalkit validate``, ``schema`` and ``init`` (evalkit/cli/{validate,schema,init}.py)."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from evalkit.cli.context import GlobalOptions
from evalkit.cli.init import init
from evalkit.cli.schema import schema
from evalkit.cli.validate import validate
from evalkit.manifest.json_schema import render_schema

CASES = Path(__file__).parent / "cases"
WARNING_CASES = Path(__file__).parent / "warning_cases"


def invoke(
    command: click.Command, args: list[str], manifest: Path, *, json_output: bool = False
) -> Result:
    options = GlobalOptions(
        manifest=manifest,
        base_url=None,
        api_key="eg_secret_key",
        local=False,
        verbose=0,
        json_output=json_output,
    )
    return CliRunner().invoke(command, args, obj=options, catch_exceptions=False)


def test_validate_prints_a_summary_for_a_good_manifest(tmp_path: Path) -> None:
    invoke(init, [str(tmp_path)], tmp_path / "evalkit.yaml")
    result = invoke(validate, [], tmp_path / "evalkit.yaml")
    assert result.exit_code == 0
    assert "is valid (1 file)" in result.stdout
    assert "agent greeter: 4 workspace file(s), 1 example(s)" in result.stdout
    assert "environments: pr" in result.stdout


def test_validate_refuses_a_workspace_name_that_plan_would_refuse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoke(init, [str(tmp_path)], tmp_path / "evalkit.yaml")
    (tmp_path / "agents" / "greeter" / "%2e%2e").touch()
    monkeypatch.chdir(tmp_path)
    result = invoke(validate, [], tmp_path / "evalkit.yaml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert (
        "agents/greeter/%2e%2e: workspace entry '%2e%2e' is not a safe relative path"
        in result.stderr
    )
    assert "hint: rename it to a plain name" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_lists_every_problem_with_source_and_caret(tmp_path: Path) -> None:
    result = invoke(validate, [], CASES / "many-problems.yaml")
    assert result.exit_code == 2
    assert result.stdout == ""
    err = result.stderr
    assert "5 problems in the manifest" in err
    assert "many-problems.yaml:10:5: unknown key 'descripton' in agents[0]" in err
    assert "  10 |     descripton: typo\n           ^\n" in err
    assert "hint: did you mean 'description'?" in err
    assert "Traceback" not in err


def test_validate_json_output_lists_problems_as_data(tmp_path: Path) -> None:
    result = invoke(validate, [], CASES / "unknown-key.yaml", json_output=True)
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["valid"] is False
    (problem,) = data["problems"]
    assert (problem["line"], problem["column"], problem["key"]) == (5, 5, "agents[0].nmae")
    assert problem["file"].endswith("unknown-key.yaml")
    assert problem["hint"].startswith("did you mean 'name'?")


def test_validate_warns_like_it_reports_errors_and_still_succeeds() -> None:
    result = invoke(validate, [], WARNING_CASES / "unmatched-path-rule.yaml")
    assert result.exit_code == 0
    assert "unmatched-path-rule.yaml is valid (1 file, 5 warnings)" in result.stdout
    assert "warning:" not in result.stdout
    err = result.stderr
    assert err.startswith("5 warnings in the manifest:\n")
    assert (
        "unmatched-path-rule.yaml:11:7: warning: rule '/totl' matches no path in the expected "
        "JSON of any example\n  11 |       /totl: {tolerance: 0.01}\n" + " " * 13 + "^\n"
        "    hint: did you mean '/total'?"
    ) in err


def test_validate_strict_makes_warnings_errors() -> None:
    result = invoke(validate, ["--strict"], WARNING_CASES / "unchecked-json.yaml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "2 warnings in the manifest (errors under --strict):" in result.stderr
    assert "warning: agent 'extractor': 2 examples have expected files" in result.stderr
    clean = invoke(validate, ["--strict"], CASES / "bad-enum.yaml")
    assert clean.exit_code == 2  # errors stay errors


def test_validate_strict_passes_a_manifest_without_warnings(tmp_path: Path) -> None:
    invoke(init, [str(tmp_path)], tmp_path / "evalkit.yaml")
    result = invoke(validate, ["--strict"], tmp_path / "evalkit.yaml")
    assert (result.exit_code, result.stderr) == (0, "")


def test_validate_json_lists_warnings() -> None:
    manifest = WARNING_CASES / "value-kinds.yaml"
    data = json.loads(invoke(validate, [], manifest, json_output=True).stdout)
    assert data["valid"] is True
    assert [(w["line"], w["column"]) for w in data["warnings"]] == [
        (10, 19),
        (11, 18),
        (12, 17),
        (13, 18),
    ]
    strict = invoke(validate, ["--strict"], manifest, json_output=True)
    assert strict.exit_code == 2
    refused = json.loads(strict.stdout)
    assert (refused["valid"], len(refused["problems"])) == (False, 4)
    assert refused["problems"][0]["severity"] == "warning"


def test_validate_can_check_an_environment(tmp_path: Path) -> None:
    invoke(init, [str(tmp_path)], tmp_path / "evalkit.yaml")
    checked = invoke(validate, ["--env", "pr"], tmp_path / "evalkit.yaml")
    assert checked.exit_code == 0
    assert "agent greeter (as greeter-pr-local):" in checked.stdout
    assert "environments: pr (checked: pr)" in checked.stdout
    result = invoke(validate, ["--env", "prod"], tmp_path / "evalkit.yaml")
    assert result.exit_code == 2
    assert "unknown environment 'prod' (known: pr)" in result.stderr


def test_validate_without_a_manifest_says_what_to_do(tmp_path: Path) -> None:
    result = invoke(validate, [], tmp_path / "evalkit.yaml")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert "evalkit init" in result.stderr


def test_schema_writes_and_checks(tmp_path: Path) -> None:
    out = tmp_path / "s" / "evalkit.schema.json"
    assert invoke(schema, ["--out", str(out), "--check"], tmp_path).exit_code == 1
    result = invoke(schema, ["--out", str(out)], tmp_path)
    assert result.exit_code == 0
    assert out.read_text() == render_schema()
    assert invoke(schema, ["--out", str(out), "--check"], tmp_path).exit_code == 0
    out.write_text(render_schema().replace("manifest", "manfest"))
    stale = invoke(schema, ["--out", str(out), "--check"], tmp_path)
    assert stale.exit_code == 1
    assert "is out of date" in stale.stderr


def test_schema_refreshes_the_copy_an_init_project_points_at(tmp_path: Path) -> None:
    manifest = tmp_path / "evalkit.yaml"
    invoke(init, [str(tmp_path)], manifest)
    (tmp_path / "evalkit.schema.json").write_text("{}")  # stale
    result = invoke(schema, [], manifest)
    assert result.exit_code == 0
    assert (tmp_path / "evalkit.schema.json").read_text() == render_schema()
    assert not (tmp_path / "schemas").exists()


def test_schema_ignores_an_editor_line_leading_out_of_the_manifest_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    manifest = project / "evalkit.yaml"
    manifest.write_text("# yaml-language-server: $schema=../outside.json\nversion: 1\n")
    monkeypatch.chdir(project)
    assert invoke(schema, [], manifest).exit_code == 0
    assert not (tmp_path / "outside.json").exists()
    assert (project / "schemas" / "evalkit.schema.json").read_text() == render_schema()


def test_schema_to_stdout(tmp_path: Path) -> None:
    result = invoke(schema, ["--out", "-"], tmp_path)
    assert json.loads(result.stdout) == json.loads(render_schema())


def test_init_reports_what_it_wrote_and_refuses_a_second_time(tmp_path: Path) -> None:
    first = invoke(init, [str(tmp_path)], tmp_path / "evalkit.yaml")
    assert first.exit_code == 0
    assert f"wrote {tmp_path / 'evalkit.yaml'}" in first.stdout
    assert "1 agent, 1 example" in first.stdout
    second = CliRunner().invoke(init, [str(tmp_path)], obj=None)
    assert second.exit_code != 0
    assert "exist already" in str(second.exception)


def test_schema_with_json_says_what_it_did_as_data(tmp_path: Path) -> None:
    out = tmp_path / "evalkit.schema.json"

    def state(*args: str) -> tuple[int, dict[str, str]]:
        result = invoke(schema, ["--out", str(out), *args], tmp_path, json_output=True)
        return result.exit_code, json.loads(result.stdout)

    assert state("--check") == (1, {"schema": str(out), "state": "missing"})
    assert state() == (0, {"schema": str(out), "state": "written"})
    assert state("--check") == (0, {"schema": str(out), "state": "up to date"})
    out.write_text("{}")
    assert state("--check") == (1, {"schema": str(out), "state": "out of date"})


def test_init_with_json_lists_what_it_wrote(tmp_path: Path) -> None:
    result = invoke(init, [str(tmp_path / "p")], tmp_path / "evalkit.yaml", json_output=True)
    data = json.loads(result.stdout)
    assert data["manifest"] == str(tmp_path / "p" / "evalkit.yaml")
    assert (data["agents"], data["examples"]) == (1, 1)
    assert all(Path(path).is_file() for path in data["written"])
    assert str(tmp_path / "p" / "evalkit.yaml") in data["written"]


def test_init_refuses_an_empty_folder_name_and_writes_nothing_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # an empty name once meant this folder
    result = CliRunner().invoke(init, [""], obj=None)
    assert result.exit_code == 2
    assert "the folder name is empty" in result.output
    assert list(tmp_path.iterdir()) == []
