"""The names evalkit gives things: here, which variable names may pass to agent programs."""

from __future__ import annotations

import pytest

from evalkit.conventions import pass_env_problem


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
