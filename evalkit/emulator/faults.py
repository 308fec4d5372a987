"""Fault injection for reliability tests and benchmarks: off by default, reproducible by seed.

Kinds: answered errors (500/502/503), rate limiting (429 + ``Retry-After``), added latency,
connections dropped without an answer (before or after the request was processed), and
executions that fail. ``path_pattern`` (a regular expression searched in the path) scopes the
HTTP faults, e.g. ``/run$``. Paths under ``/_emulator/`` are never faulted.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass

from evalkit.emulator.ratelimit import TokenBucket

DEFAULT_ERROR_STATUSES = (500, 502, 503)


@dataclass(frozen=True)
class FaultConfig:
    #: fraction (0..1) of matching requests answered with one of ``error_statuses``
    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = DEFAULT_ERROR_STATUSES
    #: fraction (0..1) of matching requests whose connection is dropped without an answer
    drop_rate: float = 0.0
    #: drop after the request was processed (its answer is lost) instead of before
    drop_after_processing: bool = False
    #: latency added to every matching request
    latency_ms: int = 0
    #: requests per second allowed (token bucket); 0 turns rate limiting off
    rate_limit_per_second: float = 0.0
    #: burst size of the rate limit; defaults to the per-second rate (at least 1)
    rate_limit_burst: int | None = None
    #: fraction (0..1) of executions that fail instead of running
    execution_failure_rate: float = 0.0
    #: regular expression searched in the request path; None matches every path
    path_pattern: str | None = None
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("error_rate", "drop_rate", "execution_failure_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"fault {name} must be between 0 and 1, got {value}")
        if self.latency_ms < 0:
            raise ValueError(f"fault latency_ms must be 0 or more, got {self.latency_ms}")
        if self.rate_limit_per_second < 0:
            raise ValueError("fault rate_limit_per_second must be 0 (off) or more")
        if self.rate_limit_burst is not None and self.rate_limit_burst < 1:
            raise ValueError("fault rate_limit_burst must be 1 or more")
        if not self.error_statuses or any(not 500 <= s <= 599 for s in self.error_statuses):
            raise ValueError("fault error_statuses must be a non-empty list of 5xx codes")
        if self.path_pattern is not None:
            try:
                re.compile(self.path_pattern)
            except re.error as err:
                raise ValueError(f"fault path_pattern is not a valid regex: {err}") from err

    @property
    def http_enabled(self) -> bool:
        return bool(
            self.error_rate or self.drop_rate or self.latency_ms or self.rate_limit_per_second
        )


@dataclass(frozen=True)
class FaultDecision:
    """What to do with one request. At most one of ``error_status``/``drop`` is set."""

    latency_seconds: float = 0.0
    error_status: int | None = None
    drop: bool = False
    drop_after_processing: bool = False


NO_FAULT = FaultDecision()


class FaultInjector:
    """Draws fault decisions from one seeded generator, so a sequence of requests replays."""

    def __init__(self, config: FaultConfig) -> None:
        self._lock = threading.Lock()
        self.reconfigure(config)

    def reconfigure(self, config: FaultConfig) -> None:
        """Swap the faults of a running platform (tests turn them on and off)."""
        with self._lock:
            self.config = config
            self._random = random.Random(config.seed)
            self._pattern = re.compile(config.path_pattern) if config.path_pattern else None
            self._bucket = _bucket(config)

    def rate_limit_wait(self, path: str) -> int:
        """0 when the request may go, else the ``Retry-After`` seconds (contract B7)."""
        bucket = self._bucket
        if bucket is None or not self.matches(path):
            return 0
        return bucket.take()

    def matches(self, path: str) -> bool:
        if path.startswith("/_emulator/"):
            return False
        return self._pattern is None or self._pattern.search(path) is not None

    def decide(self, path: str) -> FaultDecision:
        config = self.config
        if not (config.error_rate or config.drop_rate or config.latency_ms):
            return NO_FAULT
        if not self.matches(path):
            return NO_FAULT
        with self._lock:
            draw = self._random.random()
            status_pick = self._random.choice(config.error_statuses)
        latency = config.latency_ms / 1000.0
        if draw < config.drop_rate:
            return FaultDecision(
                latency, drop=True, drop_after_processing=config.drop_after_processing
            )
        if draw < config.drop_rate + config.error_rate:
            return FaultDecision(latency, error_status=status_pick)
        return FaultDecision(latency)

    def execution_should_fail(self) -> bool:
        if not self.config.execution_failure_rate:
            return False
        with self._lock:
            return self._random.random() < self.config.execution_failure_rate


def _bucket(config: FaultConfig) -> TokenBucket | None:
    rate = config.rate_limit_per_second
    if not rate:
        return None
    return TokenBucket(rate, config.rate_limit_burst or max(1, int(rate)))
