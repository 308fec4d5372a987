"""``evalkit plan``, ``sync`` and ``pull`` as a user runs them, against the loopback platform.

(These test ``evalkit/cli/{plan,sync,pull}.py``; they live here with the engine they drive.)
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from evalkit.cli import output
from evalkit.cli.context import GlobalOptions
from evalkit.cli.main import main
from evalkit.cli.plan import plan_command
from evalkit.cli.pull import pull_command
from evalkit.cli.run import run_command
from evalkit.cli.sync import sync_command
from evalkit.emulator.faults import FaultConfig
from evalkit.errors import ManifestError

from .local import API_KEY, LocalPlatform
from .project import write_project

BOT = {"name": "Bot", "config": {"model": "m1"}, "files": {"AGENT.md": b"# Bot\n"}}


def invoke(
    command: click.Command,
    args: list[str],
    root: Path,
    platform: LocalPlatform,
    *,
    json_output: bool = False,
    verbose: int = 0,
    stdin: str | None = None,
) -> Result:
    options = GlobalOptions(
        manifest=root / "evalkit.yaml",
        base_url=platform.base_url,
        api_key=API_KEY,
        local=False,
        verbose=verbose,
        json_output=json_output,
    )
    return CliRunner().invoke(command, args, obj=options, input=stdin)


def test_plan_then_sync_then_nothing_left(tmp_path: Path, platform: LocalPlatform) -> None:
    write_project(tmp_path, {"bot": BOT})
    first = invoke(plan_command, ["--detailed-exitcode"], tmp_path, platform)
    assert first.exit_code == 2, first.output
    assert "+ bot  (new agent)" in first.output

    synced = invoke(sync_command, ["--yes"], tmp_path, platform)
    assert synced.exit_code == 0, synced.output
    assert "✓ bot: created the agent, uploaded 1 file" in synced.output
    assert "Sync complete" in synced.output

    again = invoke(sync_command, ["--yes"], tmp_path, platform)
    assert again.exit_code == 0
    assert "No changes" in again.output
    assert "Nothing to apply." in again.output
    settled = invoke(plan_command, ["--detailed-exitcode"], tmp_path, platform)
    assert settled.exit_code == 0


def test_plan_prints_json_and_markdown_of_the_same_plan(
    tmp_path: Path, platform: LocalPlatform
) -> None:
    write_project(tmp_path, {"bot": BOT})
    as_json = invoke(plan_command, [], tmp_path, platform, json_output=True)
    data = json.loads(as_json.stdout)
    assert (data["kind"], data["formatVersion"]) == ("evalkit-plan", 1)
    assert data["summary"]["agentsToCreate"] == 1
    as_markdown = invoke(plan_command, ["--markdown"], tmp_path, platform)
    assert as_markdown.stdout.startswith("### evalkit plan")
    assert "#### `+` `bot` (new agent)" in as_markdown.output


def test_sync_without_a_terminal_needs_yes(tmp_path: Path, platform: LocalPlatform) -> None:
    write_project(tmp_path, {"bot": BOT})
    refused = invoke(sync_command, [], tmp_path, platform)
    assert refused.exit_code == 2
    assert "needs --yes when not run in a terminal" in refused.output
    assert invoke(plan_command, ["--detailed-exitcode"], tmp_path, platform).exit_code == 2


@pytest.mark.parametrize(("answer", "code"), [("n\n", 1), ("y\n", 0)])
def test_sync_in_a_terminal_asks_first(
    tmp_path: Path,
    platform: LocalPlatform,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    code: int,
) -> None:
    monkeypatch.setattr(output, "is_interactive", lambda: True)
    write_project(tmp_path, {"bot": BOT})
    result = invoke(sync_command, [], tmp_path, platform, stdin=answer)
    assert "Apply these changes?" in result.output
    assert result.exit_code == code
    remaining = invoke(plan_command, ["--detailed-exitcode"], tmp_path, platform).exit_code
    assert remaining == (2 if code else 0)


def test_a_refusal_in_json_is_the_error_object_every_command_gives(
    tmp_path: Path, platform: LocalPlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path, {"bot": BOT})
    no_yes = invoke(sync_command, [], tmp_path, platform, json_output=True)
    assert no_yes.exit_code == 2
    assert json.loads(no_yes.stdout)["error"]["kind"] == "input"
    monkeypatch.setattr(output, "is_interactive", lambda: True)
    declined = invoke(sync_command, [], tmp_path, platform, json_output=True, stdin="n\n")
    assert declined.exit_code == 1
    answer = json.loads(declined.stdout[declined.stdout.index("{") :])  # after the question
    assert answer["result"] is None
    assert answer["error"] == {
        "kind": "refused",
        "message": "not applied: the changes were declined",
        "where": None,
        "hint": None,
        "exit_code": 1,
    }


def test_saved_plan_applies_once_and_is_refused_when_stale(
    tmp_path: Path, platform: LocalPlatform
) -> None:
    write_project(tmp_path, {"bot": BOT})
    saved = tmp_path / "plan.json"
    assert invoke(plan_command, ["--out", str(saved)], tmp_path, platform).exit_code == 0
    assert invoke(sync_command, ["--plan", str(saved), "--yes"], tmp_path, platform).exit_code == 0
    stale = invoke(sync_command, ["--plan", str(saved), "--yes"], tmp_path, platform)
    assert stale.exit_code == 1
    assert "bot: was created by someone else" in stale.output
    mixed = invoke(sync_command, ["--plan", str(saved), "--only", "bot"], tmp_path, platform)
    assert mixed.exit_code != 0
    assert "drop --only" in str(mixed.exception)


def test_partly_applied_sync_exits_3_and_a_rerun_converges(
    tmp_path: Path, platform: LocalPlatform
) -> None:
    write_project(tmp_path, {"bot": BOT, "other": {"files": {"AGENT.md": b"o\n"}}})
    platform.start(faults=FaultConfig(error_rate=1.0, path_pattern=r"/agents/other/files"))
    partial = invoke(sync_command, ["--yes"], tmp_path, platform)
    assert partial.exit_code == 3, partial.output
    assert "✗ other:" in partial.output
    assert "Partly applied: 1 agent fully applied, 1 agent failed." in partial.output
    assert "Run 'evalkit sync' again" in partial.output
    platform.start()
    assert invoke(sync_command, ["--yes"], tmp_path, platform).exit_code == 0
    assert invoke(plan_command, ["--detailed-exitcode"], tmp_path, platform).exit_code == 0


def test_fail_on_orphans(tmp_path: Path, platform: LocalPlatform) -> None:
    write_project(tmp_path, {"bot": BOT})
    platform.client().client.agents.create(name="Stray", slug="stray")
    plain = invoke(plan_command, ["--detailed-exitcode"], tmp_path, platform)
    assert plain.exit_code == 2
    assert "stray" in plain.output
    strict = invoke(plan_command, ["--fail-on-orphans"], tmp_path, platform)
    assert strict.exit_code == 1
    assert "1 orphan(s) on the platform and --fail-on-orphans is set" in strict.output
    refused = invoke(sync_command, ["--yes", "--fail-on-orphans"], tmp_path, platform)
    assert refused.exit_code == 1
    assert invoke(plan_command, ["--detailed-exitcode"], tmp_path, platform).exit_code == 2


def test_detailed_exitcode_is_1_on_errors(tmp_path: Path, platform: LocalPlatform) -> None:
    (tmp_path / "evalkit.yaml").write_text("version: 1\nagents: [{slug: Bad Slug}]\n")
    result = invoke(plan_command, ["--detailed-exitcode"], tmp_path, platform)
    assert result.exit_code == 1
    assert "problem" in result.output


@pytest.mark.parametrize("command", [plan_command, sync_command])
def test_a_broken_manifest_is_reported_before_the_platform_is_contacted(
    tmp_path: Path, platform: LocalPlatform, command: click.Command
) -> None:
    (tmp_path / "evalkit.yaml").write_text("version: 1\nagents: [{slug: Bad Slug}]\n")
    result = invoke(command, ["--yes"] if command is sync_command else [], tmp_path, platform)
    assert isinstance(result.exception, ManifestError)  # evalkit's main() makes it exit 2
    assert "platform:" not in result.output


def test_pull_then_plan_has_no_changes(tmp_path: Path, platform: LocalPlatform) -> None:
    origin = tmp_path / "origin"
    write_project(origin, {"bot": BOT})
    assert invoke(sync_command, ["--yes"], origin, platform).exit_code == 0
    clone = tmp_path / "clone"
    pulled = invoke(pull_command, ["bot", "--dir", str(clone)], tmp_path, platform)
    assert pulled.exit_code == 0, pulled.output
    assert "pulled bot" in pulled.output
    assert invoke(plan_command, ["--detailed-exitcode"], clone, platform).exit_code == 0
    # A new project folder, as 'evalkit init' makes one: run results stay out of git.
    assert ".evalkit/" in (clone / ".gitignore").read_text().splitlines()


def test_the_api_key_never_shows(tmp_path: Path, platform: LocalPlatform) -> None:
    write_project(tmp_path, {"bot": BOT})
    outputs = [
        invoke(plan_command, [], tmp_path, platform, verbose=2).output,
        invoke(sync_command, ["--yes"], tmp_path, platform, verbose=2).output,
        invoke(sync_command, ["--yes"], tmp_path, platform, json_output=True).output,
    ]
    assert all(API_KEY not in text for text in outputs)


def test_a_saved_plan_applies_from_another_checkout(
    tmp_path: Path, platform: LocalPlatform
) -> None:
    first, second = tmp_path / "job-1", tmp_path / "job-2"
    write_project(first, {"bot": BOT})
    saved = tmp_path / "plan.json"
    assert invoke(plan_command, ["--out", str(saved)], first, platform).exit_code == 0
    shutil.copytree(first, second)
    shutil.rmtree(first)
    applied = invoke(sync_command, ["--plan", str(saved), "--yes"], second, platform)
    assert applied.exit_code == 0, applied.output
    assert invoke(plan_command, ["--detailed-exitcode"], second, platform).exit_code == 0


def evalkit_main(
    capsys: pytest.CaptureFixture[str], platform: LocalPlatform, *args: str
) -> tuple[int, str]:
    """evalkit's console entry point against ``platform``: its exit code and its stderr."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as stopped:
        main(["--base-url", platform.base_url, "--api-key", API_KEY, *args])
    return int(stopped.value.code or 0), capsys.readouterr().err


@pytest.mark.parametrize(
    ("entry", "value", "refusal"),
    [
        ("source", "{secret}", "leads outside the project folder"),
        ("source", "../../secret.txt", "leads outside the project folder"),
        ("source", "agents/bot/main.py", "is not the file the manifest declares for 'AGENT.md'"),
        ("path", "../../escape.md", "is not a safe relative path"),
    ],
)
def test_a_tampered_saved_plan_is_refused_before_any_request(
    tmp_path: Path,
    platform: LocalPlatform,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    entry: str,
    value: str,
    refusal: str,
) -> None:
    """A plan file is untrusted input: its sources and paths are checked against the manifest
    (the new user's trial: /etc/os-release uploaded as AGENT.md, exit 0)."""
    monkeypatch.delenv("EIGENPAL_BASE_URL", raising=False)
    monkeypatch.delenv("EIGENPAL_API_KEY", raising=False)
    project = tmp_path / "a" / "project"
    manifest = write_project(project, {"bot": {"files": {"AGENT.md": b"# Bot\n", "main.py": b""}}})
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cr3t\n")
    assert evalkit_main(capsys, platform, "-m", str(manifest), "sync", "--yes")[0] == 0
    (project / "agents" / "bot" / "AGENT.md").write_text("# Bot, changed\n")
    saved = tmp_path / "p.json"
    assert evalkit_main(capsys, platform, "-m", str(manifest), "plan", "--out", str(saved))[0] == 0
    data = json.loads(saved.read_text())
    agent = data["agents"][0]
    [change] = agent["files"]
    change[entry] = value.format(secret=secret)
    if entry == "source":  # hashes that match the file named, as an attacker would write them
        content = Path(project, value.format(secret=secret)).read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        change["after"] = {"sha256": digest, "size": len(content)}
        agent["desired"]["files"]["AGENT.md"] = digest
    saved.write_text(json.dumps(data))
    before = platform.client().client.agents.get("bot").agent

    code, err = evalkit_main(
        capsys, platform, "-m", str(manifest), "sync", "--plan", str(saved), "--yes"
    )

    assert code == 2
    # what (the refusal), where (the plan file and the entry), what to do (a new plan)
    [message] = err.splitlines()
    assert message.startswith(f"error: {saved}")
    assert f" agents[0].files[0].{entry}: " in message
    assert refusal in message
    assert "make the plan again with 'evalkit plan --out'" in message
    assert "Traceback" not in err
    after = platform.client().client.agents.get("bot").agent
    assert (after.latest_commit, after.updated_at) == (before.latest_commit, before.updated_at)


ECHO: dict[str, Any] = {
    "name": "Echo",
    "config": {"runtime": {"builtin": "echo"}, "triggers": {"api": {"enabled": True}}},
    "files": {
        "AGENT.md": b"# Echo\n",
        "examples/one/input.json": b'{"q": 1}\n',
        "examples/one/expected.json": b'{"q": 1}\n',
    },
}
PR_ENV = {"pr": {"slug": "{slug}-pr-${PR_NUMBER:-local}"}}


def test_environment_copies_made_by_a_run_are_not_orphans(
    tmp_path: Path, platform: LocalPlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path, {"echo": ECHO}, environments=PR_ENV)
    assert invoke(sync_command, ["--yes"], tmp_path, platform).exit_code == 0
    monkeypatch.setenv("PR_NUMBER", "41")
    ran = invoke(
        run_command,
        ["--env", "pr", "--sync", "--no-report", "--out", str(tmp_path / "r")],
        tmp_path,
        platform,
    )
    assert ran.exit_code == 0, ran.output
    assert platform.client().client.agents.get("echo-pr-41").agent.slug == "echo-pr-41"

    monkeypatch.delenv("PR_NUMBER")  # the plan on main knows nothing of PR 41
    text = invoke(plan_command, ["--fail-on-orphans"], tmp_path, platform)
    assert text.exit_code == 0, text.output
    assert "Environment copies" in text.output
    assert "pr  echo-pr-41  copy of echo, created just now" in text.output
    assert "orphan" not in text.output.lower().replace("not orphans", "")
    markdown = invoke(plan_command, ["--markdown", "--fail-on-orphans"], tmp_path, platform)
    assert markdown.exit_code == 0
    assert "- `pr` `echo-pr-41`: copy of `echo`, created just now" in markdown.output
    as_json = invoke(plan_command, ["--fail-on-orphans"], tmp_path, platform, json_output=True)
    data = json.loads(as_json.stdout)
    assert [(c["slug"], c["copyOf"], c["recognisedBy"]) for c in data["environmentCopies"]] == [
        ("echo-pr-41", "echo", "record")
    ]
    assert data["environmentCopies"][0]["createdAt"]
    assert (data["summary"]["orphans"], data["summary"]["environmentCopies"]) == (0, 1)

    monkeypatch.setenv("PR_NUMBER", "42")  # the next pull request: 41's copy is no orphan
    other_pr = invoke(plan_command, ["--env", "pr", "--fail-on-orphans"], tmp_path, platform)
    assert other_pr.exit_code == 0, other_pr.output
    assert "+ echo-pr-42  (new agent)" in other_pr.output
    assert "echo-pr-41  copy of echo" in other_pr.output


def test_a_real_orphan_still_fails_and_an_acknowledged_one_does_not(
    tmp_path: Path, platform: LocalPlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path, {"bot": BOT}, environments=PR_ENV)
    monkeypatch.setenv("PR_NUMBER", "41")
    assert invoke(sync_command, ["--yes", "--env", "pr"], tmp_path, platform).exit_code == 0
    monkeypatch.delenv("PR_NUMBER")
    assert invoke(sync_command, ["--yes"], tmp_path, platform).exit_code == 0
    platform.client().client.agents.create(name="Prototype", slug="bot-prototype")

    strict = invoke(plan_command, ["--fail-on-orphans"], tmp_path, platform)
    assert strict.exit_code == 1
    assert "? bot-prototype" in strict.output
    assert "bot-pr-41  copy of bot" in strict.output
    assert "1 orphan(s) on the platform and --fail-on-orphans is set" in strict.output
    assert invoke(sync_command, ["--yes", "--fail-on-orphans"], tmp_path, platform).exit_code == 1

    write_project(tmp_path, {"bot": BOT}, environments=PR_ENV, ignore_orphans=["*-prototype"])
    acknowledged = invoke(plan_command, ["--fail-on-orphans"], tmp_path, platform)
    assert acknowledged.exit_code == 0, acknowledged.output
    assert "1 acknowledged orphan." in acknowledged.output
    assert "acknowledged orphan agents (ignore_orphans): bot-prototype" in acknowledged.output
    assert invoke(sync_command, ["--yes", "--fail-on-orphans"], tmp_path, platform).exit_code == 0


def test_a_broken_ignore_orphans_pattern_is_a_manifest_error(
    tmp_path: Path, platform: LocalPlatform
) -> None:
    write_project(tmp_path, {"bot": BOT}, ignore_orphans=["legacy-[ab"])
    result = invoke(plan_command, [], tmp_path, platform)
    assert isinstance(result.exception, ManifestError)  # evalkit's main() makes it exit 2
    message = str(result.exception)
    assert "evalkit.yaml:" in message
    assert "ignore_orphans[0]: pattern 'legacy-[ab' has an unclosed '['" in message
