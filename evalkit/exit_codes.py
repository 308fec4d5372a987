"""Every exit code of evalkit and what it means for each command: the one table.

``USES`` says, per command, which codes it exits with and why; each command's ``--help`` lists
its own, and the README's table is rendered from it by ``markdown_table`` (a test keeps the
README equal). ``exit_code_for`` is the one place that maps an error to a code. This module
imports nothing heavy at import time: the runner imports it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum


class ExitCode(IntEnum):
    OK = 0
    #: the command worked and its answer is no: a gate or a check failed, sync refused to apply
    FAILURE = 1
    #: usage, manifest or input error: nothing was done
    USAGE = 2
    #: the platform: unreachable, the API key refused, or failing
    INFRASTRUCTURE = 3
    #: Ctrl-C
    INTERRUPTED = 130


class DetailedPlanCode(IntEnum):
    """``plan --detailed-exitcode``, Terraform's rule, for CI scripts that expect it."""

    NO_CHANGES = 0
    ERROR = 1
    CHANGES = 2


#: what each code means, whichever command gives it
GENERAL: dict[int, str] = {
    ExitCode.OK: "success",
    ExitCode.FAILURE: "the command worked and its answer is no",
    ExitCode.USAGE: "usage, manifest or input error: nothing was done",
    ExitCode.INFRASTRUCTURE: "the platform is unreachable, refused the API key, or failed",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C); every command but serve, which stops with 0",
}


class RunStatus(str, Enum):
    """A run's status, as ``summary.json`` writes it."""

    PASSED = "passed"
    GATE_FAILED = "gate_failed"
    INFRASTRUCTURE = "infrastructure"
    INTERRUPTED = "interrupted"


#: ``evalkit run``: the status written in summary.json -> the exit code (a plain string
#: status finds its code too: ``RunStatus`` is a ``str``)
RUN_STATUS_CODES: dict[str, ExitCode] = {
    RunStatus.PASSED: ExitCode.OK,
    RunStatus.GATE_FAILED: ExitCode.FAILURE,
    RunStatus.INFRASTRUCTURE: ExitCode.INFRASTRUCTURE,
    RunStatus.INTERRUPTED: ExitCode.INTERRUPTED,
}

#: ``evalkit sync``: the state of an apply -> the exit code. An agent fails only on a
#: platform error, so nothing applied is platform trouble as much as partly applied.
SYNC_STATE_CODES: dict[str, ExitCode] = {
    "converged": ExitCode.OK,
    "nothing-applied": ExitCode.INFRASTRUCTURE,
    "partly-applied": ExitCode.INFRASTRUCTURE,
}

DETAILED = "plan --detailed-exitcode"


@dataclass(frozen=True)
class Use:
    """``command`` exits with ``code`` when ``meaning``."""

    command: str
    code: int
    meaning: str


#: every code each command exits with (130 aside, see GENERAL), in the order of --help
USES: tuple[Use, ...] = (
    Use("init", 0, "project written"),
    Use("init", 2, "a file exists (`--force` overwrites), the folder is unusable"),
    Use("validate", 0, "the manifest is valid"),
    Use("validate", 2, "problems in the manifest, each at its line; `--strict`: warnings too"),
    Use("schema", 0, "written; `--check`: up to date"),
    Use("schema", 1, "`--check`: missing or out of date"),
    Use("schema", 2, "bad option, unusable path"),
    Use("plan", 0, "plan printed"),
    Use("plan", 1, "orphans, with `--fail-on-orphans`"),
    Use("plan", 2, "bad option, manifest problems"),
    Use("plan", 3, "platform"),
    Use(DETAILED, DetailedPlanCode.NO_CHANGES, "no changes"),
    Use(DETAILED, DetailedPlanCode.ERROR, "any error, platform included"),
    Use(DETAILED, DetailedPlanCode.CHANGES, "there are changes"),
    Use("sync", 0, "converged, or nothing to do"),
    Use(
        "sync",
        1,
        "nothing applied: the saved plan is stale, the changes were declined, "
        "orphans with `--fail-on-orphans`",
    ),
    Use(
        "sync",
        2,
        "bad option, manifest problems, no terminal and no `--yes`, a saved plan that is "
        "damaged or uploads what the manifest does not declare",
    ),
    Use("sync", 3, "platform: nothing or only part applied, run sync again"),
    Use("pull", 0, "agents written"),
    Use(
        "pull",
        1,
        "written, but the manifest does not load: files from the platform have problems, each "
        "listed at its line",
    ),
    Use(
        "pull",
        2,
        "bad option, manifest problems, no such agent, an entry pull cannot update, local "
        "changes git could not give back (without `--force`): nothing was written",
    ),
    Use("pull", 3, "platform"),
    Use("promote", 0, "example written (`--dry-run`: shown)"),
    Use(
        "promote",
        2,
        "bad option, manifest problems, no such agent, examples folder or execution, the "
        "example exists (`--force` replaces it), an execution an example already names "
        "(`--force` writes a second), an execution that cannot make an example",
    ),
    Use("promote", 3, "platform"),
    Use("harvest", 0, "examples written, or none to write (`--dry-run`: shown)"),
    Use(
        "harvest",
        2,
        "bad option, manifest problems, no such agent (in the manifest or on the platform) or "
        "examples folder",
    ),
    Use("harvest", 3, "platform"),
    Use(
        "run",
        0,
        "every gate passed, or nothing to run (`--changed-since`: no suite changed); "
        "`--update`: every example that did not pass is accepted",
    ),
    Use("run", 1, "a gate failed; `--update`: some examples not accepted, or declined"),
    Use(
        "run",
        2,
        "bad option, manifest problems, an agent that differs from the manifest or is missing "
        "(`--allow-drift` runs it as is), a `--changed-since` ref git does not know or no git "
        "checkout: nothing was run",
    ),
    Use("run", 3, "platform, including the sync before the run and errors on most examples"),
    Use("accept", 0, "every selected example that did not pass is accepted (or none needed it)"),
    Use(
        "accept",
        1,
        "declined, or some examples not accepted (errors, flaky attempts, a rule that rejects "
        "the output): the rest is written",
    ),
    Use(
        "accept",
        2,
        "bad option, not a run folder, `CI` set without `--force`, no terminal and no `--yes`",
    ),
    Use("report", 0, "reports written; `--gate`: every gate passed"),
    Use("report", 1, "`--gate`: a gate failed"),
    Use("report", 2, "bad option, unreadable results, a missing, repeated or foreign shard"),
    Use("report", 3, "`--gate`: the run's code (also 130)"),
    Use("diff", 0, "comparison printed"),
    Use(
        "diff",
        1,
        "`--fail-on-regression`: B regressed (a significant regression, a pass→fail, "
        "a pass-rate delta below zero)",
    ),
    Use("diff", 2, "bad option, an unreadable run, a batch not on the platform"),
    Use("diff", 3, "platform"),
    Use("history", 0, "history printed"),
    Use("history", 2, "bad option, no run summary found where it looked"),
    Use("serve", 0, "stopped (Ctrl-C or SIGTERM)"),
    Use("serve", 2, "bad option, the port is taken, an invalid workflow file"),
)

#: the columns of the README's table
TABLE_CODES = (ExitCode.OK, ExitCode.FAILURE, ExitCode.USAGE, ExitCode.INFRASTRUCTURE)


def commands() -> list[str]:
    """Every command (and mode) with its own codes, in table order."""
    return list(dict.fromkeys(use.command for use in USES))


def codes_of(command: str) -> dict[int, str]:
    """The codes ``command`` (e.g. ``"sync"``) exits with, each with its meaning there."""
    codes = {use.code: use.meaning for use in USES if use.command == command}
    if not codes:
        raise KeyError(command)
    if command != "serve" and command != DETAILED:
        codes[ExitCode.INTERRUPTED] = "interrupted (Ctrl-C)"
    return codes


def epilog(command: str) -> str:
    """The ``--help`` paragraph listing ``command``'s exit codes (click keeps its lines)."""
    lines = [f"  {code:<3}  {_words(meaning)}" for code, meaning in codes_of(command).items()]
    if command == "plan":
        detailed = ", ".join(f"{code} {m}" for code, m in codes_of(DETAILED).items())
        lines.append(f"  with --detailed-exitcode: {detailed}")
    return "\b\nExit codes:\n" + "\n".join(lines)


def _words(meaning: str) -> str:
    """A meaning for the terminal: no Markdown, and a leading 'platform' said in full."""
    text = meaning.replace("`", "")
    head, rest = text[: len("platform")], text[len("platform") :]
    if head == "platform" and rest[:1] in ("", ",", ":"):
        return GENERAL[ExitCode.INFRASTRUCTURE] + rest
    return text


def markdown_table() -> str:
    """The README's table: a row per command, a column per code, then what codes mean."""
    header = "| command | " + " | ".join(str(int(code)) for code in TABLE_CODES) + " |"
    rows = [header, "|---" * (len(TABLE_CODES) + 1) + "|"]
    for command in commands():
        codes = codes_of(command)
        cells = [codes.get(code, "") for code in TABLE_CODES]
        rows.append(f"| `{command}` | " + " | ".join(cells) + " |")
    rows.append("")
    rows += [f"- {int(code)}: {meaning}" for code, meaning in GENERAL.items()]
    return "\n".join(rows)


def exit_code_for(error: BaseException, *, detailed_plan: bool = False) -> int:
    """The one place that maps an error to an exit code: Ctrl-C is 130, the platform's errors
    (and the runner's errors for them) are 3, every other error evalkit reports is 2.
    ``detailed_plan``: the error stopped ``plan --detailed-exitcode``, where any error is 1."""
    # Imported here: this module stays light enough for the runner to import, and start-up fast.
    import click

    from evalkit.errors import PlatformTrouble

    if isinstance(error, KeyboardInterrupt | click.exceptions.Abort):
        return ExitCode.INTERRUPTED
    if detailed_plan:
        return DetailedPlanCode.ERROR
    if isinstance(error, PlatformTrouble):
        return ExitCode.INFRASTRUCTURE
    return ExitCode.USAGE
