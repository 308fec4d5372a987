"""How a score is written for people: a verdict that is not a pass never reads as one.

``f"{0.9996:.2f}"`` is ``"1.00"``: printed beside ``partial`` it looks like a pass. Every place
that shows a score (terminal, Markdown, HTML, JUnit) writes it with :func:`score_label`.
"""

from __future__ import annotations

from evalkit.runner.results import Verdict

PERFECT = "1.00"


def score_label(score: float | None, verdict: Verdict, differences: int = 0) -> str:
    """``"0.83"``; ``"≈1.00, 1 difference"`` for a non-pass whose score rounds to 1.00;
    ``"-"`` when there is no score (errors, cancelled)."""
    if score is None:
        return "-"
    text = f"{score:.2f}"
    if verdict is Verdict.PASS or text != PERFECT:
        return text
    label = "≈1.00" if score < 1 else PERFECT
    if differences:
        noun = "difference" if differences == 1 else "differences"
        label += f", {differences} {noun}"
    return label
