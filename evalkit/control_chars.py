"""Control characters from untrusted text (agents, platforms, files) written as escapes.

One rule for every place evalkit shows such text to a person: the terminal, and the Markdown
that lands in pull-request comments and step summaries. An escape sequence from an agent's
error must be read, not obeyed.
"""

from __future__ import annotations

import re

#: C0 controls but tab and newline, DEL, C1 controls, and the Unicode controls that reorder or
#: break lines unseen (bidi embeddings, overrides and isolates, line and paragraph separators)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """``text`` with every control character written as an escape (``\\x1b``, ``\\r``,
    ``\\u202e``); tabs and newlines stay."""
    return CONTROL.sub(_escape_control, text)


def _escape_control(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\r":
        return "\\r"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


#: every control character ``CONTROL`` names, and tab and newline too
_CONTROL_IN_A_LINE = re.compile("[\t\n" + CONTROL.pattern[1:])


def one_line(text: str) -> str:
    """``text`` with every control character written as an escape, tabs and newlines too: for
    what must stay on its line, such as the file name that starts ``file:line:`` (a file may
    be named with a newline; a parser of the output, or an annotation, reads lines)."""
    return _CONTROL_IN_A_LINE.sub(_escape_line_control, text)


def _escape_line_control(match: re.Match[str]) -> str:
    char = match.group()
    return {"\n": "\\n", "\t": "\\t"}.get(char) or _escape_control(match)
