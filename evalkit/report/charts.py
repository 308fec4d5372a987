"""Charts as inline SVG (no script, no network): histograms, rate bars and delta bars.

Labels come from results (agent names) and are escaped; numbers are formatted here.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 360
BAR_AREA = 110  # height of the bars in a histogram
ROW = 22  # height of one row in a bar chart
LABEL = 120  # width kept for row labels


def histogram(
    values: Sequence[float], *, title: str, edges: Sequence[float], labels: Sequence[str]
) -> Markup:
    """Counts of ``values`` per bin (``edges`` has one more item than bins; the last bin is
    closed). ``labels`` names each bin under its bar."""
    bins = len(edges) - 1
    counts = [0] * bins
    for value in values:
        counts[_bin_of(value, edges)] += 1
    peak = max(counts) or 1
    gap, left = 4, 8
    bar_width = (WIDTH - 2 * left) / bins
    parts = [_open(title, BAR_AREA + 40)]
    for index, count in enumerate(counts):
        height = BAR_AREA * count / peak
        x = left + index * bar_width
        y = 14 + BAR_AREA - height
        parts.append(
            f'<rect class="bar" x="{x + gap / 2:.1f}" y="{y:.1f}" width="{bar_width - gap:.1f}"'
            f' height="{height:.1f}"><title>{escape(labels[index])}: {count}</title></rect>'
        )
        if count:
            parts.append(
                f'<text class="num" x="{x + bar_width / 2:.1f}" y="{y - 2:.1f}">{count}</text>'
            )
        parts.append(
            f'<text class="axis" x="{x + bar_width / 2:.1f}" y="{BAR_AREA + 30}">'
            f"{escape(labels[index])}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _bin_of(value: float, edges: Sequence[float]) -> int:
    last = len(edges) - 2
    for index in range(last + 1):
        if value < edges[index + 1]:
            return max(index, 0)
    return last


def score_histogram(scores: Sequence[float]) -> Markup:
    edges = [i / 10 for i in range(11)]
    labels = [f"{i / 10:.1f}" for i in range(10)]
    labels[-1] = "0.9–1"
    return histogram(scores, title="Score distribution", edges=edges, labels=labels)


def duration_histogram(durations_ms: Sequence[int]) -> Markup:
    """Ten equal bins from 0 to the slowest example, labelled in seconds."""
    longest = max(durations_ms, default=0) / 1000 or 1.0
    step = longest / 10
    edges = [step * i for i in range(11)]
    labels = [_seconds_label(step * i) for i in range(10)]
    values = [ms / 1000 for ms in durations_ms]
    return histogram(values, title="Duration distribution (seconds)", edges=edges, labels=labels)


def _seconds_label(seconds: float) -> str:
    return f"{seconds:.0f}" if seconds >= 10 else f"{seconds:.1f}"


def rate_bars(rows: Sequence[tuple[str, float]], *, title: str) -> Markup:
    """One horizontal bar per label, 0..1, with the percentage at its end."""
    height = ROW * len(rows) + 12
    span = WIDTH - LABEL - 50
    parts = [_open(title, height)]
    for index, (label, rate) in enumerate(rows):
        y = 6 + index * ROW
        width = span * max(0.0, min(rate, 1.0))
        parts.append(_row_label(label, y))
        parts.append(
            f'<rect class="track" x="{LABEL}" y="{y}" width="{span}" height="{ROW - 8}"/>'
            f'<rect class="bar{" bad" if rate < 1 else ""}" x="{LABEL}" y="{y}"'
            f' width="{width:.1f}" height="{ROW - 8}"><title>{escape(label)}: '
            f"{rate:.0%}</title></rect>"
            f'<text class="num end" x="{LABEL + span + 4}" y="{y + ROW - 10}">{rate:.0%}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def delta_bars(rows: Sequence[tuple[str, float]], *, title: str) -> Markup:
    """Diverging bars around a zero line: pass-rate change per label (-1..1)."""
    height = ROW * len(rows) + 12
    half = (WIDTH - LABEL - 50) / 2
    zero = LABEL + half
    parts = [_open(title, height)]
    for index, (label, delta) in enumerate(rows):
        y = 6 + index * ROW
        width = half * min(abs(delta), 1.0)
        x = zero - width if delta < 0 else zero
        kind = "worse" if delta < 0 else "better"
        parts.append(_row_label(label, y))
        parts.append(
            f'<rect class="bar {kind}" x="{x:.1f}" y="{y}" width="{width:.1f}"'
            f' height="{ROW - 8}"><title>{escape(label)}: {delta:+.0%}</title></rect>'
            f'<text class="num end" x="{zero + half + 4}" y="{y + ROW - 10}">{delta:+.0%}</text>'
        )
    parts.append(f'<line class="zero" x1="{zero}" x2="{zero}" y1="2" y2="{height - 4}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _open(title: str, height: float) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height:.0f}" role="img"'
        f' aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>"
    )


def _row_label(label: str, y: float) -> str:
    shown = label if len(label) <= 18 else label[:17] + "…"
    return f'<text class="label" x="{LABEL - 6}" y="{y + ROW - 10}">{escape(shown)}</text>'
