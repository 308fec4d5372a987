"""Names evalkit gives things: on the platform (the manifest refuses them in a user's config,
sync writes them) and in the project folder. Declared here, at the bottom of the import graph,
so every reader reads one fact."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

#: the agent config key under which sync keeps its last-applied record (``evalkit.sync.record``)
RESERVED_CONFIG_KEY = "evalkit"

#: the manifest's file name: what ``evalkit init`` writes, and ``-m``/``manifest=`` by default
MANIFEST_NAME = "evalkit.yaml"

#: evalkit's own folder in a project (beside the manifest); ``evalkit init`` git-ignores it
PROJECT_FOLDER = Path(".evalkit")
#: a run's results.jsonl and summary.json, by default: <this>/<run id>/
RUNS_FOLDER = PROJECT_FOLDER / "runs"
#: a run's reports, by default: <this>/<run id>/
REPORTS_FOLDER = PROJECT_FOLDER / "reports"
#: judge agents' judgements, kept so that a rerun with unchanged outputs runs no judge again
JUDGEMENTS_FOLDER = PROJECT_FOLDER / "judgements"
#: the local platform's state (SQLite, blobs)
LOCAL_STATE_FOLDER = PROJECT_FOLDER / "platform"

#: what an environment variable name may be (``config.runtime.env``, ``pass_env``)
VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: the variables the local platform's runtime sets for every agent program itself: neither
#: ``config.runtime.env`` nor ``pass_env`` may replace them
RUNTIME_VARIABLES = frozenset({"EIGENPAL_EXECUTION_ID", "HOME", "TMPDIR"})
#: evalkit's own secrets: a manifest may not read them (``${EIGENPAL_API_KEY}`` would store the
#: value in an agent's config and show it in plans) and ``pass_env`` may not hand them to agent
#: programs (which could echo them into outputs, reports and feedback). The platform's key
#: (``evalkit serve``'s) is one too: with it a program could call the platform's whole API.
PROTECTED_VARIABLES = frozenset({"EIGENPAL_API_KEY", "EVALKIT_SERVE_API_KEY"})


def pass_env_problem(name: str) -> str | None:
    """Why ``name`` cannot be passed through to agent programs (``pass_env``), or None."""
    if not VARIABLE_NAME.fullmatch(name):
        return (
            f"{name!r} is not an environment variable name (letters, digits and _, not"
            " starting with a digit)"
        )
    if name in RUNTIME_VARIABLES:
        return f"{name} is set by the runtime itself and cannot be passed through"
    if name in PROTECTED_VARIABLES:
        return (
            f"{name} is evalkit's own secret and is never passed to agent programs (they could"
            " write it into outputs, reports and feedback); give the agent a key of its own"
            " under another name"
        )
    return None


def in_github_actions(env: Mapping[str, str] | None = None) -> bool:
    """Whether evalkit runs in a GitHub Actions job (``env``: default the process's), where it
    writes the step summary, the step outputs and annotations. Here, not in the report
    package: a run asks before it imports that package."""
    return (env if env is not None else os.environ).get("GITHUB_ACTIONS") == "true"
