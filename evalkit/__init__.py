"""evalkit: GitOps for EigenPal agents, a declarative eval and regression harness.

The library calls (``run``, ``run_async``, ``plan``, ``apply``, ``promote``, ``harvest``) and
their types load on first
use, so that ``import evalkit`` (and every ``evalkit`` command, ``--help`` first) stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evalkit._version import __version__
from evalkit.errors import (
    ConfigError,
    EvalkitError,
    ManifestError,
    ManifestProblem,
    PlanError,
    PlatformTrouble,
    RunError,
    SourceMark,
)
from evalkit.lazy_names import lazy_names

if TYPE_CHECKING:
    from evalkit.connection import Connection
    from evalkit.evaluation import RunHooks, RunOutcome, run, run_async
    from evalkit.harvesting.entry import harvest, promote
    from evalkit.planning import SyncOutcome, apply, plan
    from evalkit.report.history import History
    from evalkit.report.history import find_history as history
    from evalkit.runner.accept import AcceptOutcome, accept
    from evalkit.runner.config import RunConfig
    from evalkit.runner.gates import GateConfig
    from evalkit.runner.jobs import Selection
    from evalkit.runner.repeats import PassRule

#: name -> the module that defines it ("module:name" where it is named otherwise there),
#: imported when the name is first used
_LAZY = {
    "Connection": "evalkit.connection",
    "RunConfig": "evalkit.runner.config",
    "GateConfig": "evalkit.runner.gates",
    "Selection": "evalkit.runner.jobs",
    "PassRule": "evalkit.runner.repeats",
    "RunHooks": "evalkit.evaluation",
    "RunOutcome": "evalkit.evaluation",
    "run": "evalkit.evaluation",
    "run_async": "evalkit.evaluation",
    "SyncOutcome": "evalkit.planning",
    "harvest": "evalkit.harvesting.entry",
    "promote": "evalkit.harvesting.entry",
    "apply": "evalkit.planning",
    "plan": "evalkit.planning",
    "AcceptOutcome": "evalkit.runner.accept",
    "accept": "evalkit.runner.accept",
    "History": "evalkit.report.history",
    "history": "evalkit.report.history:find_history",
}


__getattr__ = lazy_names(__name__, _LAZY)


__all__ = [
    "AcceptOutcome",
    "ConfigError",
    "Connection",
    "EvalkitError",
    "GateConfig",
    "History",
    "ManifestError",
    "ManifestProblem",
    "PassRule",
    "PlanError",
    "PlatformTrouble",
    "RunConfig",
    "RunError",
    "RunHooks",
    "RunOutcome",
    "Selection",
    "SourceMark",
    "SyncOutcome",
    "__version__",
    "accept",
    "apply",
    "harvest",
    "history",
    "plan",
    "promote",
    "run",
    "run_async",
]
