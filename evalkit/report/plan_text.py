"""The sync plan a run applied, when the summary carries it: as Markdown, and as HTML for the
report page.

The HTML is rendered with markdown-it (CommonMark) and is safe whatever the plan holds: every
text is escaped, raw HTML is shown as text (never passed through), and links and images are
not made (the page's Content-Security-Policy stays ``default-src 'none'``). The one exception
is the pair of tags the plan's own Markdown writes around a file's diff
(``evalkit.sync.render``): exactly ``<details><summary>diff</summary>`` and ``</details>``
become those elements.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup, escape

from evalkit.errors import PlanError
from evalkit.sync.plan_file import record_markdown

# The HTML blocks evalkit.sync.render writes, the only ones kept as HTML.
_OWN_BLOCKS = frozenset({"<details><summary>diff</summary>", "</details>"})


def plan_markdown(data: dict[str, Any] | None) -> str | None:
    """The plan's Markdown, or a note when the summary holds something that is not a plan."""
    if data is None:
        return None
    try:
        return record_markdown(data, where="the summary's sync_plan")
    except PlanError as err:
        return _unreadable(err)


def plan_html(data: dict[str, Any] | None) -> Markup | None:
    """The plan as HTML for the report, or the note (as a warning paragraph)."""
    if data is None:
        return None
    try:
        text = record_markdown(data, where="the summary's sync_plan")
    except PlanError as err:
        return Markup('<p class="warn">{}</p>').format(_unreadable(err))
    return markdown_html(text)


def markdown_html(text: str) -> Markup:
    """``text`` (CommonMark) as HTML: escaped, no raw HTML, no links, no images."""
    return Markup(_markdown().render(text))


def _unreadable(err: PlanError) -> str:
    return f"(the sync plan in the summary could not be read: {err})"


@cache
def _markdown() -> MarkdownIt:
    # html=True only so that raw HTML arrives as html_block/html_inline tokens, which the
    # rules below escape; with html=False it would be escaped too, but evalkit's own
    # <details> around a diff could not be told apart.
    md = MarkdownIt("commonmark", {"html": True})
    md.disable(["link", "image", "autolink"])
    md.add_render_rule("html_block", _html_block)
    md.add_render_rule("html_inline", _html_inline)
    return md


def _html_block(
    renderer: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    content = tokens[idx].content
    if content.strip() in _OWN_BLOCKS:
        return content.strip() + "\n"
    return f"<p>{escape(content.rstrip())}</p>\n"


def _html_inline(
    renderer: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return str(escape(tokens[idx].content))
