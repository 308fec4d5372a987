"""The only module of evalkit that writes to the terminal."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def say(text: str = "") -> None:
    """A line for the user on standard output (rich markup allowed)."""
    stdout.print(text)


def plain(text: str) -> None:
    """Text written as is, with no markup processing (for untrusted content)."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def note(text: str) -> None:
    """A side remark on standard error, so that stdout stays clean for --json."""
    stderr.print(text, style="dim")


def error(message: str) -> None:
    """An error on standard error, without markup interpretation."""
    stderr.print("[bold red]error:[/] ", end="")
    stderr.print(message, markup=False)


def emit_json(data: Any) -> None:
    """Machine-readable output on standard output."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")
    sys.stdout.flush()
