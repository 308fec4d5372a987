"""The clean environment a program runs in: nothing of the parent's passes but ``PATH``.

API keys and every other parent variable stay out; ``config.runtime.env`` may add plain ones.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

HOME_FOLDER = ".home"
TMP_FOLDER = ".tmp"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Variables ``config.runtime.env`` may not replace.
RESERVED = frozenset({"EIGENPAL_EXECUTION_ID", "HOME", "TMPDIR"})


class EnvConfigError(ValueError):
    """``config.runtime.env`` is malformed."""


def clean_environment(
    folder: Path, execution_id: str, extra: Any, *, visible_folder: Path | None = None
) -> dict[str, str]:
    """The environment for a run in ``folder``; creates its HOME and TMPDIR folders.

    ``visible_folder`` is where the program sees ``folder`` when that differs (namespaces).
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
    return env


def _extra_variables(extra: Any) -> dict[str, str]:
    if extra is None:
        return {}
    if not isinstance(extra, Mapping):
        raise EnvConfigError("config.runtime.env must be an object of NAME: value")
    variables: dict[str, str] = {}
    for name, value in extra.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise EnvConfigError(f"config.runtime.env: {name!r} is not a valid variable name")
        if name in RESERVED:
            raise EnvConfigError(f"config.runtime.env: {name} is set by the runtime itself")
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            kind = type(value).__name__
            raise EnvConfigError(
                f"config.runtime.env.{name} must be a string or a number, got {kind}"
            )
        variables[name] = str(value)
    return variables
