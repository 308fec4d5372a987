"""Helpers for the CLI tests: the outcome of a command, and options naming a platform."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: the key the test platform accepts; any other is refused with 401
PLATFORM_KEY = "eg_cli_tests_right_key"


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str


#: the ``evalkit`` fixture: ``evalkit(*args)`` runs the console entry point in this process
Evalkit = Callable[..., Outcome]


def remote(url: str, key: str = PLATFORM_KEY) -> tuple[str, ...]:
    """The global options that point a command at ``url`` with ``key``."""
    return ("--base-url", url, "--api-key", key)
