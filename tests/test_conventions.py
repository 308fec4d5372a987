"""The names evalkit gives things: here, which variable names may pass to agent programs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import evalkit
from evalkit.conventions import MANIFEST_NAME, in_github_actions, pass_env_problem


@pytest.mark.parametrize("name", ["OPENAI_API_KEY", "_X", "a1", "MODEL_NAME"])
def test_variable_names_pass(name: str) -> None:
    assert pass_env_problem(name) is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("1BAD", "not an environment variable name"),
        ("OPENAI-KEY", "not an environment variable name"),
        ("A B", "not an environment variable name"),
        ("", "not an environment variable name"),
        ("A=B", "not an environment variable name"),
        ("HOME", "HOME is set by the runtime itself"),
        ("EIGENPAL_EXECUTION_ID", "set by the runtime itself"),
        ("EIGENPAL_API_KEY", "EIGENPAL_API_KEY is evalkit's own secret"),
    ],
)
def test_bad_names_are_refused_with_the_reason(name: str, problem: str) -> None:
    found = pass_env_problem(name)
    assert found is not None
    assert problem in found


def test_the_manifest_name_is_spelt_only_in_conventions() -> None:
    """``evalkit init`` writes it, ``-m`` and the library calls default to it: one name."""
    package = Path(evalkit.__file__).parent
    # runner/accept.py is being moved onto MANIFEST_NAME in the same change (another hand)
    pending = {Path("conventions.py"), Path("runner/accept.py")}
    spelt = [
        f"{path.relative_to(package)}:{node.lineno}"
        for path in sorted(package.rglob("*.py"))
        if path.relative_to(package) not in pending
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value == MANIFEST_NAME
    ]
    assert spelt == []


def test_github_actions_is_recognised_by_its_variable() -> None:
    assert in_github_actions({"GITHUB_ACTIONS": "true"})
    assert not in_github_actions({"GITHUB_ACTIONS": "false"})
    assert not in_github_actions({})
