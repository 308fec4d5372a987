"""evalkit's own errors. API errors (``EigenpalError`` and children) live in ``evalkit.client``.

    EvalkitError                 anything evalkit reports to a user as a clean message
    ├── ConfigError              bad options or environment (missing key, bad flag combination)
    ├── ManifestError            the manifest is wrong; carries every problem found, with marks
    ├── PlanError                a plan cannot be made or applied (stale saved plan, refusal)
    └── RunError                 a run cannot start or complete as asked

Every error here is a user's error or the platform's, not a bug: the CLI prints its message
without a traceback and exits with the code mapped in ``evalkit.exit_codes``.
"""

from __future__ import annotations

from dataclasses import dataclass

from evalkit.control_chars import one_line


class EvalkitError(Exception):
    """Base class for errors evalkit reports to the user as a message."""


class PlatformTrouble(EvalkitError):
    """The platform failed us (unreachable, the key refused, errors): exit code 3, not 2.
    The client's errors and the runner's errors about the platform derive from it."""


class ConfigError(EvalkitError):
    """Options, flags or environment do not make sense together."""


@dataclass(frozen=True, slots=True)
class SourceMark:
    """Where in a file a problem sits (1-based line and column; 0 when unknown). Slotted: a
    manifest keeps one for each of its (thousands of) examples."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        file = one_line(self.file)  # a newline in a file's name must not break "file:line:"
        if self.line:
            return f"{file}:{self.line}:{self.column}"
        return file


@dataclass(frozen=True)
class ManifestProblem:
    """One thing wrong with a manifest: where, what, and what to do."""

    mark: SourceMark
    message: str
    key: str = ""
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.mark}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class ManifestError(EvalkitError):
    """The manifest has one or more problems; all of them are in ``problems``."""

    def __init__(self, problems: list[ManifestProblem]) -> None:
        self.problems = problems
        count = len(problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the manifest"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in problems))


class PlanError(EvalkitError):
    """A plan cannot be made or applied."""


class RunError(EvalkitError):
    """A run cannot start or complete as asked."""
