"""Charts as inline SVG (no script, no network): histograms, rate bars and delta bars.

Labels come from results (agent names) and are escaped; numbers are formatted here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from evalkit.runner.summary_text import points_text

WIDTH = 360
BAR_AREA = 110  # height of the bars in a histogram
ROW = 22  # height of one row in a bar chart
LABEL = 120  # width kept for row labels


def columns(
    counts: Sequence[int],
    *,
    title: str,
    labels: Sequence[str],
    tips: Sequence[str] | None = None,
    classes: Sequence[str] | None = None,
) -> Markup:
    """Vertical bars, one per count, each named under it by ``labels`` (and in its tooltip by
    ``tips``, default the label); ``classes`` adds a class to a bar (``ok`` draws it green)."""
    bins = len(counts)
    peak = max(counts, default=0) or 1
    gap, left = 4, 8
    bar_width = (WIDTH - 2 * left) / max(bins, 1)
    parts = [_open(title, BAR_AREA + 40)]
    for index, count in enumerate(counts):
        height = BAR_AREA * count / peak
        x = left + index * bar_width
        y = 14 + BAR_AREA - height
        kind = f"bar {classes[index]}".strip() if classes else "bar"
        tip = tips[index] if tips else labels[index]
        parts.append(
            f'<rect class="{kind}" x="{x + gap / 2:.1f}" y="{y:.1f}" width="{bar_width - gap:.1f}"'
            f' height="{height:.1f}"><title>{escape(tip)}: {count}</title></rect>'
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


def score_histogram(scores: Sequence[float], *, passes: int) -> Markup:
    """Scores of the examples that did not pass, in tenths (the last tenth closed), and the
    passes in a bar of their own: a 0.95 or 0.9999 partial never stands among the passes."""
    counts = [0] * 10
    for score in scores:
        if math.isfinite(score):
            counts[min(max(int(score * 10), 0), 9)] += 1
    labels = [f"{i / 10:.1f}" for i in range(10)] + ["pass"]
    tips = [f"{i / 10:.1f}–{(i + 1) / 10:.1f}" for i in range(9)] + ["0.9–1 (not passed)"]
    return columns(
        [*counts, passes],
        title="Score distribution",
        labels=labels,
        tips=[*tips, "passed"],
        classes=[""] * 10 + ["ok"],
    )


def duration_histogram(durations_ms: Sequence[int]) -> Markup:
    """Up to ten bins of a round width (1, 2 or 5 times a power of ten milliseconds) from 0 to
    the slowest example (the last bin closed), labelled in seconds with the digits that
    tell the bins apart."""
    span = max(durations_ms, default=0) or 1000
    step = _round_step(span / 10)
    bins = max(1, -(-span // step))  # ceiling: the slowest is in the last bin
    counts = [0] * bins
    for ms in durations_ms:
        counts[min(max(ms, 0) // step, bins - 1)] += 1
    digits = _decimals(step)
    starts = [f"{i * step / 1000:.{digits}f}" for i in range(bins + 1)]
    return columns(
        counts,
        title="Duration distribution (seconds)",
        labels=starts[:-1],
        tips=[f"{starts[i]}–{starts[i + 1]} s" for i in range(bins)],
    )


def _round_step(at_least: float) -> int:
    """The smallest 1, 2 or 5 times a power of ten (in ms, at least 1) not below ``at_least``."""
    power = 1
    while True:
        for factor in (1, 2, 5):
            if factor * power >= at_least:
                return factor * power
        power *= 10


def _decimals(step_ms: int) -> int:
    """Decimals that write every multiple of ``step_ms`` exactly in seconds."""
    digits = 3
    while digits and step_ms % 10 == 0:
        step_ms //= 10
        digits -= 1
    return digits


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
    """Diverging bars around a zero line: pass-rate change per label (-1..1), written in
    percentage points (``−40 points``: a change of rate is no percentage of it)."""
    height = ROW * len(rows) + 12
    half = (WIDTH - LABEL - 76) / 2  # room on the right for "−100 points"
    zero = LABEL + half
    parts = [_open(title, height)]
    for index, (label, delta) in enumerate(rows):
        y = 6 + index * ROW
        width = half * min(abs(delta), 1.0)
        x = zero - width if delta < 0 else zero
        kind = "worse" if delta < 0 else "better"
        shown = points_text(delta)
        parts.append(_row_label(label, y))
        parts.append(
            f'<rect class="bar {kind}" x="{x:.1f}" y="{y}" width="{width:.1f}"'
            f' height="{ROW - 8}"><title>{escape(label)}: {escape(shown)}</title></rect>'
            f'<text class="num end" x="{zero + half + 4}" y="{y + ROW - 10}">{escape(shown)}</text>'
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
