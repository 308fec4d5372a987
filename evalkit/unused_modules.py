"""Modules that evalkit's own processes never use but that a library they use imports: kept
out of the ``evalkit`` command's process and the local platform's child process, never out of a
library user's (whose code may want them).

A module set to None in ``sys.modules`` is one that cannot be imported (an ``ImportError``),
and each library here takes that as "not installed" and goes on as before.
"""

from __future__ import annotations

import sys

#: httpx's own command line: ``import httpx`` imports it (rich.progress, rich.syntax, pygments;
#: ~25 ms of a run's start); without it httpx defines a stub ``httpx.main``, as it does when its
#: command line's extras are not installed
HTTPX_CLI = "httpx._main"
#: pydantic's copy of its version 1: FastAPI imports it while it builds the platform's routes,
#: only to refuse pydantic v1 models (evalkit has none), and takes an ``ImportError`` as none
#: there (12 ms of the local platform's start)
PYDANTIC_V1 = "pydantic.v1"


def keep_out(*names: str) -> None:
    """Make ``names`` unimportable in this process, unless already imported (then they stay:
    whoever imported them uses them)."""
    for name in names:
        # (None is the import system's "cannot be imported", which typeshed leaves out)
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
