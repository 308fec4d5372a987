"""The pass-through variables of ``sandbox_env``: which names pass, what is read, what is said."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.runtime import AgentJob, run_agent_job
from evalkit.emulator.runtime.isolation import Isolation
from evalkit.emulator.runtime.sandbox_env import (
    PassedEnv,
    clean_environment,
    pass_env_notes,
    read_passed_env,
)

SECRET = "sk-unit-secret-value"


def test_only_the_named_variables_are_read_and_unset_ones_are_listed_once() -> None:
    environ = {"OPENAI_API_KEY": SECRET, "OTHER": "x", "EMPTY": ""}
    passed = read_passed_env(["OPENAI_API_KEY", "MISSING", "EMPTY", "MISSING"], environ)
    assert dict(passed.values) == {"OPENAI_API_KEY": SECRET, "EMPTY": ""}
    assert passed.unset == ("MISSING",)


def test_a_passed_env_never_shows_its_values() -> None:
    passed = PassedEnv(values={"OPENAI_API_KEY": SECRET}, unset=("MISSING",))
    shown = repr(passed) + str(passed) + " ".join(pass_env_notes(passed))
    assert SECRET not in shown
    assert "OPENAI_API_KEY" in shown
    assert pass_env_notes(passed) == [
        "agent programs get OPENAI_API_KEY from this environment",
        "warning: MISSING is not set here; agent programs get no MISSING (pass_env)",
    ]
    assert pass_env_notes(PassedEnv()) == []


def test_passed_variables_reach_the_environment_and_win_over_runtime_env(tmp_path: Path) -> None:
    env = clean_environment(
        tmp_path,
        "exec_1",
        {"MODEL_NAME": "from-config", "MODE": "strict"},
        passed={"MODEL_NAME": "from-operator", "OPENAI_API_KEY": SECRET},
    )
    assert env["MODEL_NAME"] == "from-operator"
    assert env["MODE"] == "strict"
    assert env["OPENAI_API_KEY"] == SECRET
    assert env["EIGENPAL_EXECUTION_ID"] == "exec_1"


def test_platform_config_refuses_a_bad_name_and_shows_names_only() -> None:
    with pytest.raises(ValueError, match=r"PlatformConfig\.pass_env: '1X' is not an environment"):
        PlatformConfig(api_keys=("k",), pass_env=("1X",))
    config = PlatformConfig(api_keys=("k",), pass_env=("OPENAI_API_KEY",))
    assert "pass_env=('OPENAI_API_KEY',)" in repr(config)


def test_a_program_gets_the_passed_variables_under_each_isolation(
    tmp_path: Path, isolation: Isolation
) -> None:
    scratch_root = tmp_path / "platform" / "scratch"
    scratch_root.mkdir(parents=True, exist_ok=True)  # the isolation probe made it
    program = (
        "import json, os\n"
        "print(json.dumps({k: os.environ.get(k) for k in ('OPENAI_API_KEY', 'OTHER')}))\n"
    )
    job = AgentJob(
        execution_id="exec_pass",
        workspace={"main.py": program.encode()},
        config={},
        input_json={},
        input_files=[],
        scratch_root=scratch_root,
        isolation=isolation,
        passed_env={"OPENAI_API_KEY": SECRET},
    )
    assert SECRET not in repr(job)
    outcome = run_agent_job(job)
    assert outcome.status == "completed", outcome.error
    assert outcome.output == {"OPENAI_API_KEY": SECRET, "OTHER": None}
