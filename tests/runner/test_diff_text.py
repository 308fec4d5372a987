"""``evalkit diff`` in words and data: the figures it prints and how it words them."""

from __future__ import annotations

import json
from typing import Any

from evalkit.runner.diff_text import Diff, diff_data, render_markdown, render_text, rounded
from evalkit.runner.evidence import smallest_detectable_drop, weigh
from evalkit.runner.results import ExampleBrief, Verdict
from evalkit.runner.summary_text import drop_text
from tests.runner.conftest import summary_with


def _brief(example: str, passes: int, trials: int, score: float) -> ExampleBrief:
    verdict = Verdict.PASS if passes == trials else Verdict.FAIL
    return ExampleBrief(
        kind="agent", agent="support", example=example, verdict=verdict, score=score,
        trials=trials, passes=passes, attempt_scores=[score] * trials,
    )  # fmt: skip


BEFORE = [_brief("a", 3, 3, 1.0), _brief("b", 3, 3, 1.0), _brief("c", 3, 3, 0.9)]
AFTER = [_brief("a", 0, 3, 0.4), _brief("b", 2, 3, 0.7), _brief("c", 1, 3, 0.6)]


def _diff() -> Diff:
    return Diff(
        baseline="runs/a",
        current="runs/b",
        evidence=weigh(summary_with(*BEFORE), AFTER, confidence=0.95),
        confidence=0.95,
        minimum_detectable_drop=smallest_detectable_drop(AFTER, 0.95),
        current_briefs=AFTER,
    )


def _floats(value: Any) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for item in value.values() for f in _floats(item)]
    if isinstance(value, list):
        return [f for item in value for f in _floats(item)]
    return []


def test_json_figures_are_rounded_to_six_decimals() -> None:
    data = diff_data(_diff())
    floats = _floats(data)
    assert floats, "the data has figures"
    assert all(round(f, 6) == f for f in floats), [f for f in floats if round(f, 6) != f]
    assert json.dumps(data).count("0000000") == 0
    assert rounded({"x": [0.4800000000000001, -1e-9, 2, "0.1"]}) == {"x": [0.48, 0.0, 2, "0.1"]}


def test_p_values_name_their_test_in_the_tables() -> None:
    text = "\n".join(line for line, _ in render_text(_diff()))
    assert "support/a  3/3 → 0/3 passed, p 0.10 (Fisher), score 1.00 → 0.40" in text
    assert "p 0.1 " not in text
    markdown = render_markdown(_diff())
    assert "3/3 → 0/3 passed, p 0.10 (Fisher), score 1.00 → 0.40" in markdown


def test_what_b_could_detect_is_worded_as_a_run_words_it() -> None:
    diff = _diff()
    assert diff.minimum_detectable_drop is not None
    worded = drop_text(diff.minimum_detectable_drop, AFTER, 0.95, subject="B")
    lines = [line for line, _ in render_text(diff)]
    assert lines[-1] == worded
    assert worded.startswith("with 3 examples × 3 attempts B could ")  # 3 examples: "not"
    assert drop_text(0.26, AFTER, 0.95, subject="B") == (
        "with 3 examples × 3 attempts B could detect a pass-rate drop of 26 points or more "
        "(95% confidence, 80% power)"
    )
    assert "of pass rate" not in "\n".join(lines)
    assert f"{worded[:1].upper()}{worded[1:]}." in render_markdown(diff)
