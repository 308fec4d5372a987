"""The only module of evalkit that writes to the terminal.

Everything printed here is shown as it is. A ``str`` is never read as rich markup or as an emoji
code, and terminal control characters (escape sequences, carriage returns, bells, bidi
overrides) are shown as visible escapes such as ``\\x1b`` instead of acting on the terminal. So
text from agents, platforms and files can be passed to any function here without escaping.

Styles are applied by code: pass a ``rich.text.Text`` built with styles (``styled``). The one
door for markup is ``trusted_markup``, for the renderers of evalkit that escape every untrusted
part of the markup they write (``evalkit.sync.render``, ``evalkit.sync.summary``).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence
from typing import IO, Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from evalkit.control_chars import CONTROL, visible


def console(
    *, to_stderr: bool, file: IO[str] | None = None, terminal: bool | None = None
) -> Console:
    """A console on which a ``str`` prints as itself: no markup, emoji codes or highlighting.
    ``file`` and ``terminal`` are for tests (default: the process's stream, as detected)."""
    return Console(
        stderr=to_stderr,
        file=file,
        force_terminal=terminal,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=True,
    )


stdout = console(to_stderr=False)
stderr = console(to_stderr=True)


def styled(text: str, style: str) -> Text:
    """``text`` (any text, trusted or not) in a style given by evalkit's code."""
    return Text(visible(text), style=style)


def trusted_markup(markup: str) -> Text:
    """Markup written by evalkit's renderers, which escape every untrusted part of it.

    The only function that interprets markup: never give it text from agents, platforms or
    files. Emoji codes stay as written.
    """
    return Text.from_markup(visible(markup), emoji=False)


def _shown(text: str | Text) -> Text:
    """A ``Text`` that prints exactly as given, its control characters made visible (rich
    would drop some, such as a bell, and pass an escape through)."""
    if isinstance(text, str):
        return Text(visible(text))
    positions = [match.start() for match in CONTROL.finditer(text.plain)]
    if not positions:
        return text
    cuts = sorted({cut for position in positions for cut in (position, position + 1)})
    shown = text.blank_copy()
    for part in text.divide(cuts):
        if CONTROL.fullmatch(part.plain):
            escaped = Text(visible(part.plain))
            for span in part.spans:
                escaped.stylize(span.style, 0, len(escaped))
            part = escaped
        shown.append_text(part)
    return shown


def is_interactive() -> bool:
    """Standard input and output are a terminal: a command may ask a question there."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def needs_yes(doing: str, review: str) -> str:
    """Why a command that asks before it writes (sync, accept, run --update) stops when there
    is no terminal to ask in and no ``--yes``: what it would do, and how to review it first."""
    return f"{doing} and needs --yes when not run in a terminal ({review})"


def say(text: str | Text = "") -> None:
    """A line for the user on standard output."""
    stdout.print(_shown(text))


def table(header: Sequence[str], rows: Sequence[Sequence[str]], *, caption: str = "") -> None:
    """A table on standard output, the first column left and the others right-aligned; every
    cell shown as it is (control characters made visible)."""
    grid = Table(box=box.SIMPLE_HEAD, caption=_shown(caption) if caption else None)
    for index, name in enumerate(header):
        grid.add_column(_shown(name), justify="left" if index == 0 else "right")
    for row in rows:
        grid.add_row(*(_shown(cell) for cell in row))
    stdout.print(grid)


def plain(text: str) -> None:
    """Text on standard output with no processing at all but the control characters made
    visible (Markdown, GitHub workflow commands, file lists)."""
    shown = visible(text)
    sys.stdout.write(shown if shown.endswith("\n") else shown + "\n")
    sys.stdout.flush()


def note(text: str | Text) -> None:
    """A side remark on standard error, so that stdout stays clean for --json."""
    if isinstance(text, str) and stderr.color_system is None and "\t" not in text:
        # What rich would write (it would expand tabs), without its rendering: a run notes a
        # line per example in CI logs, and rich's path cost a tenth of a millisecond each.
        stderr.file.write(visible(text) + "\n")
        stderr.file.flush()
        return
    stderr.print(_shown(text), style="dim")


def error(message: str | Text) -> None:
    """An error on standard error: ``error:`` in red, then the message as it is."""
    stderr.print(Text.assemble(styled("error:", "bold red"), " ", _shown(message)))


def emit_json(data: Any) -> None:
    """Machine-readable output on standard output (JSON escapes every control character)."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")
    sys.stdout.flush()


class _VisibleFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return visible(super().format(record))


def log_handler() -> logging.Handler:
    """Log records on standard error as plain lines, control characters made visible."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_VisibleFormatter("%(levelname)s %(name)s: %(message)s"))
    return handler


def configure_logging(verbose: int) -> None:
    """Warnings only; ``-v`` info, ``-vv`` debug."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, handlers=[log_handler()])
