"""``evalkit harvest`` against a local platform over HTTP: the filters select the executions
the contract says; every one becomes an example once, under a stable name; a second harvest
writes nothing; evalkit's own runs are left alone; the result validates."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

import evalkit
from evalkit import RunConfig
from evalkit.api import format_timestamp
from evalkit.client import EigenpalClient
from evalkit.connection import Connection
from evalkit.harvesting.naming import harvest_name
from evalkit.manifest import validate_manifest
from tests.runner.judge_project import MANIFEST, write_judge_project

from .conftest import Outcome
from .project import Project, make_project, production_run, tree

OUTPUT = {"total": 9}


@pytest.fixture
def project(tmp_path: Path, connection: Connection) -> Project:
    return make_project(tmp_path / "project", connection, output=OUTPUT)


@pytest.fixture
def reviewed(project: Project, client: EigenpalClient) -> dict[str, str]:
    """Three production executions: ``corrected`` (rated fail, resolved, with expected JSON),
    ``approved`` (rated pass, open, no expected), ``unreviewed`` (no feedback)."""
    executions = client.agents.executions
    ids = {}
    for label in ("corrected", "approved", "unreviewed"):
        ids[label] = production_run(client, project.slug, {"order": label}).id
    executions.update_feedback(
        ids["corrected"], rating="fail", status="resolved", expected={"total": 10}
    )
    executions.update_feedback(ids["approved"], rating="pass", status="open")
    return ids


def harvested(project: Project, **filters: Any) -> dict[str, str]:
    """Harvest with ``filters``: example name -> execution id of what was written."""
    result = evalkit.harvest(project.manifest, connection=project.connection, **filters)
    return {promoted.name: promoted.execution_id for promoted in result.written}


@pytest.mark.parametrize(
    ("filters", "selected"),
    [
        ({"rating": "fail"}, {"corrected"}),
        ({"rating": "pass"}, {"approved"}),
        ({"rating": "none"}, {"unreviewed"}),
        ({"feedback_status": "open"}, {"approved"}),
        ({"feedback_status": "resolved"}, {"corrected"}),
        ({"has_expected": True}, {"corrected"}),
        ({}, {"corrected", "approved", "unreviewed"}),
    ],
)
def test_the_filters_select_the_executions_the_contract_says(
    project: Project, reviewed: dict[str, str], filters: dict[str, Any], selected: set[str]
) -> None:
    written = harvested(project, dry_run=True, **filters)
    assert set(written.values()) == {reviewed[label] for label in selected}


def test_since_selects_by_creation_time(project: Project, reviewed: dict[str, str]) -> None:
    later = format_timestamp(datetime.now(timezone.utc) + timedelta(minutes=5))
    assert harvested(project, dry_run=True, since=later) == {}
    assert len(harvested(project, dry_run=True, since="1d")) == 3
    assert len(harvested(project, dry_run=True, since="2020-01-01")) == 3


def test_the_library_refuses_a_since_out_of_range_with_its_own_error(project: Project) -> None:
    with pytest.raises(evalkit.EvalkitError, match="--since '2000000000m' is out of the range"):
        evalkit.harvest(project.manifest, connection=project.connection, since="2000000000m")


WRONG_REASON = (
    "rated {rating} without a correction: the output is known to be wrong; add the expected "
    "output on the platform, or pass --keep-wrong-answers"
)


@pytest.mark.parametrize("rating", ["fail", "partial"])
def test_an_answer_rated_wrong_without_a_correction_is_not_made_the_expected_output(
    project: Project, client: EigenpalClient, rating: str
) -> None:
    execution = production_run(client, project.slug, {"order": "rated wrong"})
    client.agents.executions.update_feedback(execution.id, rating=rating, body="wrong total")
    before = tree(project.root)

    result = evalkit.harvest(project.manifest, connection=project.connection, rating=rating)

    assert result.written == ()
    assert [(skip.kind, skip.reason) for skip in result.skipped] == [
        ("wrong-answer", WRONG_REASON.format(rating=rating))
    ]
    assert tree(project.root) == before
    kept = evalkit.harvest(project.manifest, connection=project.connection, keep_wrong_answers=True)
    assert [(p.execution_id, p.rated_without_correction) for p in kept.written] == [
        (execution.id, rating)
    ]


def test_the_cli_skips_answers_rated_wrong_and_keeps_them_on_request(
    project: Project, client: EigenpalClient, cli: Any
) -> None:
    execution = production_run(client, project.slug, {"order": "rated wrong"})
    client.agents.executions.update_feedback(execution.id, rating="fail")

    skipped: Outcome = cli("-m", project.manifest, "harvest", "--rating", "fail")
    assert skipped.code == 0, skipped.stderr
    assert f"{execution.id}: {WRONG_REASON.format(rating='fail')}" in skipped.stdout

    kept: Outcome = cli("-m", project.manifest, "harvest", "--keep-wrong-answers")
    assert kept.code == 0, kept.stderr
    assert "warning: 1 of them were rated fail or partial without a correction" in kept.stdout
    assert "expect the answer known to be wrong" in kept.stdout


def test_limit_stops_and_says_so(project: Project, reviewed: dict[str, str]) -> None:
    result = evalkit.harvest(project.manifest, connection=project.connection, limit=2, dry_run=True)
    assert len(result.written) == 2
    assert result.stopped_at_limit


def test_a_second_harvest_writes_nothing(
    project: Project, reviewed: dict[str, str], client: EigenpalClient
) -> None:
    first = evalkit.harvest(project.manifest, connection=project.connection)
    assert len(first.written) == 3
    for promoted in first.written:
        execution = client.agents.executions.get(promoted.execution_id).execution
        assert promoted.name == harvest_name(execution.id, execution.created_at)
    corrected = project.example(
        next(p.name for p in first.written if p.execution_id == reviewed["corrected"])
    )
    assert json.loads((corrected / "expected.json").read_text()) == {"total": 10}
    validate_manifest(project.manifest)
    before = tree(project.root)

    second = evalkit.harvest(project.manifest, connection=project.connection)

    assert second.written == ()
    assert {skip.execution_id for skip in second.skipped} == set(reviewed.values())
    assert {skip.kind for skip in second.skipped} == {"harvested"}
    assert tree(project.root) == before


def test_an_example_promoted_by_hand_is_not_harvested_again(
    project: Project, reviewed: dict[str, str]
) -> None:
    evalkit.promote(
        reviewed["corrected"],
        name="by-hand",
        manifest=project.manifest,
        connection=project.connection,
    )
    result = evalkit.harvest(project.manifest, connection=project.connection, rating="fail")
    assert result.written == ()
    assert [skip.reason for skip in result.skipped] == ["harvested already, as example 'by-hand'"]


def test_evalkits_own_runs_are_skipped(project: Project, cli: Any, tmp_path: Path) -> None:
    ran: Outcome = cli("-m", project.manifest, "run", "--no-report", "--out", tmp_path / "run")
    assert ran.code == 0, ran.stdout + ran.stderr

    result = evalkit.harvest(project.manifest, connection=project.connection)

    assert result.written == ()
    assert [(skip.kind, skip.reason) for skip in result.skipped] == [
        ("evalkit-run", "evalkit run started it, for example 'seed'")
    ]
    shown: Outcome = cli("-m", project.manifest, "harvest")
    assert "skipped 1 execution(s) started by evalkit run" in shown.stdout


def test_a_judge_agents_executions_in_a_run_are_evalkits_not_examples(tmp_path: Path) -> None:
    """A judge execution carries no ``exampleName`` and gets no feedback: its judgement label
    says evalkit started it."""
    judged = tmp_path / "judged"
    manifest = write_judge_project(
        judged,
        MANIFEST.replace(
            "workspace: agents/nonsense-judge/\n",
            "workspace: agents/nonsense-judge/\n    examples: agents/nonsense-judge/examples/\n",
        ),
    )
    labelled = judged / "agents" / "nonsense-judge" / "examples" / "says-yes"
    labelled.mkdir(parents=True)
    (labelled / "input.json").write_text("{}")
    (labelled / "expected.json").write_text('"yes"')
    evalkit.run(manifest, RunConfig(out=judged / "run"), connection=Connection())

    result = evalkit.harvest(manifest, agent="nonsense-judge", connection=Connection())

    assert result.written == ()
    reasons = sorted(skip.reason for skip in result.skipped)
    assert reasons == [
        "evalkit run started it as a judge agent, judging example 'writer/nonsense'",
        "evalkit run started it, for example 'says-yes'",
    ]


def test_a_run_whose_labels_the_server_dropped_is_known_by_evalkits_verdict(
    project: Project, client: EigenpalClient
) -> None:
    execution = production_run(client, project.slug, {"order": "no labels"})
    body = "**evalkit: fail** (score 0.00)\n\nExample `seed`, run `run-x`.\n"
    client.agents.executions.update_feedback(execution.id, body=body, expected=OUTPUT)

    result = evalkit.harvest(project.manifest, connection=project.connection, has_expected=True)

    assert [(skip.kind, skip.execution_id) for skip in result.skipped] == [
        ("evalkit-run", execution.id)
    ]


def test_an_execution_the_platform_promoted_itself_is_left_to_pull(
    project: Project, client: EigenpalClient, connection: Connection
) -> None:
    execution = production_run(client, project.slug, {"order": "promoted"})
    # The platform's own promotion records promotedExampleName; the v1 client cannot set it,
    # so the test does what the dashboard would, over HTTP.
    answer = httpx.patch(
        f"{connection.base_url}/api/v1/agents/executions/{execution.id}/feedback",
        json={"rating": "fail", "expected": {"total": 10}, "promotedExampleName": "from-ui"},
        headers={"Authorization": f"Bearer {connection.api_key}"},
    )
    assert answer.status_code == 200, answer.text

    result = evalkit.harvest(project.manifest, connection=project.connection, has_expected=True)

    assert result.written == ()
    (skip,) = result.skipped
    assert skip.kind == "promoted"
    assert "as example 'from-ui'" in skip.reason
    assert f"evalkit pull {project.slug}" in skip.reason


def test_a_name_another_example_has_is_skipped_not_overwritten(
    project: Project, client: EigenpalClient
) -> None:
    execution = production_run(client, project.slug, {"order": "taken"})
    name = harvest_name(execution.id, execution.created_at)
    seed = project.example("seed")
    mine = project.example(name)
    mine.mkdir()
    for part in ("input.json", "expected.json"):
        (mine / part).write_bytes((seed / part).read_bytes())

    result = evalkit.harvest(project.manifest, connection=project.connection)

    assert [(skip.kind, skip.execution_id) for skip in result.skipped] == [
        ("name-taken", execution.id)
    ]
    assert sorted(p.name for p in mine.iterdir()) == ["expected.json", "input.json"]


def test_an_agent_the_platform_does_not_have_is_an_error_that_says_so(
    tmp_path: Path, connection: Connection, cli: Any
) -> None:
    manifest = tmp_path / "evalkit.yaml"
    manifest.write_text(
        "version: 1\nagents:\n  - slug: never-synced\n    examples: ex/\n", encoding="utf-8"
    )
    (tmp_path / "ex" / "one").mkdir(parents=True)
    (tmp_path / "ex" / "one" / "input.json").write_text("{}")
    (tmp_path / "ex" / "one" / "expected.json").write_text("{}")

    result: Outcome = cli("-m", manifest, "harvest")

    assert result.code == 2, result.stderr
    assert "no agent 'never-synced' on the platform" in result.stderr


def test_the_cli_prints_what_it_wrote_and_skipped(
    project: Project, reviewed: dict[str, str], cli: Any
) -> None:
    dry: Outcome = cli("-m", project.manifest, "harvest", "--has-expected", "--dry-run")
    assert dry.code == 0, dry.stderr
    assert "would write 1 example(s)" in dry.stdout
    assert reviewed["corrected"] in dry.stdout
    assert "dry run: nothing written" in dry.stdout
    assert list(project.examples.iterdir()) == [project.example("seed")]

    wrote: Outcome = cli("-m", project.manifest, "harvest", "--rating", "fail")
    assert wrote.code == 0, wrote.stderr
    assert "wrote 1 example(s)" in wrote.stdout
    assert "(JSON from the reviewer)" in wrote.stdout
    assert "check them before you commit" not in wrote.stdout

    unreviewed: Outcome = cli("-m", project.manifest, "harvest", "--rating", "none")
    assert "(JSON from the agent's output)" in unreviewed.stdout
    assert "note: 1 of them expect (in part) what the agent answered" in unreviewed.stdout

    again: Outcome = cli("-m", project.manifest, "--json", "harvest")
    assert again.code == 0, again.stderr
    data = json.loads(again.stdout)
    assert [item["execution"] for item in data["written"]] == [reviewed["approved"]]
    assert set(data) == {
        "agent",
        "folder",
        "dry_run",
        "written",
        "skipped",
        "stopped_at_limit",
        "scan_limited",
        "warnings",
    }  # snake_case, as accept, history and run write theirs
    assert set(data["written"][0]) == {
        "name",
        "folder",
        "execution",
        "files",
        "expected_from",
        "started_by_evalkit",
        "rated_without_correction",
    }
    kinds = {item["execution"]: item["kind"] for item in data["skipped"]}
    assert kinds[reviewed["corrected"]] == "harvested"

    last: Outcome = cli("-m", project.manifest, "harvest")
    assert "skipped 3 execution(s) harvested already" in last.stdout
    assert "wrote 0 example(s)" in last.stdout

    validated: Outcome = cli("-m", project.manifest, "validate")
    assert validated.code == 0, validated.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "last tuesday"], "--since 'last tuesday' is not a time"),
        (["--since", "99999999d", "--dry-run"], "--since '99999999d' is out of the range"),
        (["--since", "9999999999999999999999d"], "(7d, 12h, 30m)"),
        (["--rating", "great"], "Invalid value for '--rating'"),
        (["--limit", "0"], "Invalid value for '--limit'"),
        (["--agent", "nobody"], "no agent 'nobody'"),
    ],
)
def test_bad_input_exits_2(project: Project, cli: Any, args: list[str], message: str) -> None:
    result: Outcome = cli("-m", project.manifest, "harvest", *args)
    assert result.code == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
