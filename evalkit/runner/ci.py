"""Whether evalkit runs in CI, where expected outputs are checked and never rewritten
(``evalkit accept``, ``evalkit run --update``)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from evalkit.runner.accept_plan import AcceptError

#: environment variables that say "this is CI" (any value but empty, 0 or false); every CI
#: service evalkit knows of sets ``CI`` (GitHub Actions, GitLab, CircleCI, Buildkite, ...)
CI_VARIABLES = ("CI",)


def ci_variable(environ: Mapping[str, str] | None = None) -> str | None:
    """The variable saying this is CI, if one does (``environ``: default the process's)."""
    found = os.environ if environ is None else environ
    for name in CI_VARIABLES:
        value = found.get(name, "")
        if value and value.lower() not in ("0", "false"):
            return name
    return None


def refuse_in_ci(force: bool, environ: Mapping[str, str] | None = None) -> None:
    """``AcceptError`` in CI unless ``force``: CI checks expected outputs, it does not rewrite
    them."""
    name = None if force else ci_variable(environ)
    if name is not None:
        raise AcceptError(
            f"{name} is set: evalkit does not rewrite expected outputs in CI, where they "
            "are checked; accept on your machine and commit the change, or pass --force"
        )
