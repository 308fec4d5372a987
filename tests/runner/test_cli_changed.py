"""``evalkit run --changed-since`` as a user runs it, on the embedded local platform."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import evalkit as evalkit_api
from evalkit import Connection, RunConfig, RunHooks
from evalkit.runner.jobs import Selection
from evalkit.runner.results_file import read_results_file, read_summary_file
from tests.reliability.processes import evalkit
from tests.runner.git_project import make_project, write, write_example

#: the workflow suite needs a workflow on the platform: these runs leave it out
AGENTS = ("--only", "a", "--only", "b", "--only", "c")


@pytest.mark.slow
def test_a_run_selects_the_changed_agent_and_says_what_it_skipped(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    write(project / "agents" / "a" / "AGENT.md", "# a, not committed yet\n")
    out, reports = tmp_path / "out", tmp_path / "reports"
    done = evalkit(
        "run", "--changed-since", "main", *AGENTS, "--out", str(out),
        "--report-dir", str(reports), cwd=project,
    )  # fmt: skip
    assert done.code == 0, done.printed
    assert "changed: a (workspace file agents/a/AGENT.md)" in done.stderr
    closing = done.stdout
    assert "skipped by change selection: c (unchanged since main)" in closing
    assert (
        "skipped by change selection: b (unchanged since main; ran its 1 example(s) tagged "
        "always)" in closing
    )
    ran = sorted(f"{r.agent}/{r.example}" for r in read_results_file(out / "results.jsonl").results)
    assert ran == ["a/one", "b/kept"]

    summary = read_summary_file(out / "summary.json")
    selection = summary.change_selection
    assert selection is not None
    assert selection.since == "main"
    assert selection.base
    assert [(c.suite, c.reasons) for c in selection.changed] == [
        ("a", ["workspace file agents/a/AGENT.md"])
    ]
    assert [(c.suite, c.examples) for c in selection.skipped] == [("b", 1), ("c", 1)]
    markdown = (reports / "summary.md").read_text()
    assert "- skipped by change selection: c (unchanged since main)" in markdown
    assert (
        "skipped by change selection: c (unchanged since main)"
        in (reports / "report.html").read_text()
    )


@pytest.mark.slow
def test_nothing_changed_is_nothing_to_run_and_passes(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    out = tmp_path / "out"
    done = evalkit(
        "--json", "run", "--changed-since", "main", "--only", "a", "--only", "c",
        "--out", str(out), "--no-report", cwd=project,
    )  # fmt: skip
    assert done.code == 0, done.printed
    summary = json.loads(done.stdout)
    assert summary["outcome"] == "nothing to run: no suite changed since main"
    assert summary["counts"]["total"] == 0
    assert [gate["checked"] for gate in summary["gates"]] == [False]
    assert [s["suite"] for s in summary["change_selection"]["skipped"]] == ["a", "c"]
    assert (out / "results.jsonl").read_text() == ""  # the files CI uploads are there
    # as the GitHub action renders them: no warning about a results file without results
    rendered = evalkit("report", str(out), "--out", str(tmp_path / "reports"), cwd=project)
    assert rendered.code == 0, rendered.printed
    assert "holds no results" not in rendered.stderr
    markdown = (tmp_path / "reports" / "summary.md").read_text()
    assert "nothing to run: no suite changed since main" in markdown


def test_an_unknown_ref_exits_2_with_the_fix(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    done = evalkit("run", "--changed-since", "origin/main", cwd=project)
    assert done.code == 2, done.printed
    assert "git does not know 'origin/main'" in done.stderr
    assert "git fetch origin main" in done.stderr
    assert "Traceback" not in done.printed
    assert not (project / ".evalkit").exists()  # refused before anything started


@pytest.mark.parametrize(
    ("ref", "message", "not_shown"),
    [
        ("", "--changed-since needs a git ref, e.g. origin/main", "RunConfig"),
        ("--output=/tmp/x", "'--output=/tmp/x' is not a git ref", "git fetch"),
        ("HEAD~99999", "git does not know 'HEAD~99999'", "git fetch"),
    ],
)
def test_a_ref_git_cannot_use_exits_2_with_a_clear_message(
    tmp_path: Path, ref: str, message: str, not_shown: str
) -> None:
    project = make_project(tmp_path / "project")
    done = evalkit("run", "--changed-since", ref, cwd=project)
    assert done.code == 2, done.printed
    assert message in done.stderr
    assert not_shown not in done.stderr
    assert "Traceback" not in done.printed
    assert not (project / ".evalkit").exists()


def test_outside_git_exits_2(tmp_path: Path) -> None:
    manifest = (
        "version: 1\nagents:\n  - slug: a\n    config: {runtime: {builtin: echo}}\n"
        "    examples: [{name: x, input: {q: 1}, expected: {q: 1}}]\n"
    )
    write(tmp_path / "plain" / "evalkit.yaml", manifest)
    done = evalkit("run", "--changed-since", "main", cwd=tmp_path / "plain")
    assert done.code == 2, done.printed
    assert "is not in a git checkout" in done.stderr


def test_the_library_call_selects_and_records_the_same(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    write_example(project / "drafts" / "x", 1)  # a file no suite uses
    (project / "agents" / "b" / "examples" / "two" / "expected.json").write_text('{"q": 2}\n')
    notes: list[str] = []
    config = RunConfig(
        changed_since="main",
        selection=Selection(only=("a", "b", "c")),
        out=tmp_path / "out",
        report=False,
    )
    outcome = evalkit_api.run(
        project / "evalkit.yaml", config, connection=Connection(), hooks=RunHooks(note=notes.append)
    )
    assert outcome.exit_code == 0, outcome.summary.outcome
    assert "changed: b (example two)" in notes
    assert "skipped by change selection: a (unchanged since main)" in notes
    assert sorted(brief.example for brief in outcome.summary.examples) == ["kept", "two"]
    selection = outcome.summary.change_selection
    assert selection is not None
    assert [change.suite for change in selection.skipped] == ["a", "c"]


@pytest.mark.slow
def test_shards_share_one_record_and_run_the_changed_examples_once(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    for name in ("three", "four", "five"):
        write_example(project / "agents" / "a" / "examples" / name, 3)
    ran: list[str] = []
    records = []
    for shard in ("1/2", "2/2"):
        out = tmp_path / f"shard-{shard[0]}"
        done = evalkit(
            "run", "--changed-since", "main", *AGENTS, "--shard", shard, "--out", str(out),
            "--no-report", cwd=project,
        )  # fmt: skip
        assert done.code == 0, done.printed
        ran += [f"{r.agent}/{r.example}" for r in read_results_file(out / "results.jsonl").results]
        records.append(read_summary_file(out / "summary.json").change_selection)
    assert sorted(ran) == ["a/five", "a/four", "a/one", "a/three", "b/kept"]
    assert records[0] == records[1]
