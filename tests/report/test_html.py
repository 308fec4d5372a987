from __future__ import annotations

import json
import re
import threading
from html.parser import HTMLParser
from importlib import resources

from hypothesis import given
from hypothesis import strategies as st
from syrupy.assertion import SnapshotAssertion

from evalkit._version import __version__
from evalkit.report import RunResults, render_html
from evalkit.report.html import page_data, script_json, warm_up
from evalkit.report.view import build_view
from tests.report.sample_runs import HOSTILE, HOSTILE_FILE, with_notes
from tests.report.sample_runs import hostile as hostile_text

DATA_ELEMENT = re.compile(
    r'<script type="application/json" id="evalkit-data">(.*?)</script>', re.DOTALL
)


class Outline(HTMLParser):
    """The page's element structure (tags, ids, classes) and its visible header text, without
    the contents of style and script elements."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.depth = 0
        self.skip = False
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        self.tags.append((tag, named))
        keep = {k: v for k, v in named.items() if k in ("id", "class", "type", "value")}
        shown = " ".join(f"{k}={v}" for k, v in sorted(keep.items()))
        self.lines.append("  " * self.depth + f"<{tag}{' ' + shown if shown else ''}>")
        if tag in ("meta", "input", "br", "rect", "line"):
            return
        self.depth += 1
        self.skip = tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("rect", "line"):
            return
        self.depth -= 1
        self.skip = False

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self.skip:
            self.lines.append("  " * self.depth + repr(text))


def _outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def _embedded(html: str) -> dict:  # type: ignore[type-arg]
    match = DATA_ELEMENT.search(html)
    assert match is not None
    return json.loads(match.group(1))  # type: ignore[no-any-return]


@given(st.text())
def test_script_json_round_trips_and_cannot_close_its_element(text: str) -> None:
    encoded = str(script_json({"value": text, "list": [text]}))
    assert json.loads(encoded) == {"value": text, "list": [text]}
    for forbidden in ("<", ">", "&", "\u2028", "\u2029"):
        assert forbidden not in encoded


@given(st.text(alphabet=st.sampled_from('ab<>&é✓\u2028\u2029\\"')))
def test_script_json_escapes_as_it_always_did(text: str) -> None:
    """Byte for byte what ``str.translate`` gave (replaced by faster ``str.replace``)."""
    table = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}
    table |= {0x2028: "\\u2028", 0x2029: "\\u2029"}
    plain = json.dumps({"v": text}, ensure_ascii=False, separators=(",", ":"))
    assert str(script_json({"v": text})) == plain.translate(table)


def test_the_static_assets_hold_no_closing_tag_sequence() -> None:
    folder = resources.files("evalkit.report").joinpath("templates")
    for name in ("report.css", "report.js", "detail.js"):
        assert "</" not in folder.joinpath(name).read_text("utf-8"), name


def test_the_page_is_self_contained(failing_run: RunResults) -> None:
    html = render_html(failing_run)
    outline = _outline(html)
    for tag, attrs in outline.tags:
        assert tag not in ("link", "img", "iframe", "object", "embed"), tag
        assert "src" not in attrs, (tag, attrs)
        assert not (attrs.get("href") or "").startswith(("http", "//")), (tag, attrs)
    csp = [
        a["content"] for t, a in outline.tags if a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert csp
    assert "default-src 'none'" in (csp[0] or "")


def test_the_embedded_data_round_trips(failing_run: RunResults) -> None:
    data = _embedded(render_html(failing_run))
    assert data == json.loads(json.dumps(page_data(build_view(failing_run))))
    first = dict(zip(data["columns"], data["rows"][0], strict=True))
    assert first["example"] == "thames-uk-pipe-table"
    assert first["flags"] == ["regression"]
    assert data["details"][0]["actual_json"]["currency"] == "USD"


def test_header_shows_verdict_counts_deltas_and_run_facts(failing_run: RunResults) -> None:
    text = "\n".join(_outline(render_html(failing_run)).lines)
    for expected in (
        "'Gate failed'",
        "'a gate failed (5/10 passed)'",
        "'✗ max_regressions: 5 regressions against the baseline (maximum 0)'",
        "'50.0%'",
        "'−50.0 points vs baseline'",
        "'0123456789ab on fix-quantities'",
        "'local (http://127.0.0.1:8765)'",
        "'12.5 s'",
        "'Pass rate change per agent against the baseline'",
    ):
        assert expected in text


def test_hostile_strings_are_escaped_everywhere(hostile: RunResults) -> None:
    html = render_html(hostile)
    assert HOSTILE not in html
    assert "<img" not in html
    tags = [tag for tag, _ in _outline(html).tags]
    assert tags.count("script") == 2  # the data and our script: nothing injected
    assert not any(name.startswith("on") for _, attrs in _outline(html).tags for name in attrs)
    data = _embedded(html)
    assert any(HOSTILE in row[1] for row in data["rows"])
    names = [f["name"] for d in data["details"] for f in (d["comparison"] or {}).get("files", [])]
    assert HOSTILE_FILE in names
    assert [d.get("notes") for d in data["details"]] == [None, hostile_text("notes")]
    # a javascript: link from the results never becomes a link
    link = data["columns"].index("link")
    assert all(row[link] is None or row[link].startswith("http") for row in data["rows"])


def test_page_structure_snapshot(failing_run: RunResults, snapshot: SnapshotAssertion) -> None:
    outline = "\n".join(_outline(render_html(failing_run)).lines)
    assert outline.replace(__version__, "<version>") == snapshot


def test_table_rows_snapshot(failing_run: RunResults, snapshot: SnapshotAssertion) -> None:
    data = page_data(build_view(failing_run))
    assert data["rows"] == snapshot


def test_a_huge_output_is_left_out_of_the_page_and_long_values_are_cut(
    failing_run: RunResults,
) -> None:
    huge = ["w" * 100] * 20_000  # about 2 MB of JSON
    first = failing_run.results[0]
    comparison = {
        **(first.comparison or {}),
        "differences": [
            {"pointer": "/words", "kind": "type_changed", "expected": 1, "actual": huge}
        ],
    }
    result = first.model_copy(update={"comparison": comparison})
    assert result.model_extra is not None
    result.model_extra["actual_json"] = {"words": huge}
    run = RunResults(results=[result], summary=failing_run.summary)
    html = render_html(run)
    assert len(html) < 1_000_000
    detail = _embedded(html)["details"][0]
    assert "actual_json" not in detail
    assert "results.jsonl holds them whole" in detail["documents_omitted"]
    cut = detail["comparison"]["differences"][0]
    assert cut["expected"] == 1
    assert cut["actual"].endswith("characters in all, cut for this page)")
    assert len(cut["actual"]) < 3_000


def _rows(html: str) -> list[dict]:  # type: ignore[type-arg]
    data = _embedded(html)
    return [dict(zip(data["columns"], row, strict=True)) for row in data["rows"]]


def test_scores_are_written_so_a_partial_never_reads_as_a_pass(near_pass: RunResults) -> None:
    """Issue 10 item 6, in the table and in each file's line of the details."""
    html = render_html(near_pass)
    rows = _rows(html)
    assert [(row["status"], row["label"]) for row in rows][:2] == [
        ("partial", "≈1.00, 1 difference"),
        ("partial", "1.00, 1 difference"),
    ]
    assert rows[0]["score"] < 1  # the number stays for sorting
    files = _embedded(html)["details"][0]["comparison"]["files"]
    big = next(file for file in files if file["name"] == "big.csv")
    assert big["scoreLabel"] == "≈1.00, 1 difference"


def test_the_score_chart_keeps_partials_out_of_the_bar_of_the_passes(near_pass: RunResults) -> None:
    """Issue 10 item 13: partials of 0.95 and 0.9999 were counted with the passes."""
    html = render_html(near_pass)
    assert "<title>0.9–1 (not passed): 3</title>" in html
    assert "<title>passed: 2</title>" in html


def test_a_gate_not_checked_has_no_tick(near_pass: RunResults) -> None:
    """Issue 10 item 13: "regressions not checked" showed as a passed check (✓)."""
    text = "\n".join(_outline(render_html(near_pass)).lines)
    assert "'– max_regressions: regressions not checked: no baseline given (--baseline)'" in text
    assert "✓ regressions not checked" not in text
    assert '<li class="unchecked">' in render_html(near_pass)


def test_an_output_json_not_checked_is_flagged_in_row_and_detail(near_pass: RunResults) -> None:
    """Issue 10 item 4 (HTML part)."""
    html = render_html(near_pass)
    data = _embedded(html)
    flagged = [row["example"] for row in _rows(html) if "json_not_checked" in row["flags"]]
    assert flagged == [near_pass.results[3].example]
    index = next(i for i, row in enumerate(_rows(html)) if row["example"] == flagged[0])
    assert data["details"][index]["outputJsonChecked"] is False
    assert all(d["outputJsonChecked"] for i, d in enumerate(data["details"]) if i != index)


def test_warm_up_in_another_thread_leaves_the_page_as_rendered_without_it(
    failing_run: RunResults,
) -> None:
    """``evalkit run`` warms the template up in a worker thread while examples run."""
    cold = render_html(failing_run, title="t")
    worker = threading.Thread(target=warm_up)
    worker.start()
    worker.join()
    assert render_html(failing_run, title="t") == cold


def test_an_examples_notes_are_in_its_details_and_cut_when_long(failing_run: RunResults) -> None:
    """docs/harvest.md: the reviewer's note (README.md) is shown as the example's notes."""
    note = "Reviewer: the vendor prints the due date day first.\nSee ticket 12."
    run = with_notes(failing_run, {"thames-uk-pipe-table": note, "acme-us-letter": "x" * 50_000})
    html = render_html(run)
    notes = {
        row["example"]: d.get("notes")
        for row, d in zip(_rows(html), _embedded(html)["details"], strict=True)
    }
    assert notes["thames-uk-pipe-table"] == note
    assert notes["acme-us-letter"].endswith("(50,000 characters in all, cut for this report)")
    assert len(notes["acme-us-letter"]) < 2_100
    assert [name for name, text in notes.items() if text is not None] == [
        "thames-uk-pipe-table",
        "acme-us-letter",
    ]
    assert len(html) < len(render_html(failing_run)) + 3_000  # the notes, and little else
