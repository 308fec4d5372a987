"""Before a run starts anything: agents that differ from the manifest, or are missing, and
missing workflows stop it with one message (exit code 2), unless ``--allow-drift`` runs
drifted agents as they are and the summary says so. Each test runs ``evalkit run`` as a
process against a platform on loopback, as ``evalkit serve`` reached by ``--base-url``."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from evalkit.client import EigenpalClient
from evalkit.emulator.faults import FaultConfig
from evalkit.emulator.server import RunningPlatform
from evalkit.manifest import load_manifest
from evalkit.runner.from_manifest import selected_jobs
from evalkit.runner.jobs import Selection
from evalkit.runner.preflight import check_agents
from evalkit.runner.results_file import read_summary_file
from evalkit.sync import apply, plan
from tests.runner.platform_harness import API_KEY, FaultWindow, local_platform
from tests.runner.test_cli_run import evalkit, finish

MANIFEST = """
version: 1
environments:
  pr: {{slug: "{{slug}}-pr-7"}}
agents:
  - slug: fixed
    config:
      runtime: {{builtin: fixed, output: {{ok: {ok}}}}}
    workspace: agents/fixed/
    examples:
      - {{name: a, expected: {{ok: true}}}}
      - {{name: b, expected: {{ok: true}}}}
      - {{name: c, expected: {{ok: true}}}}
"""

ADVICE = "run `evalkit sync`, pass `--sync`, or `--allow-drift` to run as is"


def write_project(folder: Path, *, ok: str = "true", instructions: str = "# Fixed\n") -> Path:
    (folder / "agents" / "fixed").mkdir(parents=True, exist_ok=True)
    (folder / "agents" / "fixed" / "AGENT.md").write_text(instructions)
    (folder / "evalkit.yaml").write_text(MANIFEST.format(ok=ok))
    return folder


def sync(running: RunningPlatform, folder: Path, environment: str | None = None) -> None:
    manifest = load_manifest(folder / "evalkit.yaml")
    if environment:
        manifest = manifest.with_environment(environment)
    with EigenpalClient(api_key=API_KEY, base_url=running.base_url) as client:
        assert apply(plan(manifest, client), client).state == "converged"


def run(
    running: RunningPlatform, folder: Path, *args: str, json_output: bool = True
) -> tuple[int, str, str]:
    remote = ("--base-url", running.base_url, "--api-key", API_KEY)
    head = (*remote, "--json") if json_output else remote
    return finish(evalkit(*head, "run", "--no-report", *args, cwd=folder), timeout=120)


def executions(running: RunningPlatform, slug: str) -> int:
    with EigenpalClient(api_key=API_KEY, base_url=running.base_url) as client:
        return len(list(client.agents.executions.iter_list(slug)))


def test_a_changed_agent_stops_a_remote_run_unless_drift_is_allowed(tmp_path: Path) -> None:
    folder = write_project(tmp_path / "project")
    with local_platform(tmp_path / "platform") as running:
        sync(running, folder)
        code, stdout, stderr = run(running, folder, "--out", str(tmp_path / "same"))
        assert code == 0, stderr
        assert json.loads(stdout)["drifted_agents"] == []

        # The change is committed to git but never synced: the platform still has the old agent,
        # which passes. Evaluating it would report the change as fine.
        write_project(folder, ok="false", instructions="# Fixed, rewritten\n")
        refused = tmp_path / "refused"
        code, stdout, stderr = run(running, folder, "--out", str(refused))
        assert code == 2, stderr
        assert json.loads(stdout)["error"]["exit_code"] == 2  # --json: why, as data
        assert (
            "agent fixed differs from the manifest (config /runtime/output/ok; AGENT.md): " + ADVICE
        ) in " ".join(stderr.split())
        assert "Traceback" not in stderr
        assert not refused.exists()
        assert executions(running, "fixed") == 3  # those of the first run only

        allowed = tmp_path / "allowed"
        code, stdout, stderr = run(
            running, folder, "--allow-drift", "--out", str(allowed), json_output=False
        )
        assert code == 0, stderr
        assert "--allow-drift: agent fixed differs from the manifest" in stderr
        assert "ran with drift (--allow-drift): fixed: config /runtime/output/ok; AGENT.md" in (
            stdout.splitlines()
        )
        drifted = read_summary_file(allowed / "summary.json").drifted_agents
        assert [(d.agent, d.slug, d.differences) for d in drifted] == [
            ("fixed", "fixed", ["config /runtime/output/ok", "AGENT.md"])
        ]

        sync(running, folder)
        code, stdout, stderr = run(running, folder, "--out", str(tmp_path / "synced"))
        assert code == 1, stderr  # the synced agent answers ok: false
        assert json.loads(stdout)["drifted_agents"] == []


def test_an_edit_on_the_platform_is_drift_and_changed_examples_are_not(tmp_path: Path) -> None:
    folder = write_project(tmp_path / "project")
    with local_platform(tmp_path / "platform") as running:
        sync(running, folder)
        # The runner sends inputs and compares with the manifest's expectations itself, and
        # an agent never sees its examples: a changed expectation needs no sync to be judged.
        manifest = folder / "evalkit.yaml"
        manifest.write_text(
            manifest.read_text().replace(
                "name: c, expected: {ok: true}", "name: c, expected: {ok: false}"
            )
        )
        code, stdout, stderr = run(running, folder)
        assert code == 1, stderr
        assert json.loads(stdout)["counts"]["passed"] == 2

        with EigenpalClient(api_key=API_KEY, base_url=running.base_url) as client:
            client.agents.put_file("fixed", "AGENT.md", content="# Edited in the dashboard\n")
        code, _, stderr = run(running, folder)
        assert code == 2, stderr
        assert (
            "agent fixed differs from the manifest (AGENT.md (changed on the platform)): " + ADVICE
        ) in " ".join(stderr.split())


def test_a_missing_agent_is_one_message_before_anything_starts(tmp_path: Path) -> None:
    folder = write_project(tmp_path / "project")
    with local_platform(tmp_path / "platform") as running:
        for extra in ((), ("--allow-drift",)):
            out = tmp_path / f"out{len(extra)}"
            code, stdout, stderr = run(running, folder, *extra, "--out", str(out))
            assert code == 2, stderr
            assert json.loads(stdout)["error"]["exit_code"] == 2  # --json: why, as data
            flat = " ".join(stderr.split())
            assert flat.count("agent fixed is not on the platform") == 1
            assert "run `evalkit sync` or pass `--sync`" in flat
            assert "not found" not in flat
            assert not out.exists()


def test_with_env_the_environment_copies_are_compared(tmp_path: Path) -> None:
    folder = write_project(tmp_path / "project")
    with local_platform(tmp_path / "platform") as running:
        sync(running, folder)  # production only
        code, _, stderr = run(running, folder, "--env", "pr")
        assert code == 2, stderr
        assert (
            "agent fixed-pr-7 (fixed in environment pr) is not on the platform: "
            "run `evalkit sync --env pr` or pass `--sync`"
        ) in " ".join(stderr.split())

        sync(running, folder, "pr")
        code, stdout, stderr = run(running, folder, "--env", "pr")
        assert code == 0, stderr
        assert json.loads(stdout)["counts"]["passed"] == 3
        assert executions(running, "fixed-pr-7") == 3

        (folder / "agents" / "fixed" / "AGENT.md").write_text("# Changed\n")
        code, _, stderr = run(running, folder, "--env", "pr")
        assert code == 2, stderr
        assert (
            "agent fixed-pr-7 (fixed in environment pr) differs from the manifest (AGENT.md): "
            "run `evalkit sync --env pr`, pass `--sync`"
        ) in " ".join(stderr.split())


def test_the_drift_check_waits_out_a_platform_that_fails_for_a_while(tmp_path: Path) -> None:
    folder = write_project(tmp_path / "project")
    manifest = load_manifest(folder / "evalkit.yaml")
    jobs = selected_jobs(manifest, Selection())
    with local_platform(tmp_path / "platform") as running:
        sync(running, folder)
        # Every call about the agent fails 3 times with a 5xx, then the platform recovers;
        # the client gives up on each at once (no retries of its own).
        window = FaultWindow(running, FaultConfig(error_rate=1.0, path_pattern="/agents"), 3)
        with (
            httpx.Client(event_hooks=window.sync_hooks) as http,
            EigenpalClient(
                api_key=API_KEY, base_url=running.base_url, max_retries=0, http_client=http
            ) as client,
        ):
            assert check_agents(manifest, client, jobs, allow_drift=False) == []
        assert window.left == 0


def test_a_local_run_without_sync_is_checked_too(tmp_path: Path) -> None:
    folder = write_project(tmp_path / "project")
    code, _, stderr = finish(evalkit("run", "--no-report", cwd=folder), timeout=120)
    assert code == 0, stderr  # the local platform syncs first
    write_project(folder, ok="false")
    code, _, stderr = finish(evalkit("run", "--no-sync", "--no-report", cwd=folder), timeout=120)
    assert code == 2, stderr
    assert "agent fixed differs from the manifest (config /runtime/output/ok)" in stderr


WORKFLOWS = """
version: 1
workflows:
  - workflow: pipeline
    examples:
      - {name: a, expected: {v: 1}}
      - {name: b, expected: {v: 1}}
"""


def test_a_workflow_missing_from_the_platform_stops_the_run(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "evalkit.yaml").write_text(WORKFLOWS)
    with local_platform(tmp_path / "platform") as running:
        code, stdout, stderr = run(running, folder, "--out", str(tmp_path / "out"))
    assert code == 2, stderr
    assert json.loads(stdout)["error"]["exit_code"] == 2  # --json: why, as data
    flat = " ".join(stderr.split())
    assert flat.count("workflow pipeline is not on the platform") == 1
    assert "the v1 API cannot create them" in flat
    assert not (tmp_path / "out").exists()


WORKFLOW_AND_AGENT = """
version: 1
agents:
  - slug: fixed
    config:
      runtime: {{builtin: fixed, output: {{ok: {ok}}}}}
    workspace: agents/fixed/
    examples:
      - {{name: own, expected: {{ok: true}}}}
workflows:
  - workflow: pipeline
    examples:
      - {{name: a, expected: {{ok: true}}}}
      - {{name: b, expected: {{ok: true}}}}
"""

CALLS_FIXED = """
steps:
  - id: call
    agent: fixed
"""


def test_a_workflow_suite_run_alone_checks_the_manifest_s_agents(tmp_path: Path) -> None:
    """``--only`` a workflow suite (no agent example selected): the agents its steps may call
    are checked, and synced with ``--sync``, as agents under test are; it used to run against
    whatever the platform had and could pass against a stale agent."""
    folder = write_project(tmp_path / "project")
    (folder / "evalkit.yaml").write_text(WORKFLOW_AND_AGENT.format(ok="true"))
    workflows = tmp_path / "workflows"
    workflows.mkdir()
    (workflows / "pipeline.yaml").write_text(CALLS_FIXED)
    with local_platform(tmp_path / "platform", workflows_dir=workflows) as running:
        code, stdout, stderr = run(running, folder, "--only", "pipeline")
        assert code == 2, stderr
        assert json.loads(stdout)["error"]["exit_code"] == 2  # --json: why, as data
        assert "agent fixed is not on the platform: run `evalkit sync` or pass `--sync`" in (
            " ".join(stderr.split())
        )

        sync(running, folder)
        code, stdout, stderr = run(running, folder, "--only", "pipeline")
        assert code == 0, stderr
        assert json.loads(stdout)["counts"]["passed"] == 2

        # Changed in the manifest, never synced: the platform's agent still answers ok: true.
        (folder / "evalkit.yaml").write_text(WORKFLOW_AND_AGENT.format(ok="false"))
        code, stdout, stderr = run(running, folder, "--only", "pipeline")
        assert code == 2, stderr
        assert (
            "agent fixed differs from the manifest (config /runtime/output/ok): " + ADVICE
        ) in " ".join(stderr.split())
        assert executions(running, "fixed") == 2  # those of the passing run only

        code, stdout, stderr = run(running, folder, "--only", "pipeline", "--sync")
        assert code == 1, stderr  # the synced agent answers ok: false
        assert json.loads(stdout)["counts"]["passed"] == 0
