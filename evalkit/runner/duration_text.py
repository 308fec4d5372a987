"""How long something took, as every report and terminal line shows it: one rule, so the
same time never reads "1.2 s" in one place and "1.20 s" in another. (The HTML report's table
script, ``report/templates/report.js``, repeats the rule for its sortable column.)"""

from __future__ import annotations


def duration_text(seconds: float) -> str:
    """``85 ms``, ``1.20 s``, ``42.5 s``, ``2 min 5 s``, ``2 h 1 min``: the digits that tell
    apart what agents take, and no more for a whole run."""
    ms = round(seconds * 1000)
    if ms < 100:
        return f"{max(ms, 0)} ms"
    if round(seconds, 2) < 10:
        return f"{seconds:.2f} s"
    if round(seconds, 1) < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"
