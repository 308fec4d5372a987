"""Untrusted text (agent names, run labels, errors) made safe in Markdown: one rule for every
Markdown evalkit writes (the summary, its trend and time tables, ``evalkit history``), which
lands in pull-request comments.

Two forms: ``plain_text`` (escaped prose, also a table cell) and ``code_span``. Neither lets
the text become a link, an image, emphasis, HTML, a heading or a new line or table cell;
control characters are written as escapes (``evalkit.control_chars``).
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from evalkit.control_chars import visible

#: the longest code span; longer text is cut
CODE_SPAN_LIMIT = 300


def plain_text(text: str) -> str:
    """Plain text: HTML escaped, Markdown punctuation neutralised, one line."""
    flat = html.escape(" ".join(visible(text).split()), quote=False)
    for char in "\\`*_[]|#":
        flat = flat.replace(char, "\\" + char)
    return flat


def code_span(text: str) -> str:
    """A code span that no content can break out of (newlines folded, fence longer than any
    run of backticks inside). Not for table cells: a pipe ends a cell even in a code span."""
    flat = " ".join(visible(text).split())[:CODE_SPAN_LIMIT]
    longest = run = 0
    for char in flat:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def table_row(cells: Iterable[str]) -> str:
    """One row of a Markdown table, each cell plain text."""
    return "| " + " | ".join(plain_text(cell) for cell in cells) + " |"
