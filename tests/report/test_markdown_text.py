"""Untrusted text in the Markdown evalkit writes (evalkit/report/markdown_text.py): an agent
name from a downloaded history cannot become a link, an image, emphasis, HTML, a line or a
table cell of its own, in the history table, the trend or the time-and-cost table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from evalkit.report import load_results
from evalkit.report.history import earlier_runs, find_history, history_markdown
from evalkit.report.markdown_text import code_span, plain_text, table_row
from evalkit.report.trend import trend_markdown
from evalkit.report.usage import usage_markdown
from tests.report.history_runs import RUN_NAMES, make_history

HOSTILE = "[x](https://evil) ![i](https://evil/i.png) `tick` a|b\nnew\x1b[31m <b>*em*</b> _u_ # h"
#: what a reader sees of it: one line, the control character written as an escape
SEEN = "[x](https://evil) ![i](https://evil/i.png) `tick` a|b new\\x1b[31m <b>*em*</b> _u_ # h"
#: what untrusted text must never become anywhere in these tables and lists
_MARKUP = {"link_open", "image", "html_inline", "softbreak", "hardbreak"}


@pytest.fixture(scope="module")
def hostile_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three runs with the agent 'climbing' renamed HOSTILE in every file a report reads."""
    runs = make_history(tmp_path_factory.mktemp("hostile"))
    for path in runs.rglob("summary.json"):
        path.write_text(json.dumps(_rename(json.loads(path.read_text()))))
    for path in runs.rglob("results.jsonl"):
        lines = path.read_text().splitlines()
        renamed = [json.dumps(_rename(json.loads(line))) for line in lines if line.strip()]
        path.write_text("\n".join(renamed) + "\n")
    return runs


def _rename(value: Any) -> Any:
    if isinstance(value, dict):
        return {_rename(key): _rename(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rename(item) for item in value]
    return HOSTILE if value == "climbing" else value


def _inline(markdown: str) -> list[Token]:
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    return [token for token in tokens if token.type == "inline"]


def _assert_text_only(markdown: str, columns: int | None = None) -> None:
    """The name shows as it is, as one text or one code span; no link, image, HTML or line
    break anywhere; each table row has ``columns`` cells."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    inline = [token for token in tokens if token.type == "inline"]
    children = [child for token in inline for child in token.children or []]
    assert {child.type for child in children} & _MARKUP == set(), markdown
    named = [token for token in inline if SEEN in _text(token)]
    assert named, markdown
    for token in named:
        kids = token.children or []
        in_code = any(kid.type == "code_inline" and kid.content == SEEN for kid in kids)
        assert in_code or {kid.type for kid in kids} <= {"text", "text_special"}, markdown
    if columns is not None:
        rows = [token for token in tokens if token.type == "tr_open"]
        cells = [token for token in tokens if token.type in ("th_open", "td_open")]
        assert rows, markdown
        assert len(cells) == columns * len(rows), markdown


def _text(token: Token) -> str:
    """What a reader sees of an inline token: its text and code spans, escapes resolved."""
    return "".join(child.content for child in token.children or [])


def test_a_hostile_agent_name_in_a_history_is_text_in_its_table(hostile_runs: Path) -> None:
    history = find_history([hostile_runs])
    assert HOSTILE in history.agents
    markdown = history_markdown(history)
    _assert_text_only(markdown, columns=3)


def test_a_hostile_agent_name_is_text_in_the_trend_and_the_usage_table(
    hostile_runs: Path,
) -> None:
    run = load_results(hostile_runs / RUN_NAMES[-1])
    run.history = earlier_runs([hostile_runs])
    _assert_text_only(trend_markdown(run))
    usage = usage_markdown(run)
    _assert_text_only(usage, columns=6)


def test_plain_text_and_code_spans_fold_lines_and_escape_controls() -> None:
    assert plain_text("a\nb\x07") == "a b\\\\x07"  # the escape's backslash, escaped
    assert plain_text("<i>[a]|b*") == "&lt;i&gt;\\[a\\]\\|b\\*"
    assert code_span("x\u202ey") == "`x\\u202ey`"
    assert table_row(["a|b", "c"]) == "| a\\|b | c |"
