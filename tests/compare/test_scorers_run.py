"""The scorers that need no model in a run against the local platform (issue 13 item 1): a
fixed agent answers in free text; examples whose scorers pass and fail get the verdicts,
scores and difference messages the compare layer gives."""

from __future__ import annotations

import json
from typing import Any

import pytest

import evalkit
from evalkit import Connection, RunConfig
from evalkit.runner.results import Verdict
from evalkit.runner.results_file import read_results_file

ANSWER = (
    "Thank you for writing. Your refund of 42 EUR was sent today; "
    "it should reach your account within five days."
)

MANIFEST = f"""
version: 1
agents:
  - slug: support
    config:
      runtime:
        builtin: fixed
        output: {{reply: "{ANSWER}", tags: [billing, refund], total: 42}}
    workspace: agents/support/
    examples:
      - name: close-enough
        input: {{q: refund}}
        expected: {{reply: "Your refund of 42 EUR was sent today.", tags: [], total: 42}}
        compare:
          rules:
            /reply:
              similarity: {{min: 0.9, method: partial}}
              contains: [REFUND, "42 eur"]
              not_contains: [guarantee]
              length: {{max: 40, unit: words}}
              text: [casefold]
            /tags: {{contains_any: [refund, return]}}
      - name: too-different
        input: {{q: refund}}
        expected: {{reply: "We cannot refund this order.", tags: [], total: 42}}
        compare:
          rules:
            /reply: {{similarity: {{min: 0.85, method: token_set}}}}
            /tags: {{ignore: true}}
      - name: wrong-words
        input: {{q: refund}}
        expected: {{reply: "", tags: [], total: 42}}
        compare:
          rules:
            /reply:
              contains: [apolog]
              not_contains: [refund]
              length: {{max: 10, unit: words}}
            /tags: {{contains: [urgent]}}
      - name: schema
        input: {{q: refund}}
        expected: {{}}
        compare:
          rules:
            "": {{json_schema: schemas/answer.json}}
"""

SCHEMA = {
    "type": "object",
    "properties": {"total": {"type": "string"}},
    "required": ["reply", "total"],
}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("scorers")
    project = folder / "project"
    (project / "agents" / "support").mkdir(parents=True)
    (project / "agents" / "support" / "AGENT.md").write_text("# Support\n")
    (project / "schemas").mkdir()
    (project / "schemas" / "answer.json").write_text(json.dumps(SCHEMA))
    (project / "evalkit.yaml").write_text(MANIFEST)
    outcome = evalkit.run(
        project / "evalkit.yaml",
        RunConfig(report=False, out=folder / "out"),
        connection=Connection(),
        handle_interrupts=False,
    )
    run = read_results_file(outcome.run_dir / "results.jsonl")
    return {result.example: result for result in run.results}


def rules(result: Any) -> list[tuple[str, str]]:
    return [(d["pointer"], d["rule"]) for d in result.comparison["differences"]]


def test_scorers_that_pass_give_a_pass_with_the_rules_applied(results: dict[str, Any]) -> None:
    result = results["close-enough"]
    assert result.error is None
    assert (result.verdict, result.score) == (Verdict.PASS, 1.0)
    applied = {(a["pointer"], a["kind"]) for a in result.comparison["applied"]}
    assert applied == {
        ("/reply", "similarity"),
        ("/reply", "contains"),
        ("/reply", "length"),
        ("/tags", "contains"),
    }


def test_a_similarity_below_min_is_partial_credit(results: dict[str, Any]) -> None:
    result = results["too-different"]
    assert result.verdict is Verdict.PARTIAL  # /total matches, /reply earns its similarity
    ((pointer, rule),) = rules(result)
    assert pointer == "/reply"
    assert rule.startswith("similarity 0.")
    assert rule.endswith(" below 0.85 (token_set)")
    (difference,) = result.comparison["differences"]
    assert result.score == pytest.approx((1 + difference["score"]) / 2)
    assert 0 < difference["score"] < 0.85


def test_failed_scorers_say_what_failed(results: dict[str, Any]) -> None:
    result = results["wrong-words"]
    assert result.verdict is Verdict.FAIL
    assert rules(result) == [
        ("/reply", "missing 'apolog'"),
        ("/reply", "contains 'refund'"),
        ("/reply", "20 words, at most 10"),
        ("/tags", "no element 'urgent'"),
    ]
    assert result.score == pytest.approx(1 / 3)  # only /total


def test_json_schema_on_the_whole_output(results: dict[str, Any]) -> None:
    assert rules(results["schema"]) == [
        ("", "does not match schema answer.json: $.total: 42 is not of type 'string'")
    ]


def test_a_json_schema_rule_never_passes_a_value_unchecked(results: dict[str, Any]) -> None:
    assert results["schema"].verdict is Verdict.FAIL
