"""Runs of a deliberately random agent on the local platform (the ``noisy`` builtin: an echo
that is wrong with a seeded probability, per example through ``_wrongRate``): repeats record
every attempt, a real regression is found with evidence, a change of seed alone is noise, and
--confirm spends executions only where an example disagrees with its baseline."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

import evalkit
from evalkit import Connection, RunConfig
from evalkit.client import EigenpalClient
from evalkit.runner.gates import GateConfig
from evalkit.runner.repeats import PassRule
from evalkit.runner.results import Verdict
from evalkit.runner.results_file import read_results_file


def write_coin_project(root: Path, wrong_rates: Sequence[float], *, seed: int) -> Path:
    """One ``coin`` agent; example i echoes {"n": i} and is wrong with ``wrong_rates[i]``."""
    examples = [
        {
            "name": f"e{index:02d}",
            "input": {"n": index, "_wrongRate": rate},
            "expected": {"n": index},
        }
        for index, rate in enumerate(wrong_rates)
    ]
    agent: dict[str, Any] = {
        "slug": "coin",
        "config": {"runtime": {"builtin": "noisy", "wrongRate": 0.0, "seed": seed}},
        "examples": examples,
    }
    manifest = root / "evalkit.yaml"
    root.mkdir(parents=True, exist_ok=True)
    manifest.write_text(yaml.safe_dump({"version": 1, "agents": [agent]}), encoding="utf-8")
    return manifest


def run(manifest: Path, out: Path, **config: Any) -> evalkit.RunOutcome:
    return evalkit.run(
        manifest, RunConfig(out=out, report=False, **config), connection=Connection()
    )


def test_every_attempt_is_an_execution_with_its_own_feedback(tmp_path: Path) -> None:
    manifest = write_coin_project(tmp_path / "p", [0.5] * 6, seed=3)
    outcome = run(
        manifest,
        tmp_path / "r",
        repeat=5,
        pass_if=PassRule.parse("rate 0.6"),
    )
    results = read_results_file(outcome.run_dir / "results.jsonl").results
    assert len(results) == 6
    assert outcome.summary.executions == 30
    executions = set()
    for result in results:
        assert result.repeats is not None
        assert result.repeats.trials == 5
        ids = [attempt.execution_id for attempt in result.repeats.attempts]
        assert len(set(ids)) == 5
        executions.update(ids)
        passed = result.repeats.passes
        assert (result.verdict is Verdict.PASS) == (passed >= 3)
        assert ((result.model_extra or {}).get("flaky") is True) == (0 < passed < 5)
        assert all(attempt.feedback_written for attempt in result.repeats.attempts)
    assert len(executions) == 30
    # The platform holds each verdict once, on its own execution.
    with _client(tmp_path / "p") as client:
        page = client.agents.executions.list("coin", limit=100)
        assert page.total == 30
        assert {item.id for item in page.executions} == executions
        feedback = [client.agents.executions.get_feedback(item).feedback for item in executions]
        ratings = {item.rating.value for item in feedback if item is not None and item.rating}
        assert len([item for item in feedback if item is not None]) == 30
        assert ratings <= {"pass", "fail"}
        assert len(ratings) == 2, "a coin at 0.5 over 30 tosses lands both ways"


def _client(project: Path) -> Any:
    from contextlib import contextmanager

    from evalkit.connection import open_platform

    @contextmanager
    def opened() -> Any:
        with (
            open_platform(Connection(), project_root=project) as platform,
            EigenpalClient(api_key=platform.api_key, base_url=platform.base_url) as client,
        ):
            yield client

    return opened()


def test_a_real_regression_is_found_and_a_new_seed_alone_is_noise(tmp_path: Path) -> None:
    easy = [0.1] * 16
    baseline = run(write_coin_project(tmp_path / "p", easy, seed=1), tmp_path / "base", repeat=6)
    summary = tmp_path / "base" / "summary.json"

    same = run(
        write_coin_project(tmp_path / "p", easy, seed=2),
        tmp_path / "same",
        repeat=6,
        baseline=summary,
        gates=GateConfig(max_regressions=0, min_pass_rate_delta=0.0),
    )
    assert [c.change for c in same.summary.changes if c.significant] == []
    assert same.summary.deltas[0].verdict == "noise"
    assert same.exit_code in (0, 1)  # pass_if all: a 10% coin fails some examples
    gates = {gate.name: gate for gate in same.summary.gates}
    assert gates["max_regressions"].passed, gates["max_regressions"].message
    assert gates["min_pass_rate_delta"].passed, gates["min_pass_rate_delta"].message

    harder = [1.0] * 6 + [0.1] * 10
    worse = run(
        write_coin_project(tmp_path / "p", harder, seed=3),
        tmp_path / "worse",
        repeat=6,
        baseline=summary,
        gates=GateConfig(max_regressions=0, min_pass_rate_delta=0.0),
    )
    confirmed = {
        c.example for c in worse.summary.changes if c.change == "regression" and c.significant
    }
    assert confirmed == {f"e{index:02d}" for index in range(6)}
    assert {brief.example for brief in worse.summary.regressions} == confirmed
    delta = worse.summary.deltas[0]
    assert delta.verdict == "regression"
    assert delta.pass_rate_interval[1] < 0
    assert "a regression" in delta.words
    gates = {gate.name: gate for gate in worse.summary.gates}
    assert not gates["max_regressions"].passed
    assert not gates["min_pass_rate_delta"].passed
    assert worse.exit_code == 1
    assert baseline.summary.minimum_detectable_drop is not None
    assert 0 < baseline.summary.minimum_detectable_drop < 1


def test_confirm_reruns_only_where_an_example_disagrees(tmp_path: Path) -> None:
    rates = [0.0] * 6
    run(write_coin_project(tmp_path / "p", rates, seed=1), tmp_path / "base", repeat=4)
    broken = [1.0, 1.0] + [0.0] * 4
    outcome = run(
        write_coin_project(tmp_path / "p", broken, seed=1),
        tmp_path / "now",
        confirm=True,
        repeat=8,
        baseline=tmp_path / "base" / "summary.json",
    )
    results = {r.example: r for r in read_results_file(outcome.run_dir / "results.jsonl").results}
    for name in ("e02", "e03", "e04", "e05"):
        agreeing = results[name].repeats
        assert agreeing is not None
        assert agreeing.trials == 1, "agrees with its baseline: run once"
    for name in ("e00", "e01"):
        repeats = results[name].repeats
        assert repeats is not None
        assert 1 < repeats.trials < 8, "rerun until the exact test decides, not to the cap"
        assert repeats.adaptive
    changes = {c.example: c for c in outcome.summary.changes}
    assert changes["e00"].change == "regression"
    assert changes["e00"].significant
    assert outcome.summary.executions == sum(
        r.repeats.trials for r in results.values() if r.repeats
    )
    assert outcome.summary.fixed_executions == 6 * 8
    assert outcome.summary.executions < outcome.summary.fixed_executions
    delta = outcome.summary.deltas[0]
    assert not delta.estimated, "attempts stopped by outcome bias the change"
    assert delta.verdict == "noise"
    assert "not estimated" in delta.words


def test_a_baseline_rebuilt_from_the_platform_judges_like_its_summary(tmp_path: Path) -> None:
    base = run(write_coin_project(tmp_path / "p", [0.0] * 6, seed=1), tmp_path / "base", repeat=5)
    broken = write_coin_project(tmp_path / "p", [1.0, 1.0] + [0.0] * 4, seed=1)
    from_file = run(
        broken, tmp_path / "file", repeat=5, baseline=tmp_path / "base" / "summary.json"
    )
    from_batch = run(
        broken, tmp_path / "batch", repeat=5, baseline_batch=base.summary.metadata.run_id
    )
    assert from_batch.summary.baseline == f"batch:{base.summary.metadata.run_id}"
    kinds = [(c.example, c.change, c.significant) for c in from_file.summary.changes]
    assert [(c.example, c.change, c.significant) for c in from_batch.summary.changes] == kinds
    assert ("e00", "regression", True) in kinds
    assert from_batch.summary.deltas[0].words == from_file.summary.deltas[0].words


def test_an_example_left_undecided_by_the_budget_is_said_and_counted(tmp_path: Path) -> None:
    run(write_coin_project(tmp_path / "p", [0.0] * 6, seed=1), tmp_path / "base", repeat=4)
    outcome = run(
        write_coin_project(tmp_path / "p", [1.0, 1.0] + [0.0] * 4, seed=1),
        tmp_path / "now",
        confirm=True,
        max_executions=7,
        baseline=tmp_path / "base" / "summary.json",
        gates=GateConfig(max_regressions=0),
    )
    assert outcome.summary.executions is not None
    assert outcome.summary.executions <= 7
    changes = {c.example: c for c in outcome.summary.changes}
    broken = [changes["e00"], changes["e01"]]
    assert all(not c.significant for c in broken), "too few attempts to confirm"
    assert all(c.undecided for c in broken)
    assert not any(changes[name].undecided for name in ("e02", "e03", "e04", "e05"))
    assert {b.example for b in outcome.summary.regressions} == {"e00", "e01"}
    gate = next(g for g in outcome.summary.gates if g.name == "max_regressions")
    assert not gate.passed
    # Said as such, never as noise, and evalkit diff counts it as the gate did.
    from evalkit.runner.diff_text import sections
    from evalkit.runner.evidence import weigh
    from evalkit.runner.results_file import read_summary_file
    from evalkit.runner.summary_text import render_summary

    text = render_summary(outcome.summary, [])
    assert text.count("undecided: --max-executions ran out") == 2
    assert "coin/e00 (" not in text.split("noise", 1)[-1] if "noise" in text else True
    baseline = read_summary_file(tmp_path / "base" / "summary.json")
    evidence = weigh(
        baseline,
        outcome.summary.examples,
        confidence=0.95,
        undecided={(c.kind, c.agent, c.example) for c in outcome.summary.changes if c.undecided},
    )
    found = sections(evidence)
    assert {c.example for c in found.significant} == {"e00", "e01"}
    assert not {c.example for c in found.noise} & {"e00", "e01"}


def test_a_collapse_too_small_for_the_test_still_fails_the_regression_gate(tmp_path: Path) -> None:
    """repeat 3 on both sides: Fisher's p is 0.1 at best, so no outcome is significant; the
    regression gate compares the combined verdicts then, and every report counts as it does."""
    from evalkit.report.loading import load_results
    from evalkit.report.markdown import render_markdown
    from evalkit.report.view import build_view

    baseline = run(write_coin_project(tmp_path / "p", [0.0] * 4, seed=1), tmp_path / "b", repeat=3)
    assert baseline.exit_code == 0
    collapsed = run(
        write_coin_project(tmp_path / "p", [1.0] * 2 + [0.0] * 2, seed=1),
        tmp_path / "worse",
        repeat=3,
        baseline=tmp_path / "b" / "summary.json",
        gates=GateConfig(max_regressions=0, min_pass_rate=0.0),
    )
    changes = {c.example: c for c in collapsed.summary.changes}
    assert {name for name, c in changes.items() if c.change == "regression"} == {"e00", "e01"}
    assert all(c.untestable and not c.significant for c in changes.values())
    assert {brief.example for brief in collapsed.summary.regressions} == {"e00", "e01"}
    gates = {gate.name: gate for gate in collapsed.summary.gates}
    assert not gates["max_regressions"].passed
    assert "2 regressions" in gates["max_regressions"].message
    assert collapsed.exit_code == 1

    view = build_view(load_results(collapsed.run_dir))
    assert {row.result.example for row in view.regressions} == {"e00", "e01"}
    assert view.counts["regressions"] == 2
    assert view.noise == []
    assert "### Regressions (2)" in render_markdown(load_results(collapsed.run_dir))
