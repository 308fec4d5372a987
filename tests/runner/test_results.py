"""Result models: counting, pass rate, briefs, and the published schemas staying in step."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from evalkit.runner.results import Counts, ExecutionRef, Verdict, brief_of, count_differences
from scripts.write_schemas import SCHEMAS, schema_text
from tests.runner.conftest import make_result

ROOT = Path(__file__).resolve().parents[2]


def test_counts_sort_every_verdict() -> None:
    counts = Counts()
    for verdict in [*Verdict, Verdict.PASS]:
        counts.add(verdict)
    assert (counts.total, counts.passed, counts.partial, counts.failed) == (6, 2, 1, 1)
    assert (counts.errors, counts.cancelled) == (1, 1)
    assert counts.pass_rate == pytest.approx(2 / 6)


def test_brief_carries_identity_verdict_and_execution() -> None:
    result = make_result(
        "x", Verdict.FAIL, execution=ExecutionRef(id="exec_1", status="completed", link="l")
    )
    brief = brief_of(result)
    assert (brief.agent, brief.example, brief.verdict, brief.execution_id) == (
        "agent-a",
        "x",
        Verdict.FAIL,
        "exec_1",
    )
    assert result.key == ("agent", "agent-a", "x")


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_committed_schema_matches_the_models(name: str) -> None:
    committed = (ROOT / "schemas" / name).read_text()
    assert committed == schema_text(name), (
        f"schemas/{name} is stale: run 'python -m scripts.write_schemas' and commit it"
    )


def test_a_result_line_validates_against_the_published_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(schema_text("results.schema.json"))
    line = make_result("x", Verdict.FAIL).to_dict()
    jsonschema.validate(line, schema)
    line["verdict"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(line, schema)


def test_differences_count_json_differences_and_each_file_that_does_not_match() -> None:
    comparison = {
        "differences": [{"pointer": "/a"}, {"pointer": "/b"}],
        "files": [
            {"name": "same.csv", "status": "match"},
            {"name": "rows.csv", "status": "differ", "differences": [{}, {}, {}]},
            {"name": "gone.pdf", "status": "missing"},
            {"name": "notes.txt", "status": "differ", "diff": "-a\n+b"},
        ],
    }
    assert count_differences(comparison) == 2 + 3 + 1 + 1
    assert count_differences(None) == 0
    brief = brief_of(make_result("x", Verdict.PARTIAL, comparison=comparison))
    assert brief.differences == 7


def test_records_are_built_at_first_use_or_by_the_runs_warm_up() -> None:
    """Importing the records builds no validator (a run's start needs a few, built when first
    used); ``build_records`` (the run's warm-up) builds every one, and a record built at its
    first use reads and writes as before."""
    probe = (
        "import evalkit.runner.results as r\n"
        "records = [r.ExampleResult, r.RunSummary, r.ExampleBrief, r.Counts, r.GitInfo]\n"
        "print([m.__pydantic_complete__ for m in records])\n"
        "print(r.GitInfo(commit='abc').to_dict(), r.GitInfo.__pydantic_complete__)\n"
        "r.build_records()\n"
        "print(all(m.__pydantic_complete__ for m in r._Record.__subclasses__()))\n"
    )
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert ran.stdout.splitlines() == [
        "[False, False, False, False, False]",
        "{'commit': 'abc', 'branch': None, 'dirty': None} True",
        "True",
    ], ran.stdout + ran.stderr
