"""Why a command failed, as ``--json`` prints it on standard output (one document), and as
standard error says it to people.

    {"error": {"kind": ..., "message": ..., "where": ..., "hint": ..., "exit_code": ...},
     "problems": [...]}

``kind`` is ``usage`` (an option or argument), ``manifest`` (``problems`` holds every problem
as ``evalkit validate --json`` gives it; otherwise it is empty), ``input`` (anything else
evalkit refuses), ``path`` (a path that cannot be used), ``platform``, ``interrupted``, or
``refused`` (``sync`` applied nothing: a stale plan, orphans, the changes declined).
``where``: the option, the path or the first problem's ``file:line:column``; ``hint``: what to
do. Either is null when there is nothing to say. The message is standard error's: what
evalkit says never holds a key or a URL's password, here neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import click

from evalkit.errors import ManifestError, ManifestProblem, PlatformTrouble
from evalkit.manifest.checks import problem_data


@dataclass(frozen=True)
class Failure:
    """What went wrong: ``kind``, ``message``, and ``where`` and ``hint`` when known."""

    kind: str
    message: str
    where: str | None = None
    hint: str | None = None

    def said(self) -> str:
        """The message for standard error, its hint after it."""
        return f"{self.message}; {self.hint}" if self.hint else self.message

    def data(self, exit_code: int) -> dict[str, Any]:
        """The ``error`` object (also in ``sync --json``'s answer, when nothing was applied)."""
        return {
            "kind": self.kind,
            "message": self.message,
            "where": self.where,
            "hint": self.hint,
            "exit_code": int(exit_code),
        }

    def document(self, exit_code: int, problems: list[dict[str, object]]) -> dict[str, Any]:
        return {"error": self.data(exit_code), "problems": problems}


def failure_of(err: BaseException) -> Failure:
    """``err``, one of the errors evalkit reports (``evalkit.cli.main.REPORTED_ERRORS``)."""
    if isinstance(err, KeyboardInterrupt) or isinstance(err.__context__, KeyboardInterrupt):
        return Failure("interrupted", "interrupted")  # (click makes a Ctrl-C an Abort)
    if isinstance(err, click.exceptions.Abort):
        return Failure("interrupted", "aborted")  # the input ended at a question
    if isinstance(err, click.ClickException):
        return Failure("usage", err.format_message(), _option_of(err), _help_of(err))
    if isinstance(err, ManifestError):
        return manifest_failure(err.problems)
    if isinstance(err, OSError):  # a path given on the command line that cannot be used
        return Failure(
            "path",
            f"cannot use {err.filename}: {err.strerror or err}",
            str(err.filename),
            "check the path (a folder where one is needed, writable)",
        )
    return Failure("platform" if isinstance(err, PlatformTrouble) else "input", str(err))


def manifest_failure(problems: list[ManifestProblem], *, strict: bool = False) -> Failure:
    """Problems in the manifest (``strict``: warnings, under ``validate --strict``)."""
    from evalkit.cli.validate import problems_head

    where = str(problems[0].mark) if problems else None
    return Failure("manifest", problems_head(problems, warning=strict, strict=strict), where)


def error_document(err: BaseException, exit_code: int) -> dict[str, Any]:
    """The document ``--json`` prints when ``err`` ends a command with ``exit_code``."""
    problems = err.problems if isinstance(err, ManifestError) else []
    return failure_of(err).document(exit_code, [problem_data(p) for p in problems])


def _option_of(err: click.ClickException) -> str | None:
    """The option or argument a usage error is about, as typed (``--concurrency``)."""
    param = getattr(err, "param", None)
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    if isinstance(param, click.Parameter):
        return param.human_readable_name
    hint = getattr(err, "param_hint", None)
    if isinstance(hint, str):
        return hint.strip("'\"")
    option = getattr(err, "option_name", None)  # no such option
    return option if isinstance(option, str) else None


def _help_of(err: click.ClickException) -> str | None:
    context = getattr(err, "ctx", None)
    if isinstance(context, click.Context):
        return f"see '{context.command_path} --help'"
    return None
