"""The ``evalkit`` click group: global options, command registry, and error-to-exit mapping."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from evalkit._version import __version__
from evalkit.cli import output
from evalkit.cli.context import GlobalOptions
from evalkit.cli.exit_codes import ExitCode
from evalkit.cli.global_options import accept_global_options
from evalkit.errors import ConfigError, EvalkitError, ManifestError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="evalkit")
@click.option(
    "-m",
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("evalkit.yaml"),
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
    _configure_logging(verbose)
    ctx.obj = GlobalOptions(
        manifest=manifest,
        base_url=base_url or None,
        api_key=api_key or None,
        local=local,
        verbose=verbose,
        json_output=json_output,
    )


def _configure_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


def _register_commands() -> None:
    """Each command lives in its own module; they are added here, in help order."""
    import importlib

    for module_name, command_name in _COMMANDS:
        module = importlib.import_module(f"evalkit.cli.{module_name}")
        command = getattr(module, command_name)
        accept_global_options(command)
        cli.add_command(command)


# (module under evalkit/cli, click command object name), in the order help lists them
_COMMANDS: list[tuple[str, str]] = [
    ("init", "init"),
    ("validate", "validate"),
    ("schema", "schema"),
    ("plan", "plan_command"),
    ("sync", "sync_command"),
    ("pull", "pull_command"),
    ("report", "report"),
    ("serve", "serve"),
]


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the CLI and map errors to exit codes, never a traceback."""
    if not cli.commands:
        _register_commands()
    try:
        code = cli.main(args=argv, prog_name="evalkit", standalone_mode=False)
    except click.exceptions.Abort:
        output.error("aborted")
        sys.exit(ExitCode.INTERRUPTED)
    except click.ClickException as err:
        err.show()
        sys.exit(ExitCode.USAGE if err.exit_code == 2 else err.exit_code)
    except click.exceptions.Exit as err:
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        output.error("interrupted")
        sys.exit(ExitCode.INTERRUPTED)
    except ManifestError as err:
        from evalkit.cli.validate import format_problems

        output.error(format_problems(err.problems))
        sys.exit(exit_code_for(err))
    except (ConfigError, EvalkitError) as err:
        output.error(str(err))
        sys.exit(exit_code_for(err))
    sys.exit(code if isinstance(code, int) else ExitCode.OK)


def exit_code_for(err: BaseException) -> int:
    """The one place that maps an exception to an exit code."""
    from evalkit.client.errors import EigenpalError

    code = getattr(err, "exit_code", None)
    if isinstance(code, int):
        return code
    if isinstance(err, EigenpalError):
        return int(ExitCode.INFRASTRUCTURE)
    return int(ExitCode.USAGE)
