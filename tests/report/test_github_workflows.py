"""action.yml and the example workflows under examples/github-workflows/ pass actionlint.

actionlint reads workflows, not action metadata, so the action is checked two ways: the
example workflows use it as a local action (``uses: ./``), which makes actionlint parse
action.yml and check every ``with:`` against its inputs; and its composite steps are linted as
the steps of a workflow whose inputs are the action's inputs.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from evalkit.report.github import OUTPUTS
from tests.report.sample_runs import ROOT

ACTION = ROOT / "action.yml"
WORKFLOWS = sorted((ROOT / "examples" / "github-workflows").glob("*.yml"))
PUBLISHED = "evalkit/evalkit@v1"


def _actionlint() -> str:
    found = shutil.which("actionlint") or str(Path(__file__).parents[2] / ".venv/bin/actionlint")
    assert Path(found).is_file(), "actionlint is missing: pip install -e '.[dev]'"
    return found


def _lint(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_actionlint(), "-no-color"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _repo(tmp_path: Path, workflows: dict[str, str]) -> Path:
    """A repository with the action at its root and these workflows, using it as ``./``."""
    (tmp_path / ".git").mkdir()  # actionlint finds the project root by its .git folder
    shutil.copy(ACTION, tmp_path / "action.yml")
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    for name, text in workflows.items():
        (folder / name).write_text(text.replace(PUBLISHED, "./"))
    return tmp_path


def test_there_are_the_three_example_workflows() -> None:
    names = [path.name for path in WORKFLOWS]
    assert names == ["evalkit-main.yml", "evalkit-pull-request.yml", "evalkit-sharded.yml"]
    for path in WORKFLOWS:
        assert PUBLISHED in path.read_text(), path


def test_the_example_workflows_pass_actionlint(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {path.name: path.read_text() for path in WORKFLOWS})
    result = _lint(repo)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_projects_own_ci_passes_actionlint_and_caches_pip(tmp_path: Path) -> None:
    ci = ROOT / ".github" / "workflows" / "ci.yml"
    result = _lint(_repo(tmp_path, {"ci.yml": ci.read_text()}))
    assert result.returncode == 0, result.stdout + result.stderr
    steps = yaml.safe_load(ci.read_text())["jobs"]["test"]["steps"]
    setup = next(s for s in steps if str(s.get("uses", "")).startswith("actions/setup-python@"))
    assert setup["with"]["cache"] == "pip"


def test_actionlint_does_check_the_action_inputs(tmp_path: Path) -> None:
    """The check above means something: a misspelt input is caught through action.yml."""
    text = WORKFLOWS[0].read_text().replace("command: sync", "comand: sync")
    result = _lint(_repo(tmp_path, {"broken.yml": text}))
    assert result.returncode == 1
    assert 'input "comand" is not defined in action "evalkit"' in result.stdout


def _action_as_workflow(action: dict[str, Any]) -> dict[str, Any]:
    inputs: dict[str, dict[str, Any]] = {}
    for name, spec in action["inputs"].items():
        default = str(spec.get("default", ""))
        # a workflow_call default cannot use the github context
        inputs[name] = {
            "type": "string",
            "required": False,
            "default": "" if "${{" in default else default,
        }
    return {
        "name": "action steps",
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"steps": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }


def test_the_composite_steps_pass_actionlint(tmp_path: Path) -> None:
    action = yaml.safe_load(ACTION.read_text())
    assert action["runs"]["using"] == "composite"
    workflow = yaml.safe_dump(_action_as_workflow(action), sort_keys=False)
    result = _lint(_repo(tmp_path, {"action-steps.yml": workflow}))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_run_step_names_its_shell_and_inputs_are_documented() -> None:
    action = yaml.safe_load(ACTION.read_text())
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert step.get("shell") == "bash", step.get("name")
            # inputs reach scripts through env, never spliced into the script text
            assert "${{" not in step["run"], step.get("name")
    for name, spec in action["inputs"].items():
        assert spec.get("description"), name
    # every step output evalkit writes, plus the action's own
    assert set(action["outputs"]) == {*OUTPUTS, "exit-code", "html-link", "run-dir", "report-dir"}


@pytest.mark.parametrize("command", ["plan", "sync", "run", "merge"])
def test_each_command_has_a_branch_in_the_script(command: str) -> None:
    action = yaml.safe_load(ACTION.read_text())
    script = next(s["run"] for s in action["runs"]["steps"] if s.get("id") == "evalkit")
    assert f"\n  {command})\n" in script
