"""Global options accepted after the command too: ``evalkit validate -m other.yaml``.

The group parses them first (``evalkit -m other.yaml validate``); each command gets the same
options again, and whatever is given at the command wins over the group's value.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import Any

import click

from evalkit.cli.context import GlobalOptions
from evalkit.conventions import MANIFEST_NAME


def _global_params() -> list[click.Option]:
    return [
        click.Option(
            ["-m", "--manifest"],
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help=f"The manifest file (default {MANIFEST_NAME}).",
        ),
        click.Option(["--base-url"], default=None, help="EigenPal platform URL."),
        click.Option(["--api-key"], default=None, help="API key. Never printed."),
        click.Option(["--local"], is_flag=True, default=False, help="Use the local platform."),
        click.Option(["-v", "--verbose"], count=True, help="More detail; -vv for debug logs."),
        click.Option(["--json", "json_output"], is_flag=True, default=False, help="JSON output."),
    ]


def accept_global_options(command: click.Command) -> None:
    """Add the global options a command does not define itself, and merge them into ctx.obj."""
    taken_names = {param.name for param in command.params}
    taken_flags = {flag for param in command.params for flag in param.opts}
    added = [
        option
        for option in _global_params()
        if option.name not in taken_names and not taken_flags.intersection(option.opts)
    ]
    if not added or command.callback is None:
        return
    command.params.extend(added)
    original = command.callback
    added_names = [str(option.name) for option in added]

    @functools.wraps(original)
    def callback(*args: Any, **kwargs: Any) -> Any:
        given = {name: kwargs.pop(name) for name in added_names}
        context = click.get_current_context()
        if isinstance(context.obj, GlobalOptions):
            context.obj = _merge(context.obj, given)
        return original(*args, **kwargs)

    command.callback = callback


def _merge(options: GlobalOptions, given: dict[str, Any]) -> GlobalOptions:
    changes = {name: value for name, value in given.items() if value}
    if "verbose" in changes:
        changes["verbose"] = max(options.verbose, changes["verbose"])
    return dataclasses.replace(options, **changes) if changes else options
