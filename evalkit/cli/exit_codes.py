"""Every exit code evalkit uses, in one place (the README's table mirrors this file)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    #: a gate failed (run); nothing applied (sync)
    FAILURE = 1
    #: usage, manifest or input error: nothing was done
    USAGE = 2
    #: infrastructure error (auth, unreachable platform, platform errors); sync: partly applied
    INFRASTRUCTURE = 3
    INTERRUPTED = 130
