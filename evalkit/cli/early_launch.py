"""``evalkit run`` on the local platform: the platform's process launched before the command's
own imports.

The local platform's child process takes about half a second to be ready (an interpreter, then
the web stack's imports), and ``evalkit run`` about as long to import what it runs with. Here
the child is launched (``evalkit.emulator.launch.PlatformLaunch``: a ``Popen``, its configuration
given later on its stdin) as soon as the command line is known to be a run on the local
platform, before ``evalkit.cli.run`` is imported, so that both starts overlap on a machine with
two cores. ``run_command`` takes the launch (``take_launch``) and hands it to ``evalkit.run``,
which configures it once it has read the manifest and stops it when the run ends.

The command line is read here before click parses it for real, so only what can be told
cheaply and surely decides: no launch for another command, ``--help`` or ``--version`` anywhere,
a base URL given (``--base-url`` before or after ``run``, or ``EIGENPAL_BASE_URL``) without
``--local``, or a command line the group cannot parse. A ``run`` whose own options click then
refuses (a usage error) had a launch that was never configured: it is stopped when the command
ends, before it opened any state, as an unused launch always is.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from evalkit.emulator.launch import PlatformLaunch

#: the command that runs examples on the platform (the only one launched ahead)
RUN_COMMAND = "run"
#: options that print something and end the command before it runs
_ENDING_OPTIONS = frozenset({"-h", "--help", "--version"})
_BASE_URL = "--base-url"
_LOCAL = "--local"

_launch: ContextVar[PlatformLaunch | None] = ContextVar("evalkit_platform_launch", default=None)


def is_local_run(group: click.Command, args: Sequence[str]) -> bool:
    """Whether ``args`` (the group's command line) is surely ``evalkit run`` on the local
    platform, to the extent it can be told before the command is loaded."""
    if _ENDING_OPTIONS.intersection(args):
        return False
    context = click.Context(group, info_name="evalkit", resilient_parsing=True)
    try:
        # the group's own options (its environment variables read as click reads them), and
        # what follows them: the command's name, then its arguments
        rest = click.Command.parse_args(group, context, list(args))
    except click.ClickException:
        return False
    if not rest or rest[0] != RUN_COMMAND:
        return False
    command_args = rest[1:]
    if context.params.get("local") or _LOCAL in command_args:
        return True
    return not context.params.get("base_url") and not _base_url_in(command_args)


def _base_url_in(args: Sequence[str]) -> bool:
    """Whether ``--base-url`` is given a (non-empty) value among a command's arguments."""
    for index, arg in enumerate(args):
        if arg == _BASE_URL and index + 1 < len(args) and args[index + 1]:
            return True
        if arg.startswith(_BASE_URL + "=") and arg != _BASE_URL + "=":
            return True
    return False


@contextmanager
def launched_for(group: click.Command, args: Sequence[str]) -> Iterator[None]:
    """For the length of the block (the whole command), the local platform's process launched
    now if ``args`` is a run on the local platform (``take_launch`` hands it on); stopped when
    the block ends if it was not used, waited for if it was."""
    if not is_local_run(group, args):
        yield
        return
    from evalkit.emulator.launch import PlatformLaunch

    with PlatformLaunch() as launch:
        token = _launch.set(launch)
        try:
            yield
        finally:
            _launch.reset(token)


def take_launch() -> PlatformLaunch | None:
    """The launch made for this command, once (None if there is none): the caller hands it to
    ``evalkit.run``, which owns it from then on."""
    launch = _launch.get()
    _launch.set(None)
    return launch
