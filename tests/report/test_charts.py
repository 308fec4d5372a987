from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evalkit.report import charts

SVG = "{http://www.w3.org/2000/svg}"


def _bars(svg: str) -> list[ET.Element]:
    return [r for r in ET.fromstring(svg).iter(f"{SVG}rect") if "bar" in r.get("class", "")]


def _axis(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text") if t.get("class") == "axis"]


def test_score_histogram_counts_each_bin_and_closes_the_last() -> None:
    svg = str(charts.score_histogram([0.0, 0.05, 0.55, 0.95, 1.0], passes=2))
    bars = _bars(svg)
    assert len(bars) == 11
    titles = [bar.findtext(f"{SVG}title") for bar in bars]
    assert titles[0] == "0.0–0.1: 2"
    assert titles[5] == "0.5–0.6: 1"
    assert titles[9] == "0.9–1 (not passed): 2"
    assert titles[10] == "passed: 2"
    heights = [float(bar.get("height", "0")) for bar in bars]
    assert heights[1] == 0


def test_a_partial_near_one_is_never_in_the_bar_of_the_passes() -> None:
    """Issue 10 item 13: a 0.95 partial fell in the same bar as the passes."""
    bars = _bars(str(charts.score_histogram([0.95, 0.9996, 1.0], passes=5)))
    near_one, passed = bars[-2], bars[-1]
    assert near_one.findtext(f"{SVG}title") == "0.9–1 (not passed): 3"
    assert passed.findtext(f"{SVG}title") == "passed: 5"
    assert passed.get("class") == "bar ok"
    assert near_one.get("class") == "bar"


def test_duration_histogram_spans_to_the_slowest() -> None:
    svg = str(charts.duration_histogram([1000, 2000, 10_000]))
    titles = [bar.findtext(f"{SVG}title") for bar in _bars(svg)]
    assert titles[:3] == ["0–1 s: 0", "1–2 s: 1", "2–3 s: 1"]
    assert titles[-1] == "9–10 s: 1"  # the slowest lands in the closed last bin
    assert _axis(svg) == [str(second) for second in range(10)]


def test_duration_axis_labels_are_distinct_for_short_runs() -> None:
    """Issue 10 item 13: half a second in ten bins was labelled "0.1 0.1 0.2 0.2"."""
    svg = str(charts.duration_histogram([100, 150, 230, 400, 500]))
    labels = _axis(svg)
    assert labels == [f"{i * 0.05:.2f}" for i in range(10)]  # 0.00 0.05 0.10 ... 0.45
    titles = [bar.findtext(f"{SVG}title") for bar in _bars(svg)]
    assert titles[2] == "0.10–0.15 s: 1"
    assert titles[-1] == "0.45–0.50 s: 1"


@given(st.lists(st.integers(min_value=0, max_value=10**8), max_size=30))
def test_duration_bins_are_distinct_and_hold_every_value(durations: list[int]) -> None:
    svg = str(charts.duration_histogram(durations))
    labels = _axis(svg)
    assert len(labels) == len(set(labels)) <= 10
    counts = [int((bar.findtext(f"{SVG}title") or "").rsplit(": ", 1)[1]) for bar in _bars(svg)]
    assert sum(counts) == len(durations)


def test_empty_data_draws_empty_charts() -> None:
    assert len(_bars(str(charts.score_histogram([], passes=0)))) == 11
    assert len(_bars(str(charts.duration_histogram([])))) == 10


def test_rate_and_delta_bars_escape_labels_and_show_direction() -> None:
    svg = str(charts.rate_bars([("<b>x</b>", 0.5), ("ok", 1.0)], title="t"))
    root = ET.fromstring(svg)  # still well-formed: the label was escaped
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "label"]
    assert labels == ["<b>x</b>", "ok"]
    assert [b.get("class") for b in _bars(svg)] == ["bar bad", "bar"]
    deltas = _bars(str(charts.delta_bars([("a", -0.25), ("b", 0.5)], title="d")))
    assert [b.get("class") for b in deltas] == ["bar worse", "bar better"]
    worse, better = (float(b.get("width", "0")) for b in deltas)
    assert better == pytest.approx(2 * worse, abs=0.2)
    assert float(deltas[0].get("x", "0")) + worse == pytest.approx(
        float(deltas[1].get("x", "0")), abs=0.2
    )


def test_delta_bars_say_points_not_percent() -> None:
    """A pass-rate change is in percentage points: 30% → 70% is "+40 points", not "+40%"."""
    svg = str(charts.delta_bars([("support", -0.4), ("billing", 0.125), ("same", 0.0)], title="d"))
    texts = [node.text for node in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert "−40 points" in texts
    assert "+12 points" in texts or "+13 points" in texts
    assert "0 points" in texts
    assert "%" not in "".join(text or "" for text in texts)
