"""Text from agents, platforms and files prints as itself: never markup, emoji codes or terminal
control sequences, through every printing function, to a terminal and piped, and through a
real ``evalkit run`` whose agent fails with such a message."""

from __future__ import annotations

import io
import json
import logging
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
from rich.text import Text

from evalkit.cli import output

ROOT = Path(__file__).resolve().parents[2]

#: markup that does not parse, markup that does, a hyperlink, an emoji code, then terminal
#: control: clear screen, set the window title (OSC ... BEL), carriage return, bidi override
HOSTILE = (
    "[/oops] [bold]BOLD[/bold] [link=https://evil.example]click[/link] :smile: "
    "\x1b[2J\x1b]0;pwned\x07 \rback \u202eevil"
)
LITERAL = ("[/oops]", "[bold]BOLD[/bold]", "[link=https://evil.example]click[/link]", ":smile:")
VISIBLE = ("\\x1b[2J", "\\x1b]0;pwned\\x07", "\\rback", "\\u202eevil")
RAW = ("\x1b[2J", "\x1b]", "\x07", "\r", "\u202e", "😄")
#: in a run's lines, the carriage return ends a line of the error (its first and last are shown)
VISIBLE_IN_RUN = ("\\x1b[2J", "\\x1b]0;pwned\\x07", " … back", "\\u202eevil")


def assert_shown_as_is(text: str, *, terminal: bool, visible: tuple[str, ...] = VISIBLE) -> None:
    for part in LITERAL + visible:
        assert part in text, (part, text)
    for part in RAW:
        assert part not in text, (part, text)
    # In a terminal the only escape sequences left are evalkit's own colours (SGR).
    escapes = re.findall(r"\x1b.?", text)
    if not terminal:
        assert escapes == []
    assert all(escape == "\x1b[" for escape in escapes)
    assert re.sub(r"\x1b\[[0-9;]*m", "", text).count("\x1b") == 0


@pytest.fixture(params=[True, False], ids=["terminal", "piped"])
def terminal(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> tuple[bool, io.StringIO, io.StringIO]:
    """stdout and stderr consoles writing into buffers, as a terminal or as a pipe."""
    is_terminal: bool = request.param
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(
        output, "stdout", output.console(to_stderr=False, file=out, terminal=is_terminal)
    )
    monkeypatch.setattr(
        output, "stderr", output.console(to_stderr=True, file=err, terminal=is_terminal)
    )
    return is_terminal, out, err


def test_say_prints_a_str_as_is(terminal: tuple[bool, io.StringIO, io.StringIO]) -> None:
    is_terminal, out, _ = terminal
    output.say(f"agent error: {HOSTILE}")
    assert_shown_as_is(out.getvalue(), terminal=is_terminal)


def test_say_keeps_the_styles_set_by_code_and_shows_the_text_as_is(
    terminal: tuple[bool, io.StringIO, io.StringIO],
) -> None:
    is_terminal, out, _ = terminal
    output.say(Text.assemble(output.styled("✗", "red"), " ", output.styled(HOSTILE, "bold")))
    printed = out.getvalue()
    assert_shown_as_is(printed, terminal=is_terminal)
    if is_terminal:
        assert "\x1b[31m✗" in printed  # the red mark survives the escaping


def test_say_neutralises_control_characters_in_a_text_built_elsewhere(
    terminal: tuple[bool, io.StringIO, io.StringIO],
) -> None:
    is_terminal, out, _ = terminal
    # rich itself drops the bell and the carriage return of a raw part, and keeps the rest
    output.say(Text.assemble(output.styled("✗", "red"), " ", HOSTILE))
    printed = out.getvalue()
    assert_shown_as_is(printed, terminal=is_terminal, visible=("\\x1b[2J", "\\u202eevil"))


def test_note_prints_a_str_as_is(terminal: tuple[bool, io.StringIO, io.StringIO]) -> None:
    is_terminal, _, err = terminal
    output.note(f"[1/1] error     hostile/a (0.0 s) [flaky]: {HOSTILE}")
    printed = err.getvalue()
    assert_shown_as_is(printed, terminal=is_terminal)
    assert "(0.0 s) [flaky]:" in printed


@pytest.mark.parametrize(
    "text",
    [HOSTILE, "a\tb", "x" * 300, "two\nlines", "trailing  ", "", "[500/500] pass   a/b (0.5 s)"],
)
def test_a_piped_note_is_what_rich_would_print(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Piped (a CI log, a line per example), a note skips rich's rendering: same bytes."""
    by_rich = io.StringIO()
    output.console(to_stderr=True, file=by_rich, terminal=False).print(
        output._shown(text), style="dim"
    )
    written = io.StringIO()
    monkeypatch.setattr(
        output, "stderr", output.console(to_stderr=True, file=written, terminal=False)
    )
    output.note(text)
    assert written.getvalue() == by_rich.getvalue()


def test_error_prints_the_message_as_is(terminal: tuple[bool, io.StringIO, io.StringIO]) -> None:
    is_terminal, _, err = terminal
    output.error(HOSTILE)
    printed = err.getvalue()
    assert_shown_as_is(printed, terminal=is_terminal)
    assert re.sub(r"\x1b\[[0-9;]*m", "", printed).startswith("error: [/oops]")


def test_trusted_markup_keeps_emoji_codes_as_written(
    terminal: tuple[bool, io.StringIO, io.StringIO],
) -> None:
    _, out, _ = terminal
    output.say(output.trusted_markup("[bold]plan[/] :smile:"))
    assert "plan :smile:" in re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())


def test_plain_writes_the_text_as_is(capsys: pytest.CaptureFixture[str]) -> None:
    output.plain(f"| error | {HOSTILE} |")
    assert_shown_as_is(capsys.readouterr().out, terminal=False)


def test_json_escapes_control_characters_and_keeps_the_text(
    capsys: pytest.CaptureFixture[str],
) -> None:
    output.emit_json({"error": HOSTILE})
    printed = capsys.readouterr().out
    assert "\x1b" not in printed
    assert "\x07" not in printed
    assert json.loads(printed) == {"error": HOSTILE}


def test_log_records_show_control_characters_as_escapes() -> None:
    record = logging.LogRecord("evalkit.test", logging.WARNING, __file__, 1, HOSTILE, None, None)
    line = output.log_handler().format(record)
    assert line.startswith("WARNING evalkit.test: [/oops]")
    for part in RAW:
        assert part not in line


# ---------------------------------------------------------------- a real run


def _hostile_project(folder: Path) -> Path:
    """An agent that always fails with ``HOSTILE`` (its one example is quarantined, so the
    run passes on the other agent's example), on the local platform's built-in runtimes."""
    manifest = folder / "evalkit.yaml"
    manifest.write_text(
        "version: 1\n"
        "agents:\n"
        "  - slug: hostile\n"
        f"    config: {{runtime: {{builtin: fail, error: {json.dumps(HOSTILE)}}}}}\n"
        "    examples:\n"
        "      - {name: a, expected: {ok: true}, tags: [quarantine]}\n"
        "  - slug: fine\n"
        "    config: {runtime: {builtin: fixed, output: {ok: true}}}\n"
        "    examples:\n"
        "      - {name: b, expected: {ok: true}}\n",
        encoding="utf-8",
    )
    return manifest


def _environment() -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EIGENPAL_")}
    environment.pop("GITHUB_ACTIONS", None)
    environment["PYTHONPATH"] = str(ROOT)
    return environment


def test_a_piped_run_shows_a_hostile_agent_error_as_is(tmp_path: Path) -> None:
    _hostile_project(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "evalkit", "run", "--no-report"],
        cwd=tmp_path,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    progress = [line for line in result.stderr.splitlines() if "hostile/a" in line]
    assert len(progress) == 1, result.stderr  # the line is printed, not dropped
    assert progress[0].startswith("[2/2] error") or progress[0].startswith("[1/2] error")
    assert " [quarantined]: " in progress[0]
    assert_shown_as_is(progress[0], terminal=False, visible=VISIBLE_IN_RUN)
    assert_shown_as_is(result.stdout, terminal=False, visible=VISIBLE_IN_RUN)  # the table
    assert "quarantined (judged by no gate): hostile/a" in result.stdout


def test_a_run_in_a_terminal_shows_a_hostile_agent_error_as_is(tmp_path: Path) -> None:
    _hostile_project(tmp_path)
    leader, follower = pty.openpty()
    environment = {**_environment(), "TERM": "xterm-256color", "COLUMNS": "400"}
    environment.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "evalkit", "run", "--no-report"],
        cwd=tmp_path,
        env=environment,
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 240)
        if not ready:
            process.kill()
            raise AssertionError("evalkit run printed nothing for 240 s")
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=60) == 0
    screen = b"".join(chunks).decode("utf-8", errors="replace")
    assert "Traceback" not in screen
    table = [line for line in screen.splitlines() if "hostile/a" in line and "error" in line]
    assert table, screen
    row = table[-1]
    for part in LITERAL + VISIBLE_IN_RUN:
        assert part in row, (part, row)
    for part in ("\x1b[2J", "\x1b]0;", "\x07", "\u202e", "😄"):
        assert part not in screen, part
