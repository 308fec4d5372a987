from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from evalkit.report import charts

SVG = "{http://www.w3.org/2000/svg}"


def _bars(svg: str) -> list[ET.Element]:
    return [r for r in ET.fromstring(svg).iter(f"{SVG}rect") if "bar" in r.get("class", "")]


def test_score_histogram_counts_each_bin_and_closes_the_last() -> None:
    svg = str(charts.score_histogram([0.0, 0.05, 0.55, 0.95, 1.0, 1.0]))
    bars = _bars(svg)
    assert len(bars) == 10
    titles = [bar.findtext(f"{SVG}title") for bar in bars]
    assert titles[0] == "0.0: 2"
    assert titles[5] == "0.5: 1"
    assert titles[9] == "0.9–1: 3"
    heights = [float(bar.get("height", "0")) for bar in bars]
    assert heights[9] == max(heights)
    assert heights[1] == 0


def test_duration_histogram_spans_to_the_slowest() -> None:
    svg = str(charts.duration_histogram([1000, 2000, 10_000]))
    titles = [bar.findtext(f"{SVG}title") for bar in _bars(svg)]
    assert titles[:3] == ["0.0: 0", "1.0: 1", "2.0: 1"]
    assert titles[-1] == "9.0: 1"  # the slowest lands in the closed last bin


def test_empty_data_draws_empty_charts() -> None:
    assert len(_bars(str(charts.score_histogram([])))) == 10
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
