"""``evalkit diff A B`` in words: text for the terminal, Markdown for a pull request, data.

The comparison is ``evidence.weigh`` with A as the baseline and B as the current run, so it
says what ``evalkit run --baseline A`` would say of B. The examples are sorted into what a
reviewer reads first:

- significant regressions: the exact test separates the two at the confidence;
- pass→fail where no test can decide (one attempt on each side, or too few attempts for any
  outcome to be significant): ``max_regressions`` counts them (and so does
  ``--fail-on-regression``);
- improvements (significant, or a fail→pass no test can decide);
- noise: examples whose pass rate or score moved, but that the test (with repeats on a side)
  does not separate from chance: classified unchanged (never in red);
- new and removed examples; the unchanged ones are counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from evalkit.runner.evidence import Evidence, compared_plainly, fell, moved
from evalkit.runner.results import Delta, ExampleBrief, ExampleChange
from evalkit.runner.summary_text import drop_text, p_value_text

#: a line of the text rendering and its style (a rich style name, or None)
Line = tuple[str, str | None]
#: rows listed per section before "and N more"
MAX_ROWS = 50


@dataclass(frozen=True)
class Diff:
    """Two runs compared: where each came from, and the evidence."""

    baseline: str
    current: str
    evidence: Evidence
    confidence: float
    #: the smallest pass-rate drop B could have detected against a baseline of its size
    minimum_detectable_drop: float | None
    #: what reading each side said (a rebuilt batch's outcome line)
    notes: list[str] = field(default_factory=list)
    #: B's examples (what it could detect depends on how many, and their attempts)
    current_briefs: Sequence[ExampleBrief] = ()


@dataclass(frozen=True)
class Sections:
    significant: list[ExampleChange]
    plain: list[ExampleChange]
    improvements: list[ExampleChange]
    noise: list[ExampleChange]
    new: list[ExampleChange]
    removed: list[ExampleChange]
    unchanged: int


def sections(evidence: Evidence) -> Sections:
    changes = evidence.changes
    changed = [c for c in changes if c.change in ("regression", "improvement")]
    return Sections(
        # An example --confirm left undecided that fell counts with them, as max_regressions
        # counts it.
        significant=[
            c
            for c in changes
            if (c.change == "regression" and c.significant) or (c.undecided and fell(c))
        ],
        plain=[
            c
            for c in changed
            if c.change == "regression" and not c.significant and compared_plainly(c)
        ],
        improvements=[
            c
            for c in changed
            if c.change == "improvement" and (c.significant or compared_plainly(c))
        ],
        noise=[
            c
            for c in changes
            if not c.undecided
            and (
                (c.change == "unchanged" and moved(c))
                or (c in changed and not c.significant and not compared_plainly(c))
            )
        ],
        new=[c for c in changes if c.change == "new"],
        removed=[c for c in changes if c.change == "removed"],
        unchanged=sum(1 for c in changes if c.change == "unchanged" and not moved(c)),
    )


def regression_found(diff: Diff) -> bool:
    """What ``--fail-on-regression`` fails on: a significant regression, a pass→fail with one
    attempt each side (as ``max_regressions`` counts it), or a delta whose interval is wholly
    below zero."""
    found = sections(diff.evidence)
    return bool(
        found.significant
        or found.plain
        or any(delta.verdict == "regression" for delta in diff.evidence.deltas)
    )


def diff_data(diff: Diff) -> dict[str, Any]:
    """The comparison as data (``--json``)."""
    data: dict[str, Any] = {
        "baseline": diff.baseline,
        "current": diff.current,
        "confidence": diff.confidence,
        "regression_found": regression_found(diff),
        "deltas": [delta.to_dict() for delta in diff.evidence.deltas],
        "changes": [change.to_dict() for change in diff.evidence.changes],
        "minimum_detectable_drop": diff.minimum_detectable_drop,
        "notes": list(diff.notes),
    }
    return {key: rounded(value) for key, value in data.items()}


#: decimals kept of every figure in the data, as results keep (``runner.repeats``)
DECIMALS = 6


def rounded(value: Any) -> Any:
    """Every float to ``DECIMALS`` places (0.48, not 0.4800000000000001), within lists and
    mappings; other values as they are."""
    if isinstance(value, float):
        return round(value, DECIMALS) + 0.0  # + 0.0: no -0.0
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [rounded(item) for item in value]
    return value


# Text


def render_text(diff: Diff) -> list[Line]:
    found = sections(diff.evidence)
    lines: list[Line] = [(f"{diff.baseline} → {diff.current}", "bold")]
    lines += [(f"  {note}", "dim") for note in diff.notes]
    for delta in diff.evidence.deltas:
        lines.append((f"{_scope(delta)}: {delta.words}", _delta_style(delta)))
        if delta.score_delta is not None:
            lines.append((f"  {_score_words(delta)}", None))
    groups: list[tuple[str, list[ExampleChange], str | None]] = [
        ("significant regressions", found.significant, "bold red"),
        ("pass→fail where no test decides (one attempt each, or too few)", found.plain, "red"),
        ("improvements", found.improvements, "green"),
        ("noise (not distinguishable from chance)", found.noise, "dim"),
        ("new", found.new, None),
        ("removed", found.removed, None),
    ]
    for title, changes, style in groups:
        if not changes:
            continue
        lines += [("", None), (f"{title} ({len(changes)}):", style)]
        lines += [(f"  {_name(c)}  {_evidence(c)}", style) for c in changes[:MAX_ROWS]]
        if len(changes) > MAX_ROWS:
            lines.append((f"  and {len(changes) - MAX_ROWS} more", style))
    lines += [("", None), (f"unchanged: {found.unchanged}", None)]
    lines.append((_detectable(diff), "dim"))
    return lines


def _scope(delta: Delta) -> str:
    return "run" if delta.scope == "run" else f"suite {delta.scope}"


def _delta_style(delta: Delta) -> str | None:
    return {"regression": "bold red", "improvement": "green"}.get(delta.verdict)


def _score_words(delta: Delta) -> str:
    """'score 0.95 → 0.90 (−0.05, 95% CI −0.08 to −0.02)'."""
    text = f"score {_number(delta.score_before)} → {_number(delta.score_after)}"
    text += f" ({_signed(delta.score_delta)}"
    if delta.score_interval:
        low, high = delta.score_interval
        text += f", {delta.confidence:.0%} CI {_signed(low)} to {_signed(high)}"
    return text + ")"


def _name(change: ExampleChange) -> str:
    return f"{change.agent}/{change.example}"


def _evidence(change: ExampleChange) -> str:
    """'3/3 → 0/3 passed, p 0.1 (Fisher), score 1.00 → 0.40'."""
    parts = []
    before, after = change.passes_before, change.passes_after
    if before is not None and after is not None:
        parts.append(f"{before[0]}/{before[1]} → {after[0]}/{after[1]} passed")
    elif after is not None:
        parts.append(f"{after[0]}/{after[1]} passed")
    elif before is not None:
        parts.append(f"{before[0]}/{before[1]} passed before")
    p_value = p_value_text(change, short=True)
    if p_value is not None:
        parts.append(p_value)
    if change.score_before is not None or change.score_after is not None:
        parts.append(f"score {_number(change.score_before)} → {_number(change.score_after)}")
    return ", ".join(parts)


def _detectable(diff: Diff) -> str:
    """What B could detect, worded as ``evalkit run`` words it (``drop_text``)."""
    if diff.minimum_detectable_drop is None:
        return "minimum detectable drop: none (no example judged)"
    return drop_text(
        diff.minimum_detectable_drop, diff.current_briefs, diff.confidence, subject="B"
    )


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _signed(value: float | None) -> str:
    if value is None:
        return "–"
    shown = f"{abs(value):.2f}"
    if shown == "0.00":
        return "0.00"
    return ("+" if value > 0 else "−") + shown


# Markdown


def render_markdown(diff: Diff) -> str:
    """A pull-request comment: the deltas, significant regressions first, noise folded away."""
    found = sections(diff.evidence)
    lines = [f"### evalkit diff: {_code(diff.baseline)} → {_code(diff.current)}", ""]
    for delta in diff.evidence.deltas:
        mark = {"regression": "🔴 ", "improvement": "🟢 "}.get(delta.verdict, "")
        words = f"{mark}**{_cell(_scope(delta))}**: {_cell(delta.words)}"
        if delta.score_delta is not None:
            words += f"; {_cell(_score_words(delta))}"
        lines.append(f"- {words}")
    lines.append("")
    lines += _table("🔴 Significant regressions", found.significant)
    lines += _table(
        "🟠 Pass→fail where no test decides (one attempt each, or too few)", found.plain
    )
    lines += _table("🟢 Improvements", found.improvements)
    if found.noise:
        lines += [
            "<details><summary>Noise: not distinguishable from chance "
            f"({len(found.noise)})</summary>",
            "",
            *_rows(found.noise),
            "",
            "</details>",
            "",
        ]
    lines += _table("New", found.new)
    lines += _table("Removed", found.removed)
    detectable = _detectable(diff)
    lines += [f"Unchanged: {found.unchanged}. {_cell(detectable[:1].upper() + detectable[1:])}."]
    for note in diff.notes:
        lines += ["", f"_{_cell(note)}_"]
    return "\n".join(lines) + "\n"


def _table(title: str, changes: Sequence[ExampleChange]) -> list[str]:
    if not changes:
        return []
    return [f"#### {title} ({len(changes)})", "", *_rows(changes), ""]


def _rows(changes: Sequence[ExampleChange]) -> list[str]:
    rows = ["| Example | Evidence |", "|---|---|"]
    rows += [f"| {_code(_name(c))} | {_cell(_evidence(c))} |" for c in changes[:MAX_ROWS]]
    if len(changes) > MAX_ROWS:
        rows.append(f"| and {len(changes) - MAX_ROWS} more | |")
    return rows


def _cell(text: str) -> str:
    """Table-cell safe: one line, no ``|`` splitting the cell, no HTML or Markdown opened."""
    flat = " ".join(text.split())
    for char in "\\|`*_<>[]":
        flat = flat.replace(char, "\\" + char)
    return flat


def _code(text: str) -> str:
    """A code span no backtick in ``text`` can close, safe in a table cell."""
    flat = " ".join(text.split()).replace("`", "'").replace("|", "\\|")
    return f"`{flat}`"
