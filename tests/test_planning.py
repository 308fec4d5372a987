"""``evalkit.plan`` and ``evalkit.apply``: ``evalkit plan`` and ``evalkit sync --yes`` from
Python, against the local platform they start."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import evalkit
from evalkit import Connection
from evalkit.emulator.faults import FaultConfig
from evalkit.errors import ConfigError, ManifestError, PlanError
from evalkit.sync import load_plan, save_plan
from tests.runner.platform_harness import API_KEY, local_platform
from tests.runner.test_cli_run import copy_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path) / "examples" / "invoices" / "evalkit.yaml"


def test_plan_then_apply_then_nothing_left_to_do(project: Path) -> None:
    first = evalkit.plan(project, connection=Connection())
    assert [agent.slug for agent in first.agents if agent.creates_agent] == ["invoice-extractor"]

    outcome = evalkit.apply(project, connection=Connection())
    assert outcome.result.state == "converged"
    assert [agent.slug for agent in outcome.plan.agents] == ["invoice-extractor"]

    again = evalkit.plan(project, connection=Connection())
    assert not again.has_changes


def test_a_saved_plan_applies_as_it_was_made(project: Path, tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    save_plan(evalkit.plan(project, connection=Connection()), saved)
    outcome = evalkit.apply(load_plan(saved), connection=Connection(), against=project)
    assert outcome.result.state == "converged"
    assert not evalkit.plan(project, connection=Connection()).has_changes


def test_a_saved_plan_uploads_only_what_the_manifest_declares(
    project: Path, tmp_path: Path
) -> None:
    """A plan file is untrusted: as with 'evalkit sync --plan', a file it would upload from
    outside what the manifest declares is refused before the platform is opened."""
    saved = tmp_path / "plan.json"
    save_plan(evalkit.plan(project, connection=Connection()), saved)
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the platform", encoding="utf-8")
    data = json.loads(saved.read_text(encoding="utf-8"))
    data["agents"][0]["files"][0]["source"] = str(secret)
    saved.write_text(json.dumps(data), encoding="utf-8")
    state = project.parent / ".evalkit"
    shutil.rmtree(state, ignore_errors=True)

    with pytest.raises(ConfigError, match="pass against="):
        evalkit.apply(load_plan(saved), connection=Connection())
    with pytest.raises(PlanError, match="leads outside the project folder"):
        evalkit.apply(load_plan(saved), connection=Connection(), against=project)
    with pytest.raises(ConfigError, match="drop only, environment and refresh"):
        evalkit.apply(load_plan(saved), connection=Connection(), against=project, refresh=True)
    assert not state.exists(), "no platform was started"


def test_an_unknown_agent_and_a_bad_manifest_are_refused(project: Path, tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="--only nobody: no such agent"):
        evalkit.plan(project, connection=Connection(), only=["nobody"])
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nagents: 3\n", encoding="utf-8")
    with pytest.raises(ManifestError):
        evalkit.plan(broken, connection=Connection())
    assert not (tmp_path / ".evalkit").exists(), "no platform was started"


def test_a_new_agent_syncs_before_its_examples_folder_holds_any(project: Path) -> None:
    # Harvest writes a new agent's first examples from its executions: the agent is synced
    # first, with its examples folder declared but missing (git keeps no empty folder).
    text = project.read_text(encoding="utf-8")
    new_agent = (
        "  - slug: newcomer\n"
        "    config: {runtime: {builtin: echo}}\n"
        "    examples: agents/newcomer/examples/\n"
    )
    project.write_text(text.replace("agents:\n", "agents:\n" + new_agent, 1), encoding="utf-8")
    with pytest.raises(ManifestError, match="not found"):
        evalkit.run(project, evalkit.RunConfig(report=False))  # a run needs its examples

    outcome = evalkit.apply(project, connection=Connection())

    assert outcome.result.state == "converged"
    assert "newcomer" in [agent.slug for agent in outcome.plan.agents]


@pytest.mark.slow
def test_a_rate_limited_platform_is_waited_out(project: Path, tmp_path: Path) -> None:
    """8 workers told to come back in 1 s came back together, and each gave up after its
    client's 3 retries: the sync was left partly applied."""
    limited = FaultConfig(rate_limit_per_second=10, rate_limit_burst=2)
    with local_platform(tmp_path / "platform", limited) as running:
        remote = Connection(base_url=running.base_url, api_key=API_KEY)
        outcome = evalkit.apply(project, connection=remote)
        assert outcome.result.state == "converged", outcome.result.failed
        assert not evalkit.plan(project, connection=remote).has_changes
