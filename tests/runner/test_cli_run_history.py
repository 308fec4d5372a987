"""``evalkit run`` as a process with a priced agent: the cost and times in its terminal summary
and reports, and ``--history`` drawing the trend from the runs before it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.runner.test_cli_run import evalkit, finish
from tests.runner.test_cli_run_reports import clean_env, project

MANIFEST = """
version: 1
agents:
  - slug: priced
    config:
      runtime: {builtin: fixed, output: {ok: true}, cost: {credits: 0.25}, model: local-m}
    examples:
      - {name: one, expected: {ok: true}}
      - {name: two, expected: {ok: true}}
"""


def test_cost_in_the_summary_and_reports_and_the_trend_from_history(tmp_path: Path) -> None:
    folder = project(tmp_path, MANIFEST)
    empty = tmp_path / "no-history-yet"
    empty.mkdir()
    code, first, stderr = finish(
        evalkit("run", "--history", str(empty), cwd=folder, env=clean_env())
    )
    assert code == 0, stderr
    # a warning, no error
    assert "warning: no trend: no run summaries (summary.json) with examples found" in stderr
    assert "priced: p50 " in first
    assert "cost credits 0.5; model local-m" in first
    runs = folder / ".evalkit" / "runs"
    code, stdout, stderr = finish(
        evalkit("--json", "run", "--history", str(runs), cwd=folder, env=clean_env())
    )
    assert code == 0, stderr
    summary = json.loads(stdout)
    (usage,) = summary["usage"]
    assert (usage["agent"], usage["cost"], usage["models"]) == (
        "priced",
        {"credits": 0.5},
        ["local-m"],
    )
    html = Path(summary["reports"]["html"]).read_text()
    (trend,) = re.findall(r'<svg class="chart trend".*?</svg>', html, flags=re.S)
    assert trend.count("<circle") == 2  # the first run, then this one
    assert "credits 0.5" in html
    assert "| priced | 2 |" in Path(summary["reports"]["markdown"]).read_text()
