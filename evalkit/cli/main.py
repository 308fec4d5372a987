"""The ``evalkit`` click group: global options, command registry, and error-to-exit mapping.

It imports little (click, and what exit codes need): what a command uses is imported when it
runs, and ``evalkit run`` on the local platform launches the platform's process before that
(``evalkit.cli.early_launch``).
"""

from __future__ import annotations

import atexit
import importlib
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import click

from evalkit._version import __version__
from evalkit.cli import streams
from evalkit.cli.early_launch import launched_for
from evalkit.collector import StartupPause, claim_process, leave_to_process_end
from evalkit.conventions import MANIFEST_NAME
from evalkit.errors import EvalkitError, ManifestError
from evalkit.exit_codes import ExitCode, epilog, exit_code_for
from evalkit.malloc_arenas import cap_arenas
from evalkit.unused_modules import HTTPX_CLI, PYDANTIC_V1, keep_out


class LazyGroup(click.Group):
    """A group whose commands are imported on first use; help lists them from ``COMMANDS``."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.add_command(load_command(cmd_name), cmd_name)
            _collection.resume()
        return self.commands.get(cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as err:
            # "No such command 'rn'." -- and which one was meant, as options get
            import difflib

            typed = args[0] if args else ""
            close = difflib.get_close_matches(typed, list(COMMANDS), n=1, cutoff=0.5)
            if close and not typed.startswith("-"):
                raise click.UsageError(
                    f"{err.message} Did you mean '{close[0]}'?", err.ctx
                ) from None
            raise

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, entry.summary) for name, entry in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", prog_name="evalkit")
@click.option(
    "-m",
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(MANIFEST_NAME),
    show_default=True,
    help="The manifest file.",
)
@click.option(
    "--base-url",
    envvar="EIGENPAL_BASE_URL",
    help="EigenPal platform URL (env EIGENPAL_BASE_URL). Unset: the local platform is used.",
)
@click.option(
    "--api-key",
    envvar="EIGENPAL_API_KEY",
    help="API key (env EIGENPAL_API_KEY). Never printed.",
)
@click.option("--local", is_flag=True, help="Use the local platform even if a URL is configured.")
@click.option("-v", "--verbose", count=True, help="More detail; -vv for debug logs.")
@click.option("--json", "json_output", is_flag=True, help="Machine-readable output.")
@click.pass_context
def cli(
    ctx: click.Context,
    manifest: Path,
    base_url: str | None,
    api_key: str | None,
    local: bool,
    verbose: int,
    json_output: bool,
) -> None:
    """evalkit: GitOps for EigenPal agents, a declarative eval and regression harness."""
    from evalkit.cli import output
    from evalkit.cli.context import GlobalOptions

    output.configure_logging(verbose)
    ctx.obj = GlobalOptions(
        manifest=manifest,
        base_url=base_url or None,
        api_key=api_key or None,
        local=local,
        verbose=verbose,
        json_output=json_output,
    )


@dataclass(frozen=True)
class _CommandEntry:
    module: str  # under evalkit.cli
    attribute: str  # the click command object in that module
    summary: str  # one line for ``evalkit --help``, so help imports no command module


# In the order ``evalkit --help`` lists them; tests/cli/test_main.py loads every one.
COMMANDS: dict[str, _CommandEntry] = {
    "init": _CommandEntry("init", "init", "Scaffold a project: manifest, one agent, one example."),
    "validate": _CommandEntry("validate", "validate", "Check the manifest offline."),
    "schema": _CommandEntry("schema", "schema", "Write the manifest JSON Schema."),
    "plan": _CommandEntry("plan", "plan_command", "Show what sync would change."),
    "sync": _CommandEntry("sync", "sync_command", "Make the platform match the manifest."),
    "pull": _CommandEntry("pull", "pull_command", "Write live agents into the manifest."),
    "promote": _CommandEntry("promote", "promote_command", "Make an example from an execution."),
    "harvest": _CommandEntry("harvest", "harvest_command", "Make examples from executions."),
    "run": _CommandEntry("run", "run_command", "Run the examples, compare, write feedback, gate."),
    "accept": _CommandEntry("accept", "accept_command", "Make a run's outputs the expected ones."),
    "report": _CommandEntry("report", "report", "Render reports again from a results file."),
    "diff": _CommandEntry("diff", "diff_command", "Compare two runs (folders or batch:RUN_ID)."),
    "history": _CommandEntry("history", "history", "Pass rate and score per agent over runs."),
    "serve": _CommandEntry("serve", "serve", "Run the local EigenPal platform."),
}


def load_command(name: str) -> click.Command:
    """Import a command's module only when that command is used (keeps start-up fast)."""
    from evalkit.cli.global_options import accept_global_options

    entry = COMMANDS[name]
    module = importlib.import_module(f"evalkit.cli.{entry.module}")
    command: click.Command = getattr(module, entry.attribute)
    accept_global_options(command)
    command.epilog = epilog(name)  # each command's exit codes, from the one table
    return command


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the CLI, report an error as one clean message (never a
    traceback) and exit with the code ``evalkit.exit_codes`` gives it."""
    args = sys.argv[1:] if argv is None else argv
    if argv is None:  # this process is the command's own: tuned for it (never a caller's)
        claim_process()
        _collection.pause()
        cap_arenas()
        keep_out(HTTPX_CLI, PYDANTIC_V1)  # (their imports would take 25 and 12 ms)
    with streams.readers_may_leave():  # a closed pipe changes nothing but what is printed
        # ``evalkit run`` on the local platform: the platform's process starts now, before
        # the run's imports; unused (a usage error), it is stopped when the command ends.
        with launched_for(cli, args):
            code = _invoke(args, argv)
        if argv is None:
            end_process(code)
    sys.exit(code)


def end_process(code: int) -> NoReturn:
    """End the command's own process with ``code``, without the interpreter's teardown.

    Everything the command wrote is closed by then; what Python's exit does after it is tear
    down every module and object one by one (about 15 ms after a run of 500 examples, for
    nothing: the system takes the memory back whole). The exit handlers still run and the
    standard streams are flushed. A thread still running (not a daemon) is waited for as
    Python waits for it, and a stream that cannot be flushed (a full disk: ``main``'s streams
    drop what a closed pipe refuses) is said as Python says it: both take the usual exit, as
    does Python's development mode (``-X dev``), whose teardown reports what was left open."""
    others = [
        thread
        for thread in threading.enumerate()
        if thread is not threading.main_thread() and not thread.daemon
    ]
    if others or sys.flags.dev_mode:
        sys.exit(code)
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(code)


#: the collector held off while the command's modules are imported (``evalkit.collector``)
_collection = StartupPause()


def _invoke(args: list[str], argv: list[str] | None) -> int:
    """The command's exit code; an error in ``REPORTED_ERRORS`` reported on the way."""
    try:
        code = cli.main(args=args, prog_name="evalkit", standalone_mode=False)
    except click.exceptions.Exit as err:
        _ending(argv)
        return err.exit_code
    except REPORTED_ERRORS as err:
        if isinstance(err, OSError) and not err.filename:
            raise  # not about a path the user gave: a bug, with its traceback
        code = exit_code_for(err, detailed_plan=_parsing_detailed_plan(err, args))
        report_error(err, exit_code=code, as_json=_json_asked(args))
        _ending(argv)
        return code
    _ending(argv)
    return code if isinstance(code, int) else ExitCode.OK


def _ending(argv: list[str] | None) -> None:
    """The command is done and, run as the process's own command line, the process ends."""
    if argv is None:
        leave_to_process_end()


#: the errors reported as a message: the user's, the platform's, Ctrl-C, unusable paths
REPORTED_ERRORS = (
    click.exceptions.Abort,
    KeyboardInterrupt,
    click.ClickException,
    EvalkitError,
    OSError,
)


def report_error(err: BaseException, *, exit_code: int, as_json: bool) -> None:
    """One of ``REPORTED_ERRORS`` as the user sees it, on standard error; ``as_json``: also
    as one JSON document on standard output (``evalkit.cli.error_data``)."""
    from evalkit.cli import output
    from evalkit.cli.error_data import error_document, failure_of

    if as_json:
        output.emit_json(error_document(err, exit_code))
    failure = failure_of(err)
    if failure.kind == "usage" and isinstance(err, click.ClickException):
        err.show()  # click's usage line, then the message
    elif isinstance(err, ManifestError):
        from evalkit.cli.validate import format_problems

        output.error(format_problems(err.problems))
    else:
        output.error(failure.said())


def _json_asked(args: list[str]) -> bool:
    """``--json`` is given, before or after the command (not after ``--``, as click reads it):
    known even when the options could not be parsed."""
    options = args[: args.index("--")] if "--" in args else args
    return "--json" in options


def _parsing_detailed_plan(err: BaseException, args: list[str]) -> bool:
    """Whether ``err`` is a bad option of ``plan --detailed-exitcode`` (plan reports its own
    errors): there it must be 1, as 2 reads as "there are changes"."""
    context = getattr(err, "ctx", None)
    return (
        isinstance(context, click.Context)
        and context.command.name == "plan"
        and "--detailed-exitcode" in args
    )
