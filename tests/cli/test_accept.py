"""``evalkit accept`` and ``evalkit run --update`` as a user types them: the diff first, the
prompt rules (no terminal needs --yes), the refusal in CI, a bad run folder, and --json."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from .harness import Evalkit

MANIFEST = """\
version: 1
agents:
  - slug: echo
    config: {runtime: {builtin: echo}}
    examples:
      # kept as written
      - name: greeting
        input: {reply: "hello"}
        expected: {reply: "hi"}   # the old answer
      - name: steady
        input: {reply: "same"}
        expected: {reply: "same"}
"""


@pytest.fixture(autouse=True)
def _not_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)


def project(tmp_path: Path) -> Path:
    manifest = tmp_path / "evalkit.yaml"
    manifest.write_text(MANIFEST, encoding="utf-8")
    return manifest


def failed_run(evalkit: Evalkit, manifest: Path) -> Path:
    out = manifest.parent / "run"
    outcome = evalkit("-m", manifest, "run", "--no-report", "--out", out)
    assert outcome.code == 1, outcome.stderr
    return out


def test_accept_shows_the_diff_and_needs_yes_without_a_terminal(
    evalkit: Evalkit, tmp_path: Path
) -> None:
    manifest = project(tmp_path)
    run = failed_run(evalkit, manifest)
    outcome = evalkit("-m", manifest, "accept", run)
    assert outcome.code == 2
    assert "needs --yes when not run in a terminal" in outcome.stderr
    assert "--- a/evalkit.yaml" in outcome.stdout
    assert '-        expected: {reply: "hi"}   # the old answer' in outcome.stdout
    assert manifest.read_text(encoding="utf-8") == MANIFEST

    outcome = evalkit("-m", manifest, "accept", run, "--yes")
    assert outcome.code == 0, outcome.stderr
    assert "accepted 1 example" in outcome.stdout
    assert "1 example passed: nothing to change" in outcome.stdout
    assert 'expected: {reply: "hello"} # the old answer' in manifest.read_text(encoding="utf-8")
    assert evalkit("-m", manifest, "run", "--no-report", "--out", tmp_path / "again").code == 0


def test_accept_is_refused_in_ci_unless_forced(
    evalkit: Evalkit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = project(tmp_path)
    run = failed_run(evalkit, manifest)
    monkeypatch.setenv("CI", "true")
    outcome = evalkit("-m", manifest, "accept", run, "--yes")
    assert outcome.code == 2
    assert "CI is set" in outcome.stderr
    assert "--force" in outcome.stderr
    assert manifest.read_text(encoding="utf-8") == MANIFEST
    assert evalkit("-m", manifest, "accept", run, "--yes", "--force").code == 0


def test_a_bad_run_folder_exits_2(evalkit: Evalkit, tmp_path: Path) -> None:
    manifest = project(tmp_path)
    outcome = evalkit("-m", manifest, "accept", tmp_path / "nowhere", "--yes")
    assert outcome.code == 2
    assert "nowhere: does not exist; give a run folder" in outcome.stderr
    outcome = evalkit("-m", manifest, "accept", "--yes")
    assert outcome.code == 2
    assert "no run under" in outcome.stderr


def test_accept_json(evalkit: Evalkit, tmp_path: Path) -> None:
    manifest = project(tmp_path)
    run = failed_run(evalkit, manifest)
    outcome = evalkit("-m", manifest, "--json", "accept", run, "--yes", "--example", "greeting")
    assert outcome.code == 0, outcome.stderr
    data = json.loads(outcome.stdout)
    assert data["written"] is True
    [accepted] = data["accepted"]
    assert accepted["example"] == "greeting"
    assert accepted["files"] == [{"path": str(manifest), "action": "update"}]
    assert accepted["differences"] == ['/reply: changed, expected "hi", actual "hello"']


def test_run_update_runs_then_accepts(evalkit: Evalkit, tmp_path: Path) -> None:
    manifest = project(tmp_path)
    outcome = evalkit("-m", manifest, "run", "--no-report", "--out", tmp_path / "r", "--update")
    assert outcome.code == 2  # no terminal, no --yes: refused before anything ran
    assert not (tmp_path / "r").exists()
    outcome = evalkit(
        "-m", manifest, "run", "--no-report", "--out", tmp_path / "r", "--update", "--yes"
    )
    assert outcome.code == 0, outcome.stderr
    assert "gate min_pass_rate: FAILED" in outcome.stdout
    assert "accepted 1 example" in outcome.stdout
    assert evalkit("-m", manifest, "run", "--no-report", "--out", tmp_path / "again").code == 0


def test_run_update_is_refused_in_ci_before_the_run(
    evalkit: Evalkit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = project(tmp_path)
    monkeypatch.setenv("CI", "1")
    args = ("-m", manifest, "run", "--no-report", "--out", tmp_path / "r", "--update", "--yes")
    outcome = evalkit(*args)
    assert outcome.code == 2
    assert "CI is set" in outcome.stderr
    assert not (tmp_path / "r").exists()
    # without --yes too: CI is the reason to say, not the missing terminal
    outcome = evalkit(*args[:-1])
    assert outcome.code == 2
    assert "CI is set" in outcome.stderr


@pytest.mark.parametrize(("answer", "code"), [("n\n", 1), ("y\n", 0)])
def test_in_a_terminal_accept_asks(
    evalkit: Evalkit,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    code: int,
) -> None:
    manifest = project(tmp_path)
    run = failed_run(evalkit, manifest)
    monkeypatch.setattr("evalkit.cli.output.is_interactive", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    outcome = evalkit("-m", manifest, "accept", run)
    assert outcome.code == code, outcome.stderr
    assert "Write these changes? [y/N]" in outcome.stderr
    written = manifest.read_text(encoding="utf-8") != MANIFEST
    assert written is (code == 0)
    assert ("declined: nothing written" in outcome.stdout) is (code == 1)


def test_run_update_exits_1_when_an_error_is_left(evalkit: Evalkit, tmp_path: Path) -> None:
    manifest = tmp_path / "evalkit.yaml"
    failing_agent = (
        "  - slug: broken\n    config: {runtime: {builtin: fail}}\n"
        "    examples:\n      - {name: down, expected: {ok: true}}\n"
    )
    manifest.write_text(MANIFEST + failing_agent, encoding="utf-8")
    args = ("-m", manifest, "run", "--no-report", "--out", tmp_path / "r", "--update", "--yes")
    outcome = evalkit(*args)
    assert outcome.code == 1, outcome.stderr
    assert "accepted 1 example" in outcome.stdout
    assert "not accepted: broken/down (error): errored (failed:" in outcome.stdout


def test_what_will_not_be_accepted_is_listed_before_the_question_once(
    evalkit: Evalkit, tmp_path: Path
) -> None:
    manifest = tmp_path / "evalkit.yaml"
    failing_agent = (
        "  - slug: broken\n    config: {runtime: {builtin: fail}}\n"
        "    examples:\n      - {name: down, expected: {ok: true}}\n"
    )
    manifest.write_text(MANIFEST + failing_agent, encoding="utf-8")
    out = tmp_path / "run"
    assert evalkit("-m", manifest, "run", "--no-report", "--out", out).code == 1
    refused = "not accepted: broken/down (error): errored (failed:"

    unasked = evalkit("-m", manifest, "accept", out)  # no terminal, no --yes: nothing written
    assert unasked.code == 2
    assert unasked.stdout.count(refused) == 1
    assert manifest.read_text(encoding="utf-8") == MANIFEST + failing_agent

    written = evalkit("-m", manifest, "accept", out, "--yes")
    assert written.code == 1, written.stderr  # the error is left: the run stays failed
    assert written.stdout.count(refused) == 1
    assert written.stdout.index(refused) < written.stdout.index("accepted 1 example")
