"""``evalkit run`` on the local platform, with a program agent writing output files evalkit
cannot compare as they are: JSON nested 5000 deep (Python's parser crashed on it: an internal
error and a traceback) and a CSV header naming a column twice (its first cells were never
compared: the run passed). Each is a verdict on the example, saying why; ``validate`` refuses
the same in an expected file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalkit.runner.results import Verdict
from evalkit.runner.results_file import read_results_file
from tests.reliability.processes import evalkit

MANIFEST = """
version: 1
agents:
  - slug: writer
    workspace: agents/writer/
    config:
      runtime: {command: python main.py}
    examples: examples/
"""

AGENT = """
import json, pathlib
pathlib.Path("output").mkdir()
pathlib.Path("output/t.json").write_text("[" * 5000 + "]" * 5000)
pathlib.Path("output/t.csv").write_text("a,a\\n1,2\\n")
print(json.dumps({"ok": True}))
"""


def write_project(folder: Path, expected_csv: str = "a,b\n1,2\n") -> Path:
    agent = folder / "agents" / "writer"
    agent.mkdir(parents=True)
    (agent / "AGENT.md").write_text("# Writer\n")
    (agent / "main.py").write_text(AGENT)
    example = folder / "examples" / "one"
    (example / "expected").mkdir(parents=True)
    (example / "input.json").write_text('{"q": 1}')
    (example / "expected.json").write_text('{"ok": true}')
    (example / "expected" / "t.json").write_text("[[1]]")
    (example / "expected" / "t.csv").write_text(expected_csv)
    (folder / "evalkit.yaml").write_text(MANIFEST)
    return folder


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_unreadable_output_files_are_a_verdict_with_reasons(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project")
    out = tmp_path / "out"
    # the program writes its files in its scratch folder; no isolation needed to test that
    done = evalkit(
        "--json",
        "run",
        "--no-report",
        "--out",
        str(out),
        cwd=project,
        env={"EVALKIT_AGENT_ISOLATION": "process-group"},
    )
    assert done.code == 1, done.printed  # a failed example and a failed gate, not a crash
    assert "Traceback" not in done.printed
    assert "internal error" not in done.printed
    assert json.loads(done.stdout)["counts"]["failed"] == 1

    (result,) = read_results_file(out / "results.jsonl").results
    assert (result.verdict, result.error) == (Verdict.FAIL, None)
    assert result.comparison is not None
    problems = {f["name"]: (f["status"], f["problem"]) for f in result.comparison["files"]}
    assert problems == {
        "t.csv": (
            "differ",
            "the output file's header names the column 'a' twice (columns 1 and 2): each cell "
            "is compared by its column's name, so give each column its own name",
        ),
        "t.json": (
            "differ",
            "the output file nests lists and objects more than 64 deep "
            "(evalkit reads at most 64 levels; flatten it)",
        ),
    }


def test_validate_refuses_an_expected_csv_naming_a_column_twice(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project", expected_csv="a,a\n9,2\n")
    done = evalkit("validate", cwd=project)
    assert done.code == 2, done.printed
    assert "Traceback" not in done.printed
    assert (
        "examples/one/expected/t.csv:1:1: the expected file's header names the column 'a' twice"
        in done.stderr
    )
