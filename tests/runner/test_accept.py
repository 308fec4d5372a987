"""``evalkit.accept`` against the local platform: a failing run, accepted, passes the next run;
only the selection is touched; comments of an inline manifest stay; ignored and tolerated
values keep their old expected value; git shows exactly the accepted change."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

import evalkit
from evalkit.connection import Connection
from evalkit.runner.accept import AcceptError, AcceptPlan, accept, plan_accept
from evalkit.runner.ci import CI_VARIABLES
from evalkit.runner.config import RunConfig
from evalkit.runner.jobs import Selection
from evalkit.runner.results import Attempt, ExampleResult, ExecutionRef, Repeats, Verdict
from evalkit.runner.results_file import read_results_file

MANIFEST = """\
# The accept test project: echo agents answer with their input.
version: 1
defaults:
  compare:
    ignore: [/stamp]          # differs on every run
    rules:
      /total: {tolerance: 0.01}
      /items: {order: ignore}
agents:
  - slug: echo
    config: {runtime: {builtin: echo}}
    examples: examples/
  - slug: inline-echo
    config: {runtime: {builtin: echo}}
    tags: [inline]
    examples:
      # the greeting changed on purpose
      - name: greeting
        input: {reply: "hello", stamp: 2}
        expected:
          reply: "hi"   # the old answer
          stamp: 1
      - name: steady
        input: {reply: "same"}
        expected: {reply: "same"}
"""

EXAMPLES = {
    "changed": (
        {"total": 10.004, "stamp": "new", "items": [2, 1, 3], "name": "new"},
        '{\n  "total": 10.00,\n  "stamp": "old",\n  "items": [1, 2],\n  "name": "old"\n}\n',
    ),
    "same": ({"name": "same"}, '{"name": "same"}\n'),
    "other": ({"name": "new"}, '{\n  "name": "old"\n}\n'),
}


def make_project(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "evalkit.yaml").write_text(MANIFEST, encoding="utf-8")
    (root / ".gitignore").write_text(".evalkit/\n", encoding="utf-8")
    for name, (input_json, expected) in EXAMPLES.items():
        folder = root / "examples" / name
        folder.mkdir(parents=True)
        (folder / "input.json").write_text(json.dumps(input_json), encoding="utf-8")
        (folder / "expected.json").write_text(expected, encoding="utf-8")
    files = root / "examples" / "files"
    (files / "input").mkdir(parents=True)
    (files / "expected").mkdir()
    (files / "input.json").write_text('{"n": 1}', encoding="utf-8")
    (files / "expected.json").write_text('{"n": 1}\n', encoding="utf-8")
    (files / "input" / "report.txt").write_text("new report\n", encoding="utf-8")
    (files / "expected" / "report.txt").write_text("old report\n", encoding="utf-8")
    (files / "expected" / "gone.txt").write_text("no longer made\n", encoding="utf-8")
    return root / "evalkit.yaml"


def run_once(manifest: Path, out: Path, selection: Selection | None = None) -> evalkit.RunOutcome:
    config = RunConfig(report=False, out=out, concurrency=2, selection=selection or Selection())
    return evalkit.run(manifest, config, connection=Connection(), handle_interrupts=False)


def tree_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".evalkit" not in path.parts and ".git" not in path.parts
    }


@pytest.fixture(scope="module")
def failing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A project and a run of it where greeting, changed, other and files fail."""
    manifest = make_project(tmp_path_factory.mktemp("accept") / "project")
    run_dir = manifest.parent / "run-failing"
    outcome = run_once(manifest, run_dir)
    verdicts = {result.example: result.verdict for result in _results(run_dir)}
    assert verdicts == {
        "changed": Verdict.PARTIAL,
        "files": Verdict.FAIL,
        "other": Verdict.FAIL,
        "same": Verdict.PASS,
        "greeting": Verdict.FAIL,
        "steady": Verdict.PASS,
    }, outcome.summary.outcome
    return manifest, run_dir


def _results(run_dir: Path) -> list[ExampleResult]:
    return read_results_file(run_dir / "results.jsonl").results


def copy_of(failing: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """A fresh copy of the project and its failing run (each test writes its own)."""
    manifest, run_dir = failing
    root = tmp_path / "project"
    shutil.copytree(manifest.parent, root, ignore=shutil.ignore_patterns(".evalkit"))
    return root / "evalkit.yaml", root / run_dir.name


def test_accept_then_run_again_passes(failing: tuple[Path, Path], tmp_path: Path) -> None:
    manifest, run_dir = copy_of(failing, tmp_path)
    outcome = accept(run_dir, manifest, environ={})
    assert outcome.written
    assert outcome.exit_code == 0
    assert sorted(change.label for change in outcome.plan.changes) == [
        "echo/changed",
        "echo/files",
        "echo/other",
        "inline-echo/greeting",
    ]
    assert outcome.plan.passed == 2
    assert not outcome.plan.refused
    again = run_once(manifest, tmp_path / "again")
    assert again.exit_code == 0, again.summary.outcome
    assert again.summary.counts.passed == 6


def test_accepting_the_rest_after_a_part_finds_the_part_done(
    failing: tuple[Path, Path], tmp_path: Path
) -> None:
    manifest, run_dir = copy_of(failing, tmp_path)
    first = accept(run_dir, manifest, Selection(examples=("changed", "files")), environ={})
    assert sorted(change.label for change in first.plan.changes) == ["echo/changed", "echo/files"]

    rest = accept(run_dir, manifest, environ={})

    assert sorted(change.label for change in rest.plan.changes) == [
        "echo/other",
        "inline-echo/greeting",
    ]
    assert sorted(rest.plan.unchanged) == ["echo/changed", "echo/files"]  # accepted already
    assert not rest.plan.refused
    assert rest.exit_code == 0
    edited = manifest.parent / "examples" / "changed" / "expected.json"
    edited.write_text(edited.read_text(encoding="utf-8").replace('"new"', '"by hand"'))
    stale = accept(run_dir, manifest, Selection(examples=("changed",)), environ={})
    assert [refused.reason for refused in stale.plan.refused] == [
        "its expected JSON changed since the run: run it again, then accept"
    ]


def test_ignored_and_tolerated_values_keep_their_old_expected_value(
    failing: tuple[Path, Path], tmp_path: Path
) -> None:
    manifest, run_dir = copy_of(failing, tmp_path)
    accept(run_dir, manifest, Selection(examples=("changed",)), environ={})
    expected = manifest.parent / "examples" / "changed" / "expected.json"
    # total within its tolerance and the ignored stamp keep their text; the order-free list
    # keeps its elements and gains the new one; the name takes the output's value
    assert expected.read_text(encoding="utf-8") == (
        '{\n  "total": 10.00,\n  "stamp": "old",\n  "items": [1, 2, 3],\n  "name": "new"\n}\n'
    )


def test_files_are_replaced_and_removed(failing: tuple[Path, Path], tmp_path: Path) -> None:
    manifest, run_dir = copy_of(failing, tmp_path)
    accept(run_dir, manifest, Selection(examples=("files",)), environ={})
    expected = manifest.parent / "examples" / "files" / "expected"
    assert sorted(path.name for path in expected.iterdir()) == ["report.txt"]
    assert (expected / "report.txt").read_text(encoding="utf-8") == "new report\n"


def test_a_filtered_accept_leaves_every_other_file_byte_identical(
    failing: tuple[Path, Path], tmp_path: Path
) -> None:
    manifest, run_dir = copy_of(failing, tmp_path)
    before = tree_hashes(manifest.parent)
    outcome = accept(run_dir, manifest, Selection(examples=("other",)), environ={})
    after = tree_hashes(manifest.parent)
    assert [change.label for change in outcome.plan.changes] == ["echo/other"]
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    assert changed == {"examples/other/expected.json"}


def test_accept_into_an_inline_manifest_keeps_its_comments_and_git_shows_only_that(
    failing: tuple[Path, Path], tmp_path: Path
) -> None:
    git = shutil.which("git")
    # CI runs in a git checkout (.github/workflows/ci.yml): a missing git must not pass
    assert git is not None, "git is needed to check what git diff shows"
    manifest, run_dir = copy_of(failing, tmp_path)
    root = manifest.parent
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start"],
    ):
        subprocess.run([git, *args], cwd=root, check=True)
    accept(run_dir, manifest, Selection(tags=("inline",)), environ={})
    diff = subprocess.run(
        [git, "diff", "-U0", "--no-color"], cwd=root, check=True, capture_output=True, text=True
    ).stdout
    changed_lines = [
        line
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    # the reply takes the output's value, its comment stays; the ignored stamp stays 1
    assert changed_lines == [
        '-          reply: "hi"   # the old answer',
        '+          reply: "hello" # the old answer',
    ]
    status = subprocess.run(
        [git, "status", "--porcelain"], cwd=root, check=True, capture_output=True, text=True
    ).stdout
    assert status == " M evalkit.yaml\n"


def test_errors_are_reported_and_nothing_is_written_for_them(tmp_path: Path) -> None:
    root = tmp_path / "broken"
    root.mkdir()
    manifest = root / "evalkit.yaml"
    manifest.write_text(
        "version: 1\nagents:\n  - slug: failing\n    config: {runtime: {builtin: fail}}\n"
        "    examples:\n      - {name: a, expected: {ok: true}}\n",
        encoding="utf-8",
    )
    run_once(manifest, root / "run")
    before = manifest.read_bytes()
    outcome = accept(root / "run", manifest, environ={})
    assert not outcome.written
    assert outcome.exit_code == 1
    [refused] = outcome.plan.refused
    assert refused.verdict is Verdict.ERROR
    assert "no output to accept" in refused.reason
    assert manifest.read_bytes() == before


def test_ci_refuses_unless_forced(failing: tuple[Path, Path], tmp_path: Path) -> None:
    manifest, run_dir = copy_of(failing, tmp_path)
    before = tree_hashes(manifest.parent)
    with pytest.raises(AcceptError, match=r"CI is set.*--force"):
        accept(run_dir, manifest, environ={"CI": "true"})
    assert tree_hashes(manifest.parent) == before
    assert accept(run_dir, manifest, environ={"CI": "true"}, force=True).written


def test_a_bad_run_folder_is_a_clear_error(failing: tuple[Path, Path], tmp_path: Path) -> None:
    manifest, _ = failing
    with pytest.raises(AcceptError, match="does not exist; give a run folder"):
        plan_accept(tmp_path / "nowhere", manifest, Selection())
    (tmp_path / "empty").mkdir()
    with pytest.raises(AcceptError, match=r"not a run folder \(no results.jsonl"):
        plan_accept(tmp_path / "empty", manifest, Selection())


def test_the_latest_run_is_the_default(failing: tuple[Path, Path], tmp_path: Path) -> None:
    manifest, run_dir = copy_of(failing, tmp_path)
    runs = manifest.parent / ".evalkit" / "runs"
    runs.mkdir(parents=True)
    shutil.copytree(run_dir, runs / "run-20990101T000000Z-aaaaaa")
    (runs / "run-20000101T000000Z-bbbbbb").mkdir()  # older, and no results: not a run
    plan = plan_accept(None, manifest, Selection())
    assert plan.run_dir == runs / "run-20990101T000000Z-aaaaaa"


def test_a_declined_accept_writes_nothing(failing: tuple[Path, Path], tmp_path: Path) -> None:
    manifest, run_dir = copy_of(failing, tmp_path)
    before = tree_hashes(manifest.parent)
    seen: list[AcceptPlan] = []

    def decline(plan: AcceptPlan) -> bool:
        seen.append(plan)
        return False

    outcome = accept(run_dir, manifest, confirm=decline, environ={})
    assert outcome.declined
    assert outcome.exit_code == 1
    assert not outcome.written
    assert tree_hashes(manifest.parent) == before
    assert '+  "name": "new"' in seen[0].diff()


def test_an_expected_output_changed_since_the_run_is_not_accepted(
    failing: tuple[Path, Path], tmp_path: Path
) -> None:
    manifest, run_dir = copy_of(failing, tmp_path)
    expected = manifest.parent / "examples" / "other" / "expected.json"
    expected.write_text('{"name": "edited by hand"}\n', encoding="utf-8")
    outcome = accept(run_dir, manifest, Selection(examples=("other",)), environ={})
    [refused] = outcome.plan.refused
    assert "changed since the run" in refused.reason
    assert expected.read_text(encoding="utf-8") == '{"name": "edited by hand"}\n'


WORKFLOW_MANIFEST = """\
version: 1
local_platform:
  workflows: workflows/
workflows:
  - workflow: greet
    examples:
      - name: hello
        input: {who: "world"}
        expected: {line: "Hi world"}   # the old greeting
"""


def test_a_workflow_example_is_accepted_too(tmp_path: Path) -> None:
    root = tmp_path / "flows"
    (root / "workflows").mkdir(parents=True)
    (root / "workflows" / "greet.yaml").write_text(
        "steps:\n  - id: say\n    builtin: fixed\n    output: {line: 'Hello ${input.who}'}\n",
        encoding="utf-8",
    )
    manifest = root / "evalkit.yaml"
    manifest.write_text(WORKFLOW_MANIFEST, encoding="utf-8")
    assert run_once(manifest, root / "run").exit_code == 1
    outcome = accept(root / "run", manifest, environ={})
    assert [change.label for change in outcome.plan.changes] == ["greet/hello"]
    assert '{line: "Hello world"} # the old greeting' in manifest.read_text(encoding="utf-8")
    assert run_once(manifest, root / "again").exit_code == 0


def _repeated_run(folder: Path, passes: int, expected_files: bool = False) -> Path:
    """A run folder whose one example ran twice, both attempts failing but ``passes``."""
    folder.mkdir(parents=True)
    attempts = [
        Attempt(verdict=Verdict.PASS if index < passes else Verdict.FAIL, execution_id=f"e{index}")
        for index in range(2)
    ]
    result = ExampleResult(
        run_id="run-x",
        agent="inline-echo",
        example="greeting",
        verdict=Verdict.FAIL,
        finished_at="2026-01-01T00:00:00.000Z",
        execution=ExecutionRef(id="e1", status="completed", link="x"),
        repeats=Repeats(trials=2, passes=passes, pass_if="all", attempts=attempts),
        expected_json={"reply": "hi", "stamp": 1},
        actual_json={"reply": "hello", "stamp": 2},
    )
    (folder / "results.jsonl").write_text(json.dumps(result.to_dict()) + "\n", encoding="utf-8")
    return folder


def test_repeated_attempts_that_disagree_are_not_accepted(
    failing: tuple[Path, Path], tmp_path: Path
) -> None:
    manifest, _ = copy_of(failing, tmp_path)
    plan = plan_accept(_repeated_run(tmp_path / "flaky", passes=1), manifest, Selection())
    [refused] = plan.refused
    assert "attempts disagree (1 of 2 passed)" in refused.reason
    assert not plan.changes


def test_repeated_attempts_that_all_failed_are_accepted_from_the_shown_one(
    failing: tuple[Path, Path], tmp_path: Path
) -> None:
    manifest, _ = copy_of(failing, tmp_path)
    plan = plan_accept(_repeated_run(tmp_path / "failed", passes=0), manifest, Selection())
    [change] = plan.changes
    assert change.note == "the output of attempt 2 of 2 (execution e1)"
    assert "the output of attempt 2 of 2" in plan.diff()


def test_a_selection_matching_nothing_in_the_run_is_an_error(failing: tuple[Path, Path]) -> None:
    manifest, run_dir = failing
    with pytest.raises(AcceptError, match="matches --example nope"):
        plan_accept(run_dir, manifest, Selection(examples=("nope",)))


def test_accepting_a_filtered_run_leaves_every_other_file_byte_identical(
    failing: tuple[Path, Path], tmp_path: Path
) -> None:
    manifest, _ = copy_of(failing, tmp_path)
    run_once(manifest, tmp_path / "filtered", Selection(only=("inline-echo",)))
    before = tree_hashes(manifest.parent)
    outcome = accept(tmp_path / "filtered", manifest, environ={})
    after = tree_hashes(manifest.parent)
    assert [change.label for change in outcome.plan.changes] == ["inline-echo/greeting"]
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    assert changed == {"evalkit.yaml"}


JUDGED_MANIFEST = """\
version: 1
agents:
  - slug: answer
    config: {runtime: {builtin: echo}}
    examples:
      - name: hello
        input: {reply: "hello"}
        expected: {reply: "hello"}
        compare: {rules: {/reply: {judge: {agent: judge, rubric: "kind", min: 0.5}}}}
  - slug: judge
    config: {runtime: {builtin: echo}}
    examples:
      - name: rude
        input: {passed: true, score: 1}
        expected: {passed: false}   # a person's label
      - name: unlabelled
        input: {verdict: "new"}
        expected: {verdict: "old"}
  - slug: checker                   # answers like a judge, but no rule uses it as one
    config: {runtime: {builtin: echo}}
    examples:
      - name: rude
        input: {passed: true}
        expected: {passed: false}
"""


def test_a_judges_labelled_example_is_never_accepted(tmp_path: Path) -> None:
    root = tmp_path / "judged"
    root.mkdir()
    manifest = root / "evalkit.yaml"
    manifest.write_text(JUDGED_MANIFEST, encoding="utf-8")
    run_once(manifest, root / "run", Selection(only=("judge", "checker")))
    outcome = accept(root / "run", manifest, environ={})
    [refused] = outcome.plan.refused
    assert refused.label == "judge/rude"
    assert refused.reason == (
        "a person's label: the judge disagrees with it; edit it by hand if the label is wrong"
    )
    # the judge's other example, and an agent no rule uses as a judge, are accepted as usual
    assert sorted(change.label for change in outcome.plan.changes) == [
        "checker/rude",
        "judge/unlabelled",
    ]
    assert outcome.exit_code == 1
    text = manifest.read_text(encoding="utf-8")
    assert "expected: {passed: false}   # a person's label" in text
    assert 'expected: {verdict: "new"}' in text


@pytest.fixture
def outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a developer's machine: the suite itself may run in CI."""
    for name in CI_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_run_with_update_accepts_in_the_same_call(tmp_path: Path, outside_ci: None) -> None:
    root = tmp_path / "project"
    manifest = make_project(root)
    seen: list[str] = []

    def ran(outcome: evalkit.RunOutcome) -> None:
        seen.append(f"ran {outcome.summary.status}")

    def confirm(plan: AcceptPlan) -> bool:
        seen.append("confirm " + " ".join(sorted(change.label for change in plan.changes)))
        return True

    config = RunConfig(report=False, out=tmp_path / "run", update=True, concurrency=2)
    hooks = evalkit.RunHooks(ran=ran, confirm_accept=confirm)
    outcome = evalkit.run(
        manifest, config, connection=Connection(), hooks=hooks, handle_interrupts=False
    )
    assert outcome.summary.counts.passed == 2  # the run's own verdicts stand
    assert outcome.accepted is not None
    assert outcome.accepted.written
    assert outcome.exit_code == 0  # the accept's: everything that did not pass is accepted
    assert seen == [
        "ran gate_failed",
        "confirm echo/changed echo/files echo/other inline-echo/greeting",
    ]
    assert run_once(manifest, tmp_path / "again").exit_code == 0


def test_run_with_update_declined_exits_1_and_writes_nothing(
    tmp_path: Path, outside_ci: None
) -> None:
    manifest = make_project(tmp_path / "project")
    before = tree_hashes(manifest.parent)
    config = RunConfig(report=False, out=tmp_path / "run", update=True, concurrency=2)
    hooks = evalkit.RunHooks(confirm_accept=lambda plan: False)
    outcome = evalkit.run(
        manifest, config, connection=Connection(), hooks=hooks, handle_interrupts=False
    )
    assert outcome.accepted is not None
    assert outcome.accepted.declined
    assert outcome.exit_code == 1
    assert tree_hashes(manifest.parent) == before


def test_run_with_update_is_refused_in_ci_before_anything_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = make_project(tmp_path / "project")
    monkeypatch.setenv("CI", "true")
    config = RunConfig(report=False, out=tmp_path / "run", update=True)
    with pytest.raises(AcceptError, match="CI is set"):
        evalkit.run(manifest, config, connection=Connection(), handle_interrupts=False)
    assert not (tmp_path / "run").exists()
    forced = dataclasses.replace(config, force=True)
    outcome = evalkit.run(manifest, forced, connection=Connection(), handle_interrupts=False)
    assert outcome.accepted is not None
    assert outcome.accepted.written
