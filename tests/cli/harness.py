"""Helpers for the CLI tests: the outcome of a command, and options naming a platform."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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


#: a manifest of one example that passes on the local platform's ``fixed`` builtin
SMALL = """\
version: 1
agents:
  - slug: tiny
    config: {runtime: {builtin: fixed, output: {ok: true}}}
    examples:
      - {name: a, expected: {ok: true}}
"""
#: a manifest that does not load (a slug with spaces)
BROKEN = "version: 1\nagents: [{slug: Not A Slug}]\n"


def project(folder: Path, text: str = SMALL) -> Path:
    """``folder`` with ``text`` as its evalkit.yaml; the manifest's path."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "evalkit.yaml"
    manifest.write_text(text, encoding="utf-8")
    return manifest
