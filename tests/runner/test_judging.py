"""Judge agents in a run against the local platform (issue 13 item 3): verdicts and reasons in
the results, the summary and the feedback; a judge that answers nonsense or fails gives its
example the ``error`` verdict with the answer shown; the judgement cache saves every judge
execution on an unchanged rerun and ``--no-judge-cache`` runs them again; ``validate`` finds a
judge that is not declared, at its line."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner

import evalkit
from evalkit import Connection, RunConfig
from evalkit.cli.context import GlobalOptions
from evalkit.cli.validate import validate
from evalkit.client import EigenpalClient
from evalkit.compare.judges import JudgeAnswer, Judgement, JudgeRequest
from evalkit.connection import open_platform
from evalkit.conventions import JUDGEMENTS_FOLDER
from evalkit.runner import judging as judging_module
from evalkit.runner import labels as run_labels
from evalkit.runner.judge_agents import JudgeAgent, Judging, PendingJudgement
from evalkit.runner.judge_cache import cache_key
from evalkit.runner.results import ErrorKind, ExampleResult, RunSummary, Verdict
from evalkit.runner.results_file import read_results_file
from evalkit.runner.summary_text import render_summary
from tests.runner.judge_project import MANIFEST, write_judge_project

JUDGES = ("keyword-judge", "nonsense-judge", "broken-judge")


@contextmanager
def platform_client(project: Path) -> Iterator[EigenpalClient]:
    with (
        open_platform(Connection(), project_root=project) as platform,
        EigenpalClient(api_key=platform.api_key, base_url=platform.base_url) as client,
    ):
        yield client


def executions(project: Path, agents: tuple[str, ...] = ("writer", *JUDGES)) -> dict[str, Any]:
    """Every execution of each agent on the project's local platform."""
    with platform_client(project) as client:
        return {
            slug: list(client.agents.executions.iter_list(slug, include="feedback,files"))
            for slug in agents
        }


def run(project: Path, out: str, **config: Any) -> tuple[RunSummary, dict[str, ExampleResult]]:
    outcome = evalkit.run(
        project / "evalkit.yaml",
        RunConfig(out=project / out, report_dir=project / f"{out}-report", **config),
        connection=Connection(),
        handle_interrupts=False,
    )
    results = read_results_file(outcome.run_dir / "results.jsonl").results
    return outcome.summary, {result.example: result for result in results}


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunSummary, dict[str, Any]]:
    project = tmp_path_factory.mktemp("judged")
    write_judge_project(project)
    summary, results = run(project, "first")
    return project, summary, results


def rules_of(result: ExampleResult) -> list[str]:
    assert result.comparison is not None
    return [d["rule"] for d in result.comparison["differences"]]


def judgements_of(result: ExampleResult) -> list[dict[str, Any]]:
    assert result.comparison is not None
    found: list[dict[str, Any]] = result.comparison["judgements"]
    return found


def test_the_judge_decides_with_its_reason_in_the_results(
    first: tuple[Path, RunSummary, dict[str, Any]],
) -> None:
    _, _, results = first
    assert (results["polite"].verdict, results["polite"].score) == (Verdict.PASS, 1.0)
    assert results["curt"].verdict is Verdict.PARTIAL
    assert rules_of(results["curt"]) == [
        "keyword-judge failed (score 0.50): does not mention sorry"
    ]
    assert results["curt"].score == pytest.approx(0.5)
    (judgement,) = judgements_of(results["polite"])
    assert judgement["reason"] == "mentions refund, sorry"
    assert (judgement["pointer"], judgement["agent"], judgement["cached"]) == (
        "/reply",
        "keyword-judge",
        False,
    )
    assert judgement["execution_id"].startswith("exec_")


def test_min_is_the_score_from_which_a_judged_value_passes(
    first: tuple[Path, RunSummary, dict[str, Any]],
) -> None:
    _, _, results = first
    # 2 of 3 words found: the judge fails it, whatever min says
    assert rules_of(results["strict"]) == [
        "keyword-judge failed (score 0.66): does not mention euro"
    ]


def test_a_judge_answering_nonsense_is_an_error_showing_the_answer(
    first: tuple[Path, RunSummary, dict[str, Any]],
) -> None:
    _, _, results = first
    result = results["nonsense"]
    assert result.verdict is Verdict.ERROR
    assert result.error is not None
    assert result.error.kind is ErrorKind.SCORER
    (rule,) = rules_of(result)
    assert rule.startswith("nonsense-judge answered text, not a JSON object: yes; a judge answers")
    assert "(judge execution exec_" in rule


def test_a_judge_that_fails_is_an_error_saying_why(
    first: tuple[Path, RunSummary, dict[str, Any]],
) -> None:
    _, _, results = first
    result = results["broken"]
    assert result.verdict is Verdict.ERROR
    assert result.error is not None
    assert result.error.kind is ErrorKind.SCORER
    assert rules_of(result)[0].startswith(
        "broken-judge could not judge: its execution ended failed: the judge's model is down"
    )


def test_the_summary_and_the_reports_count_the_judgements(
    first: tuple[Path, RunSummary, dict[str, Any]],
) -> None:
    project, summary, _ = first
    assert summary.judgements is not None
    assert (summary.judgements.total, summary.judgements.from_cache) == (5, 0)
    assert summary.judgements.failed == 2
    assert "\njudgements: 5 (0 from the cache, 2 failed)\n" in render_summary(summary)
    markdown = (project / "first-report" / "summary.md").read_text()
    assert "judgements `5 (0 from the cache, 2 failed)`" in markdown
    html = (project / "first-report" / "report.html").read_text()
    assert "<dt>judgements</dt><dd>5 (0 from the cache, 2 failed)</dd>" in html


def test_feedback_shows_the_reason_and_judges_get_none(
    first: tuple[Path, RunSummary, dict[str, Any]],
) -> None:
    project, _, results = first
    found = executions(project)
    judged = {e.id: e for e in found["writer"]}
    curt = judged[results["curt"].execution.id]
    assert curt.feedback is not None
    assert "### Judgements" in curt.feedback.body
    judge_id = judgements_of(results["curt"])[0]["execution_id"]
    assert (
        f"- `/reply`: keyword-judge said failed (score 0.50): does not mention sorry "
        f"(judge execution `{judge_id}`)"
    ) in curt.feedback.body
    for execution in found["keyword-judge"]:
        assert execution.feedback is None or execution.feedback.rating is None
        labels = execution.metadata or {}
        assert labels[run_labels.JUDGEMENT].startswith("writer/")
        assert labels["batchId"] == results["curt"].run_id
        assert "exampleName" not in labels  # never taken for an example of the judge


def test_an_unchanged_rerun_runs_no_judge_and_no_judge_cache_runs_them_again(
    first: tuple[Path, RunSummary, dict[str, Any]],
) -> None:
    project, _, _ = first
    before = {slug: len(items) for slug, items in executions(project).items()}
    assert before["keyword-judge"] == 3

    summary, results = run(project, "again")
    after = {slug: len(items) for slug, items in executions(project).items()}
    assert after["keyword-judge"] == before["keyword-judge"]  # every judgement from the cache
    assert after["writer"] == before["writer"] + 5
    # a judge that failed or answered nonsense is asked again
    assert after["nonsense-judge"] == before["nonsense-judge"] + 1
    assert summary.judgements is not None
    assert (summary.judgements.total, summary.judgements.from_cache) == (5, 3)
    assert results["curt"].verdict is Verdict.PARTIAL
    assert rules_of(results["curt"]) == [
        "keyword-judge failed (score 0.50): does not mention sorry"
    ]
    assert judgements_of(results["curt"])[0]["cached"] is True

    summary, _ = run(project, "fresh", judge_cache=False)
    fresh = {slug: len(items) for slug, items in executions(project).items()}
    assert fresh["keyword-judge"] == after["keyword-judge"] + 3
    assert summary.judgements is not None
    assert summary.judgements.from_cache == 0


def test_a_changed_output_is_judged_again(tmp_path: Path) -> None:
    project = tmp_path
    write_judge_project(project, MANIFEST.replace("We refund.", "Sorry, we refund."))
    summary, results = run(project, "one")
    assert results["curt"].verdict is Verdict.PASS
    write_judge_project(project, MANIFEST)
    summary, results = run(project, "two")
    assert summary.judgements is not None
    assert summary.judgements.from_cache == 2  # polite and strict did not change
    assert results["curt"].verdict is Verdict.PARTIAL


def test_another_value_of_a_passed_variable_is_judged_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A judge's model often comes through ``pass_env``: another model, other verdicts."""
    name = "EVALKIT_TEST_JUDGE_MODEL"
    passing = MANIFEST.replace(
        "version: 1\n", f"version: 1\nlocal_platform: {{pass_env: [{name}]}}\n"
    )
    write_judge_project(tmp_path, passing)
    monkeypatch.setenv(name, "judge-model-alpha-31337")
    run(tmp_path, "one")
    summary, _ = run(tmp_path, "same")
    assert summary.judgements is not None
    assert summary.judgements.from_cache == 3  # the keyword judge's three: nothing changed

    monkeypatch.setenv(name, "judge-model-beta-42424")
    summary, _ = run(tmp_path, "other")
    assert summary.judgements is not None
    assert summary.judgements.from_cache == 0
    cache_files = [p for p in (tmp_path / JUDGEMENTS_FOLDER).rglob("*") if p.is_file()]
    assert len(cache_files) == 6  # three judgements for each model
    for path in cache_files:
        text = path.read_text(encoding="utf-8")
        assert "alpha-31337" not in text
        assert "beta-42424" not in text


def validate_in(manifest: Path) -> Any:
    options = GlobalOptions(
        manifest=manifest, base_url=None, api_key=None, local=False, verbose=0, json_output=False
    )
    return CliRunner().invoke(validate, [], obj=options, catch_exceptions=False)


def test_validate_finds_an_undeclared_judge_at_its_line(tmp_path: Path) -> None:
    typo = MANIFEST.replace("{agent: nonsense-judge,", "{agent: nonsense-judg,")
    manifest = write_judge_project(tmp_path, typo)
    result = validate_in(manifest)
    assert result.exit_code == 2
    line = 1 + typo.splitlines().index(
        '            /reply: {judge: {agent: nonsense-judg, rubric: "anything"}}'
    )
    assert f"evalkit.yaml:{line}:37: judge agent 'nonsense-judg' is not declared" in result.stderr
    assert "did you mean 'nonsense-judge'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_refuses_a_judge_judging_itself(tmp_path: Path) -> None:
    own = MANIFEST.replace(
        "    workspace: agents/keyword-judge/\n",
        "    workspace: agents/keyword-judge/\n"
        "    compare:\n"
        '      rules: {"": {judge: {agent: keyword-judge, rubric: "x"}}}\n',
    )
    result = validate_in(write_judge_project(tmp_path, own))
    assert result.exit_code == 2
    assert "agent 'keyword-judge' would judge its own output" in result.stderr


def test_validate_refuses_a_defaults_judge_that_has_examples_of_its_own(tmp_path: Path) -> None:
    labelled = MANIFEST.replace(
        "version: 1\n",
        'version: 1\ndefaults:\n  compare:\n    rules:\n      "": {judge: {agent: broken-judge, '
        'rubric: "x"}}\n',
    ).replace(
        "    workspace: agents/broken-judge/\n",
        "    workspace: agents/broken-judge/\n"
        "    examples:\n"
        "      - {name: label, input: {rubric: x}, expected: {passed: true}}\n",
    )
    result = validate_in(write_judge_project(tmp_path, labelled))
    assert result.exit_code == 2
    assert "evalkit.yaml:6:27: the defaults apply" in result.stderr
    assert "the defaults apply to every agent, 'broken-judge' included" in result.stderr


SLOW = """
version: 1
agents:
  - slug: writer
    config: {runtime: {builtin: echo}}
    workspace: agents/writer/
    examples:
      - name: slow
        input: {reply: "Sorry, refund."}
        expected: {reply: "x"}
        compare:
          rules:
            /reply: {judge: {agent: keyword-judge, rubric: "anything", timeout: 1}}
  - slug: keyword-judge
    config:
      runtime: {builtin: fixed, output: {score: 1, passed: true, reason: ""}, delayMs: 30000}
    workspace: agents/keyword-judge/
"""


def test_a_judge_past_its_timeout_is_cancelled_and_an_error(tmp_path: Path) -> None:
    write_judge_project(tmp_path, SLOW)
    summary, results = run(tmp_path, "slow")
    result = results["slow"]
    assert result.verdict is Verdict.ERROR
    assert rules_of(result)[0].startswith(
        "keyword-judge did not answer within 1 s (its 'timeout' on the rule)"
    )
    (judge,) = executions(tmp_path, ("keyword-judge",))["keyword-judge"]
    assert judge.status.value == "cancelled"
    assert summary.judgements is not None
    assert summary.judgements.failed == 1


def test_an_example_timing_out_while_judged_cancels_its_judge(tmp_path: Path) -> None:
    write_judge_project(tmp_path, SLOW.replace("timeout: 1}", "timeout: 60}"))
    _, results = run(tmp_path, "cut", timeout_seconds=3)
    error = results["slow"].error
    assert error is not None
    assert error.kind is ErrorKind.TIMEOUT
    (judge,) = executions(tmp_path, ("keyword-judge",))["keyword-judge"]
    assert judge.status.value == "cancelled"


@pytest.mark.parametrize(
    ("answer", "counted"),
    [
        (JudgeAnswer(score=1.0, passed=True, reason="ok"), (2, 1, 0)),
        (None, (2, 0, 2)),
    ],
)
def test_a_value_waiting_on_the_same_judgement_counts_as_it_ended(
    answer: JudgeAnswer | None, counted: tuple[int, int, int]
) -> None:
    """Two examples wanting one judgement at once: the second shares the first's; a shared
    answer counts as from the cache, a shared failure as failed (never as from the cache)."""
    request = JudgeRequest(agent="judge", rubric="r", pointer="/reply", expected="a", actual="b")
    agent = JudgeAgent(slug="judge", platform_slug="judge", digest="d")
    judging = Judging(agents={"judge": agent})
    state = SimpleNamespace(job=SimpleNamespace(input_json={}))
    ctx = SimpleNamespace(judging=judging)

    async def share() -> Judgement:
        key = cache_key(agent.digest, request, {})
        pending = judging.pending[key] = PendingJudgement()
        waiting = asyncio.create_task(judging_module._judgement(request, state, ctx))  # type: ignore[arg-type]
        await asyncio.sleep(0)  # the waiter finds the judgement pending
        made = Judgement(request, answer, None if answer else "the judge failed", "exec-1")
        judging.counts.add(from_cache=False, failed=answer is None)  # as its maker counts
        pending.made = made
        pending.done.set()
        return await waiting

    shared = asyncio.run(share())
    counts = judging.counts
    assert (counts.total, counts.from_cache, counts.failed) == counted
    assert shared.cached is (answer is not None)
    assert shared.problem == (None if answer else "the judge failed")
