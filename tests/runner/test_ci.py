"""CI is told by its variable (``CI`` set to anything but empty, 0 or false); there,
expected outputs are not rewritten unless forced."""

from __future__ import annotations

import pytest

from evalkit.runner.accept_plan import AcceptError
from evalkit.runner.ci import ci_variable, refuse_in_ci


@pytest.mark.parametrize(
    ("environ", "found"),
    [
        ({}, None),
        ({"CI": ""}, None),
        ({"CI": "0"}, None),
        ({"CI": "False"}, None),
        ({"CI": "true"}, "CI"),
        ({"CI": "1"}, "CI"),
        ({"GITHUB_ACTIONS": "true", "CI": "true"}, "CI"),
    ],
)
def test_ci_is_told_by_its_variable(environ: dict[str, str], found: str | None) -> None:
    assert ci_variable(environ) == found


def test_in_ci_rewriting_is_refused_unless_forced() -> None:
    with pytest.raises(AcceptError, match=r"CI is set: .* or pass --force"):
        refuse_in_ci(False, {"CI": "true"})
    refuse_in_ci(True, {"CI": "true"})
    refuse_in_ci(False, {})


def test_the_process_environment_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "yes")
    assert ci_variable() == "CI"
    monkeypatch.delenv("CI")
    assert ci_variable() is None
