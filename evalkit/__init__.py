"""evalkit: GitOps for EigenPal agents, a declarative eval and regression harness."""

from __future__ import annotations

from evalkit._version import __version__
from evalkit.errors import (
    ConfigError,
    EvalkitError,
    ManifestError,
    ManifestProblem,
    PlanError,
    RunError,
    SourceMark,
)

__all__ = [
    "ConfigError",
    "EvalkitError",
    "ManifestError",
    "ManifestProblem",
    "PlanError",
    "RunError",
    "SourceMark",
    "__version__",
]
