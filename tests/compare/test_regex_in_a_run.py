"""``evalkit run`` on the local platform, with regex rules that backtrack catastrophically on
the agent's answer: the run ends, and the example's verdict says why (issue 16 item 1).

Before regex rules were bounded, this run never ended: Python's re backtracked on ``(a+)+$``
for hours while holding the interpreter lock, so neither ``--timeout`` nor SIGTERM stopped it.
The timeout mark makes such a regression fail instead of hanging."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalkit.compare.user_regex import MATCH_LIMIT_MS
from evalkit.runner.results import Verdict
from evalkit.runner.results_file import read_results_file
from tests.reliability.processes import evalkit

HOSTILE = "a" * 40 + "!"

MANIFEST = f"""
version: 1
agents:
  - slug: echo
    config:
      runtime: {{builtin: fixed, output: {{x: "{HOSTILE}", y: "{HOSTILE}", z: INV-12}}}}
    workspace: agents/echo/
    compare:
      rules:
        /x: {{regex: "(a+)+$"}}        # the issue's pattern
        /y: {{regex: "(a|a)*$"}}       # backtracks in the regex package too
        /z: {{regex: "INV-\\\\d+"}}
    examples:
      - {{name: hostile, input: {{q: 1}}, expected: {{x: a, y: a, z: INV-1}}}}
"""


def write_project(folder: Path) -> Path:
    (folder / "agents" / "echo").mkdir(parents=True)
    (folder / "agents" / "echo" / "AGENT.md").write_text("# Echo\n")
    (folder / "evalkit.yaml").write_text(MANIFEST)
    return folder


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_run_with_backtracking_regexes_ends_and_says_why(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project")
    out = tmp_path / "out"
    done = evalkit("--json", "run", "--no-report", "--out", str(out), cwd=project)
    assert done.code == 1, done.printed  # a failed example, not a crash
    assert "Traceback" not in done.printed
    assert json.loads(done.stdout)["counts"]["failed"] == 1

    (result,) = read_results_file(out / "results.jsonl").results
    assert result.error is None
    assert result.verdict is Verdict.FAIL
    assert result.comparison is not None
    rules = {d["pointer"]: d["rule"] for d in result.comparison["differences"]}
    assert rules == {
        "/x": "regex '(a+)+$'",
        "/y": (
            f"regex '(a|a)*$' took longer than {MATCH_LIMIT_MS} ms on this value and was "
            "stopped (a pattern that backtracks, or a very long value: see evalkit validate)"
        ),
    }
    assert {d["actual"] for d in result.comparison["differences"]} == {HOSTILE}


def test_validate_warns_about_both_patterns_at_their_lines(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project")
    done = evalkit("validate", cwd=project)
    assert done.code == 0, done.printed
    assert "2 warnings in the manifest" in done.stderr
    assert "evalkit.yaml:10:21: warning: regex '(a+)+$' in rule '/x' can backtrack" in done.stderr
    assert "evalkit.yaml:11:21: warning: regex '(a|a)*$' in rule '/y' can backtrack" in done.stderr
    strict = evalkit("validate", "--strict", cwd=project)
    assert strict.code == 2, strict.printed
