"""How a local platform is set up: where its state lives, who may call it, and its limits."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from evalkit.api.keys import api_key_problem
from evalkit.conventions import pass_env_problem
from evalkit.emulator.faults import FaultConfig
from evalkit.emulator.runtime.job import AgentJob, AgentOutcome

DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024
DEFAULT_IDEMPOTENCY_TTL_SECONDS = 24 * 3600
DEFAULT_CANCEL_GRACE_SECONDS = 5.0
#: agent executions run at once when ``PlatformConfig.workers`` is None (``evalkit serve``'s)
DEFAULT_WORKERS = 4
#: the most a platform runs at once (one thread each); more executions wait as ``pending``
MAX_WORKERS = 256

AgentRunner = Callable[[AgentJob], AgentOutcome]


def generate_api_key() -> str:
    """A fresh key in the platform's ``eg_...`` shape."""
    return "eg_local_" + secrets.token_urlsafe(24)


@dataclass(frozen=True)
class PlatformConfig:
    #: state folder (SQLite + blobs); None = a temporary folder removed on close
    data_dir: Path | None = None
    #: accepted bearer keys, at least one, each one a client can send (``api_key_problem``)
    api_keys: tuple[str, ...] = ()
    #: agent executions run at once, 1 to ``MAX_WORKERS`` (more wait in the queue as
    #: ``pending``); None = ``DEFAULT_WORKERS``. A platform embedded in a run sets it to the
    #: run's concurrency, so the run is not capped by the platform. Read ``worker_count``.
    workers: int | None = None
    #: folder of workflow YAML definitions (contract B11); None = no workflows
    workflows_dir: Path | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    idempotency_ttl_seconds: int = DEFAULT_IDEMPOTENCY_TTL_SECONDS
    #: how long a cancel request waits for a running program to stop before answering
    cancel_grace_seconds: float = DEFAULT_CANCEL_GRACE_SECONDS
    faults: FaultConfig = field(default_factory=FaultConfig)
    #: runs one agent job; None = ``evalkit.emulator.runtime.run_agent_job``
    runner: AgentRunner | None = None
    #: how agent programs are kept from the platform: ``auto`` (the strongest available, or
    #: ``EVALKIT_AGENT_ISOLATION``), ``namespaces``, ``subreaper`` or ``process-group``
    isolation: str = "auto"
    #: more folders programs must not see, besides the data folder (namespaces only)
    hidden_paths: tuple[Path, ...] = ()
    #: names of variables of the platform's own environment passed to every program, read
    #: when the platform starts (``evalkit serve --pass-env``, ``local_platform.pass_env``)
    pass_env: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.api_keys:
            raise ValueError("PlatformConfig.api_keys needs at least one key")
        for number, key in enumerate(self.api_keys, 1):
            problem = api_key_problem(key)
            if problem is not None:  # no client could send it
                raise ValueError(f"PlatformConfig.api_keys: key {number} {problem}")
        if self.workers is not None and not 1 <= self.workers <= MAX_WORKERS:
            raise ValueError(
                f"PlatformConfig.workers must be 1 to {MAX_WORKERS} (or None for"
                f" {DEFAULT_WORKERS}), got {self.workers}"
            )
        if self.max_body_bytes < 1:
            raise ValueError("PlatformConfig.max_body_bytes must be positive")
        for name in self.pass_env:
            problem = pass_env_problem(name)
            if problem is not None:
                raise ValueError(f"PlatformConfig.pass_env: {problem}")

    @property
    def worker_count(self) -> int:
        """How many executions the platform runs at once."""
        return DEFAULT_WORKERS if self.workers is None else self.workers

    def __repr__(self) -> str:  # keys never appear in a repr
        return (
            f"PlatformConfig(data_dir={self.data_dir!r}, api_keys=<{len(self.api_keys)} hidden>, "
            f"workers={self.worker_count}, workflows_dir={self.workflows_dir!r}, "
            f"max_body_bytes={self.max_body_bytes}, faults={self.faults!r}, "
            f"isolation={self.isolation!r}, pass_env={self.pass_env!r})"
        )
