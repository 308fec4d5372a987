"""``evalkit promote`` against a local platform over HTTP: a reviewed execution becomes an
example that holds the reviewer's correction, an unreviewed one its output; an existing example
is refused; what cannot make an example is said, with nothing written."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
import yaml

import evalkit
from evalkit.cli.main import main
from evalkit.client import EigenpalClient
from evalkit.connection import Connection
from evalkit.harvesting import HarvestError
from evalkit.manifest import load_manifest, validate_manifest

from .conftest import Outcome
from .project import Project, make_project, production_run, tree

BUGGY = {"total": 9}
FIXED = {"total": 10}
BUGGY_LINES = "item,amount\nwidget,9\n"
FIXED_LINES = "item,amount\nwidget,10\n"
INVOICE = "widget x1 at 10.00\n"


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def project(tmp_path: Path, connection: Connection) -> Project:
    return make_project(
        tmp_path / "project", connection, output=BUGGY, files={"lines.csv": BUGGY_LINES}
    )


def bad_answer(client: EigenpalClient, project: Project, tmp_path: Path) -> str:
    """A production execution with an input file, whose answer a reviewer corrected."""
    invoice = tmp_path / "invoice.txt"
    invoice.write_text(INVOICE, encoding="utf-8")
    execution = production_run(client, project.slug, {"order": "A-1", "invoice": invoice})
    executions = client.agents.executions
    executions.update_feedback(
        execution.id, body="the total is 10", rating="fail", status="resolved", expected=FIXED
    )
    executions.upload_expected(execution.id, file=FIXED_LINES.encode(), filename="lines.csv")
    return execution.id


def test_a_reviewed_execution_becomes_an_example_that_passes_once_the_agent_is_fixed(
    project: Project, client: EigenpalClient, tmp_path: Path, cli: Any
) -> None:
    execution_id = bad_answer(client, project, tmp_path)

    promoted = evalkit.promote(
        execution_id, name="late-total", manifest=project.manifest, connection=project.connection
    )

    folder = project.example("late-total")
    assert promoted.folder == folder
    assert read_json(folder / "input.json") == {"order": "A-1"}
    assert (folder / "input" / "invoice.txt").read_text(encoding="utf-8") == INVOICE
    assert read_json(folder / "expected.json") == FIXED
    assert (folder / "expected" / "lines.csv").read_text(encoding="utf-8") == FIXED_LINES
    source = read_json(folder / "source.json")
    assert source["execution"] == execution_id
    assert source["agent"] == project.slug
    assert source["expected_from"] == {"json": "feedback", "files": "feedback"}
    assert sorted(tree(folder)) == [
        "README.md",
        "expected.json",
        "expected/lines.csv",
        "input.json",
        "input/invoice.txt",
        "source.json",
    ]
    validate_manifest(project.manifest)
    example = {e.name: e for e in load_manifest(project.manifest).examples()}["late-total"]
    assert example.source is not None
    assert example.source.execution == execution_id
    assert example.notes == "the total is 10"  # the reviewer's note, shown in reports

    # The example holds the correction: the buggy agent fails it, the fixed one passes.
    project.sync()
    args = ["-m", project.manifest, "run", "--example", "late-total", "--no-report"]
    failing = cli(*args, "--out", tmp_path / "before")
    assert failing.code == 1, failing.stdout + failing.stderr
    project.set_runtime(FIXED, {"lines.csv": FIXED_LINES})
    project.sync()
    passing = cli(*args, "--out", tmp_path / "after")
    assert passing.code == 0, passing.stdout + passing.stderr


def test_an_unreviewed_execution_expects_its_own_output(
    project: Project, client: EigenpalClient
) -> None:
    execution = production_run(client, project.slug, {"order": "B-2"})

    promoted = evalkit.promote(
        execution.id, name="as-answered", manifest=project.manifest, connection=project.connection
    )

    folder = project.example("as-answered")
    assert read_json(folder / "input.json") == {"order": "B-2"}
    assert read_json(folder / "expected.json") == BUGGY
    assert (folder / "expected" / "lines.csv").read_text(encoding="utf-8") == BUGGY_LINES
    assert promoted.expected_from == {"json": "output", "files": "output"}
    assert read_json(folder / "source.json")["expected_from"] == promoted.expected_from
    validate_manifest(project.manifest)


def test_reviewed_json_with_unreviewed_files_takes_each_part_from_where_it_is(
    project: Project, client: EigenpalClient
) -> None:
    execution = production_run(client, project.slug, {"order": "C-3"})
    client.agents.executions.update_feedback(execution.id, expected=FIXED)

    promoted = evalkit.promote(
        execution.id, name="half", manifest=project.manifest, connection=project.connection
    )

    assert promoted.expected_from == {"json": "feedback", "files": "output"}
    assert read_json(project.example("half") / "expected.json") == FIXED


def test_an_existing_example_is_refused_and_left_as_it_was_unless_forced(
    project: Project, client: EigenpalClient, cli: Any
) -> None:
    execution = production_run(client, project.slug, {"order": "D-4"})
    seed = project.example("seed")
    before = tree(seed)

    refused: Outcome = cli("-m", project.manifest, "promote", execution.id, "--name", "seed")

    assert refused.code == 2, refused.stderr
    assert "has an example 'seed' already" in refused.stderr
    assert "--force" in refused.stderr
    assert tree(seed) == before

    forced: Outcome = cli(
        "-m", project.manifest, "promote", execution.id, "--name", "seed", "--force"
    )
    assert forced.code == 0, forced.stderr
    assert read_json(seed / "input.json") == {"order": "D-4"}
    assert read_json(seed / "source.json")["execution"] == execution.id
    assert [p.name for p in project.examples.iterdir()] == ["seed"]  # no temporary left


def test_a_file_in_the_way_that_is_no_example_is_refused_too(
    project: Project, client: EigenpalClient
) -> None:
    execution = production_run(client, project.slug, {"order": "E-5"})
    stray = project.examples / "draft"
    stray.write_text("mine", encoding="utf-8")

    with pytest.raises(HarvestError, match="exists already"):
        evalkit.promote(
            execution.id, name="draft", manifest=project.manifest, connection=project.connection
        )
    assert stray.read_text(encoding="utf-8") == "mine"


def test_the_cli_prints_what_it_wrote_and_json_on_request(
    project: Project, client: EigenpalClient, cli: Any
) -> None:
    execution = production_run(client, project.slug, {"order": "F-6"})

    shown: Outcome = cli("-m", project.manifest, "promote", execution.id, "--name", "shown")
    assert shown.code == 0, shown.stderr
    assert f"wrote example shown (agents/{project.slug}/examples/shown/)" in shown.stdout
    assert "expected JSON and files of shown are what the agent answered" in shown.stdout

    other = production_run(client, project.slug, {"order": "F-7"})
    dry: Outcome = cli(
        "-m", project.manifest, "--json", "promote", other.id, "--name", "dry", "--dry-run"
    )
    assert dry.code == 0, dry.stderr
    data = json.loads(dry.stdout)
    assert data["dry_run"] is True
    assert data["execution"] == other.id
    assert "source.json" in data["files"]
    assert not project.example("dry").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["exec_does_not_exist", "--name", "x"], "no execution 'exec_does_not_exist'"),
        (["{execution}", "--name", "../escape"], "not a valid example name"),
        (["{execution}", "--name", "x", "--agent", "nobody"], "no agent 'nobody'"),
    ],
)
def test_bad_input_exits_2_with_nothing_written(
    project: Project, client: EigenpalClient, cli: Any, args: list[str], message: str
) -> None:
    execution = production_run(client, project.slug, {"order": "G-7"})
    before = tree(project.root)
    filled = [arg.format(execution=execution.id) for arg in args]

    result: Outcome = cli("-m", project.manifest, "promote", *filled)

    assert result.code == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(project.root) == before


def test_an_agent_without_an_examples_folder_is_told_what_to_add(
    tmp_path: Path, connection: Connection, client: EigenpalClient
) -> None:
    project = make_project(tmp_path / "project", connection, output=BUGGY)
    execution = production_run(client, project.slug, {"order": "H-8"})
    text = project.manifest.read_text(encoding="utf-8")
    inline = text.replace(
        f"examples: agents/{project.slug}/examples/",
        "examples: [{name: inline, input: {order: x}, expected: {total: 9}}]",
    )
    project.manifest.write_text(inline, encoding="utf-8")
    (project.examples / "seed" / "input.json").unlink()
    (project.examples / "seed" / "expected.json").unlink()
    (project.examples / "seed").rmdir()
    project.examples.rmdir()

    with pytest.raises(HarvestError) as refused:
        evalkit.promote(execution.id, name="new", manifest=project.manifest, connection=connection)
    assert "has no examples folder" in str(refused.value)
    assert f"examples: agents/{project.slug}/examples/" in str(refused.value)


@pytest.mark.parametrize(
    "args", [["promote", "exec_1", "--name", "x"], ["harvest", "--rating", "fail"]]
)
def test_an_unreachable_platform_exits_3_and_never_shows_the_key(
    project: Project, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    remote = ["--base-url", f"http://127.0.0.1:{port}", "--api-key", "eg_secret_harvest_key"]
    with pytest.raises(SystemExit) as stopped:
        main([*remote, "-m", str(project.manifest), *args])
    shown = capsys.readouterr()
    assert stopped.value.code == 3, shown.err
    assert "cannot reach the EigenPal API" in shown.err
    assert "eg_secret_harvest_key" not in shown.out + shown.err
    assert "Traceback" not in shown.err


def test_a_link_in_the_examples_folder_cannot_lead_a_forced_promote_elsewhere(
    project: Project, client: EigenpalClient, cli: Any
) -> None:
    execution = production_run(client, project.slug, {"order": "I-9"})
    elsewhere = project.root / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "input.json").write_text('{"order": "mine"}')
    (elsewhere / "expected.json").write_text("{}")
    (project.examples / "linked").symlink_to(elsewhere, target_is_directory=True)
    before = tree(project.root)

    result: Outcome = cli(
        "-m", project.manifest, "promote", execution.id, "--name", "linked", "--force"
    )

    assert result.code == 2, result.stderr
    assert "cannot write example 'linked'" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(project.root) == before


@pytest.mark.parametrize("state", ["missing", "empty"])
def test_the_first_example_of_an_agent_goes_into_a_folder_not_made_yet(
    project: Project, client: EigenpalClient, state: str
) -> None:
    execution = production_run(client, project.slug, {"order": "J-10"})
    for path in sorted(project.examples.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    if state == "missing":
        project.examples.rmdir()
    with pytest.raises(evalkit.ManifestError):
        validate_manifest(project.manifest)  # a run still needs an example to run

    evalkit.promote(
        execution.id, name="first", manifest=project.manifest, connection=project.connection
    )

    assert read_json(project.example("first") / "input.json") == {"order": "J-10"}
    validate_manifest(project.manifest)


def declare_examples(project: Project, *entries: object) -> None:
    """The agent's ``examples:`` become ``entries`` (folder entries and inline examples)."""
    data = yaml.safe_load(project.manifest.read_text(encoding="utf-8"))
    data["agents"][0]["examples"] = list(entries)
    project.manifest.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


@pytest.mark.parametrize("elsewhere", ["inline", "other-folder"])
def test_force_replaces_no_example_outside_the_folder_it_writes_to(
    project: Project, client: EigenpalClient, cli: Any, elsewhere: str
) -> None:
    """Its folder would stand beside the other example of that name: the manifest would
    then hold the name twice (validate: duplicate example name)."""
    execution = production_run(client, project.slug, {"order": "K-11"})
    folder = f"agents/{project.slug}/examples/"
    if elsewhere == "inline":
        declare_examples(project, {"folder": folder}, {"name": "twin", "input": {}, "expected": {}})
        where = "inline, at evalkit.yaml:"
    else:
        other = project.root / "more" / "twin"
        other.mkdir(parents=True)
        (other / "input.json").write_text("{}")
        (other / "expected.json").write_text("{}")
        declare_examples(project, {"folder": folder}, {"folder": "more/"})
        where = "in more/twin/"
    validate_manifest(project.manifest)
    before = tree(project.root)

    unforced: Outcome = cli("-m", project.manifest, "promote", execution.id, "--name", "twin")
    assert unforced.code == 2, unforced.stderr
    assert "choose another --name, or remove that example first" in unforced.stderr
    assert "--force" not in unforced.stderr  # it would be refused too: not offered

    refused: Outcome = cli(
        "-m", project.manifest, "promote", execution.id, "--name", "twin", "--force"
    )

    assert refused.code == 2, refused.stderr
    assert f"has an example 'twin' {where}" in refused.stderr
    assert f"not in {folder}" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert tree(project.root) == before
    validate_manifest(project.manifest)


def test_force_replaces_no_file_that_is_no_example(
    project: Project, client: EigenpalClient
) -> None:
    execution = production_run(client, project.slug, {"order": "L-12"})
    in_the_way = project.examples / "draft"
    in_the_way.write_text("mine", encoding="utf-8")
    before = tree(project.root)

    with pytest.raises(HarvestError, match="is in the way and is no example"):
        evalkit.promote(
            execution.id,
            name="draft",
            manifest=project.manifest,
            connection=project.connection,
            force=True,
        )
    assert tree(project.root) == before


def test_an_execution_evalkit_ran_is_promoted_with_a_warning_that_nobody_reviewed_it(
    project: Project, client: EigenpalClient, cli: Any, tmp_path: Path
) -> None:
    ran: Outcome = cli("-m", project.manifest, "run", "--no-report", "--out", tmp_path / "run")
    assert ran.code == 0, ran.stdout + ran.stderr
    (execution,) = client.agents.executions.iter_list(project.slug)

    shown: Outcome = cli("-m", project.manifest, "promote", execution.id, "--name", "rerun")

    assert shown.code == 0, shown.stderr
    assert "expected: JSON from evalkit's feedback (not a reviewer's)" in shown.stdout
    assert "from the reviewer" not in shown.stdout
    assert f"warning: evalkit run started execution {execution.id}" in shown.stdout
    as_json: Outcome = cli(
        "-m",
        project.manifest,
        "--json",
        "promote",
        execution.id,
        "--name",
        "again",
        "--dry-run",
        "--force",  # a second example of the execution
    )
    assert json.loads(as_json.stdout)["started_by_evalkit"] is True
    assert "evalkit's verdict" in as_json.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "seed"], "has an example 'seed' already"),
        (["--name", "../escape"], "not a valid example name"),
        (["--name", "x", "--agent", "nobody"], "no agent 'nobody'"),
    ],
)
def test_what_is_known_offline_is_checked_before_the_platform_is_opened(
    project: Project,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    """No --base-url: the local platform would start (and write its state) if it were opened."""
    monkeypatch.delenv("EIGENPAL_BASE_URL", raising=False)
    monkeypatch.delenv("EIGENPAL_API_KEY", raising=False)
    before = tree(project.root)
    with pytest.raises(SystemExit) as stopped:
        main(["-m", str(project.manifest), "promote", "exec_1", *args])
    shown = capsys.readouterr()
    assert stopped.value.code == 2, shown.err
    assert message in shown.err
    assert "platform:" not in shown.err
    assert tree(project.root) == before


def test_an_execution_an_example_names_already_is_refused_unless_forced(
    project: Project, client: EigenpalClient, cli: Any
) -> None:
    execution = production_run(client, project.slug, {"order": "J-10"})
    first: Outcome = cli("-m", project.manifest, "promote", execution.id, "--name", "first")
    assert first.code == 0, first.stderr
    before = tree(project.root)

    again: Outcome = cli("-m", project.manifest, "promote", execution.id, "--name", "second")

    assert again.code == 2, again.stderr
    assert f"execution '{execution.id}' is example 'first' of agent" in again.stderr
    assert "--name first --force refreshes that one" in again.stderr
    assert tree(project.root) == before
    refreshed: Outcome = cli(
        "-m", project.manifest, "promote", execution.id, "--name", "first", "--force"
    )
    assert refreshed.code == 0, refreshed.stderr
    copied: Outcome = cli(
        "-m", project.manifest, "promote", execution.id, "--name", "second", "--force"
    )
    assert copied.code == 0, copied.stderr
    assert project.example("second").is_dir()


def test_promoting_an_answer_rated_wrong_without_a_correction_warns_loudly(
    project: Project, client: EigenpalClient, cli: Any
) -> None:
    execution = production_run(client, project.slug, {"order": "K-11"})
    client.agents.executions.update_feedback(execution.id, rating="fail", body="wrong total")

    shown: Outcome = cli("-m", project.manifest, "promote", execution.id, "--name", "pinned")

    assert shown.code == 0, shown.stderr
    assert f"warning: execution {execution.id} was rated fail without a correction" in shown.stdout
    assert "the expected output of pinned is the answer known to be wrong" in shown.stdout
    assert read_json(project.example("pinned") / "expected.json") == BUGGY
    as_json: Outcome = cli(
        "-m",
        project.manifest,
        "--json",
        "promote",
        execution.id,
        "--name",
        "pinned",
        "--force",
        "--dry-run",
    )
    assert json.loads(as_json.stdout)["rated_without_correction"] == "fail"
    assert "known to be wrong" in as_json.stderr


def test_a_correction_or_a_pass_gives_no_wrong_answer_warning(
    project: Project, client: EigenpalClient, tmp_path: Path
) -> None:
    corrected = bad_answer(client, project, tmp_path)
    approved = production_run(client, project.slug, {"order": "L-12"})
    client.agents.executions.update_feedback(approved.id, rating="pass")
    for execution_id, name in ((corrected, "corrected"), (approved.id, "approved")):
        promoted = evalkit.promote(
            execution_id, name=name, manifest=project.manifest, connection=project.connection
        )
        assert promoted.rated_without_correction is None
