"""The clean environment a program runs in: nothing of the parent's passes but ``PATH``.

API keys and every other parent variable stay out; ``config.runtime.env`` may add plain ones,
and the platform's ``pass_env`` names variables of its own environment that pass (read once
when the platform starts, held in memory only: never stored, logged or shown).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit.conventions import RUNTIME_VARIABLES, VARIABLE_NAME

HOME_FOLDER = ".home"
TMP_FOLDER = ".tmp"


class EnvConfigError(ValueError):
    """``config.runtime.env`` is malformed."""


@dataclass(frozen=True)
class PassedEnv:
    """The variables a platform passes to every program, as read when it started."""

    #: name -> value; never shown (the repr counts them)
    values: Mapping[str, str] = field(default_factory=dict)
    #: names asked for but unset when the platform started (nothing passes for them)
    unset: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"PassedEnv(names={sorted(self.values)!r}, unset={self.unset!r})"


def read_passed_env(names: Sequence[str], environ: Mapping[str, str] | None = None) -> PassedEnv:
    """The values of ``names`` in ``environ`` (default: this process's environment)."""
    source = os.environ if environ is None else environ
    values = {name: source[name] for name in names if name in source}
    unset = tuple(dict.fromkeys(name for name in names if name not in source))
    return PassedEnv(values=values, unset=unset)


def clean_environment(
    folder: Path,
    execution_id: str,
    extra: Any,
    *,
    visible_folder: Path | None = None,
    passed: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment for a run in ``folder``; creates its HOME and TMPDIR folders.

    ``visible_folder`` is where the program sees ``folder`` when that differs (namespaces).
    ``passed``: the platform's pass-through variables; they win over ``config.runtime.env``
    (the operator's choice over the agent's default).
    """
    (folder / HOME_FOLDER).mkdir(exist_ok=True)
    (folder / TMP_FOLDER).mkdir(exist_ok=True)
    seen = visible_folder or folder
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": str(seen / HOME_FOLDER),
        "TMPDIR": str(seen / TMP_FOLDER),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
        "EIGENPAL_EXECUTION_ID": execution_id,
    }
    env.update(_extra_variables(extra))
    env.update(passed or {})
    return env


def nul_in_variable(name: object, value: object) -> str | None:
    """Why no program's environment can hold this ``config.runtime.env`` entry (a NUL in its
    name or value), or None: the API refuses it, and a run of one stored before fails."""
    if any(isinstance(text, str) and "\x00" in text for text in (name, value)):
        return (
            f"config.runtime.env.{name} contains a NUL character, which no program's"
            " environment can hold"
        )
    return None


def _extra_variables(extra: Any) -> dict[str, str]:
    if extra is None:
        return {}
    if not isinstance(extra, Mapping):
        raise EnvConfigError("config.runtime.env must be an object of NAME: value")
    variables: dict[str, str] = {}
    for name, value in extra.items():
        if not isinstance(name, str) or not VARIABLE_NAME.fullmatch(name):
            raise EnvConfigError(f"config.runtime.env: {name!r} is not a valid variable name")
        if name in RUNTIME_VARIABLES:
            raise EnvConfigError(f"config.runtime.env: {name} is set by the runtime itself")
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            kind = type(value).__name__
            raise EnvConfigError(
                f"config.runtime.env.{name} must be a string or a number, got {kind}"
            )
        nul = nul_in_variable(name, value)  # stored before the API refused it
        if nul is not None:
            raise EnvConfigError(nul)
        variables[name] = str(value)
    return variables


def pass_env_notes(passed: PassedEnv) -> list[str]:
    """What to tell the user about ``passed``: names only, never a value."""
    notes = []
    if passed.values:
        notes.append(f"agent programs get {', '.join(sorted(passed.values))} from this environment")
    notes.extend(
        f"warning: {name} is not set here; agent programs get no {name} (pass_env)"
        for name in passed.unset
    )
    return notes
