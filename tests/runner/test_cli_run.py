"""``evalkit run`` as a real process: the example project passes, the broken agent fails with
the right differences and feedback on the platform, and Ctrl-C cancels what is in flight."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from evalkit.client import EigenpalClient
from evalkit.client.errors import EigenpalNotFoundError
from evalkit.runner.results import Verdict
from evalkit.runner.results_file import read_results_file, read_summary_file
from tests.runner.platform_harness import API_KEY, local_platform

ROOT = Path(__file__).resolve().parents[2]
INVOICES = ROOT / "examples" / "invoices"
BROKEN = {"nordlicht-german-eur", "lumen-semicolon-csv-eur", "pinecone-hours-cad"}


def evalkit(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EIGENPAL_")}
    environment["PYTHONPATH"] = str(ROOT)
    environment.update(env or {})
    return subprocess.Popen(
        [sys.executable, "-m", "evalkit", *args],
        cwd=cwd,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 240) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=timeout)
    return process.returncode, stdout, stderr


def copy_project(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    shutil.copytree(
        INVOICES, root / "examples" / "invoices", ignore=shutil.ignore_patterns(".evalkit")
    )
    return root


@pytest.mark.slow
def test_example_project_passes_then_the_broken_agent_fails_with_feedback(tmp_path: Path) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is needed to apply the broken-agent patch")
    root = copy_project(tmp_path)
    project = root / "examples" / "invoices"

    code, stdout, stderr = finish(
        evalkit("--json", "run", "--out", str(tmp_path / "good"), cwd=project)
    )
    assert code == 0, stderr
    good = json.loads(stdout)
    assert good["counts"]["passed"] == good["counts"]["total"] == 10
    assert "target: local platform" in stderr
    # The agent was synced first; the plan applied is in the summary for reports.
    assert [agent["slug"] for agent in good["sync_plan"]["agents"]] == ["invoice-extractor"]
    assert good["sync_plan"]["kind"] == "evalkit-plan-record"  # not the whole plan (issue 15)
    assert "#### `+` `invoice-extractor` (new agent)" in good["sync_plan"]["markdown"]

    subprocess.run([git, "apply", str(INVOICES / "broken-agent.patch")], cwd=root, check=True)
    code, stdout, stderr = finish(
        evalkit(
            "--json",
            "run",
            "--out",
            str(tmp_path / "broken"),
            "--baseline",
            str(tmp_path / "good"),  # the run's folder: its summary.json
            cwd=project,
        )
    )
    assert code == 1, stderr
    summary = json.loads(stdout)
    assert summary["status"] == "gate_failed"
    assert {r["example"] for r in summary["regressions"]} == BROKEN
    results = {
        r.example: r for r in read_results_file(tmp_path / "broken" / "results.jsonl").results
    }
    assert {name for name, r in results.items() if r.verdict is not Verdict.PASS} == BROKEN
    for name in BROKEN:
        comparison = results[name].comparison
        assert comparison is not None
        pointers = {d["pointer"] for d in comparison["differences"]}
        assert pointers
        assert all(p.endswith("/quantity") for p in pointers), pointers

    # The verdicts are on the executions, in the platform's own state.
    expected = json.loads(
        (project / "agents/invoice-extractor/examples/pinecone-hours-cad/expected.json").read_text()
    )
    with (
        local_platform(project / ".evalkit" / "platform") as running,
        EigenpalClient(api_key=API_KEY, base_url=running.base_url) as client,
    ):
        execution = results["pinecone-hours-cad"].execution
        assert execution is not None
        detail = client.agents.executions.get_feedback(execution.id)
        assert detail.feedback is not None
        assert detail.feedback.rating is not None
        assert detail.feedback.rating.value in ("fail", "partial")
        assert detail.feedback.status is not None
        assert detail.feedback.status.value == "open"
        assert "/quantity` | changed" in detail.feedback.body
        assert detail.expected == expected
        assert [f.name for f in detail.expected_files] == ["line_items.csv"]


SLOW_MANIFEST = """
version: 1
agents:
  - slug: slowpoke
    config:
      triggers: {api: {enabled: true}}
      runtime: {builtin: fixed, output: {done: true}, delayMs: 120000}
    examples:
""" + "".join(
    f"      - {{name: ex{i}, input: {{n: {i}}}, expected: {{done: true}}}}\n" for i in range(4)
)


@pytest.mark.slow
def test_ctrl_c_cancels_executions_in_flight_and_keeps_the_results(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "evalkit.yaml").write_text(SLOW_MANIFEST)
    out = tmp_path / "out"
    with local_platform(tmp_path / "platform") as running:
        env = {"EIGENPAL_BASE_URL": running.base_url, "EIGENPAL_API_KEY": API_KEY}
        process = evalkit("run", "--sync", "--out", str(out), cwd=project, env=env)
        try:
            with EigenpalClient(api_key=API_KEY, base_url=running.base_url) as client:
                running_ids = wait_for_running(client, process, count=4)
                process.send_signal(signal.SIGINT)
                code, _, stderr = finish(process, timeout=120)
                assert code == 130, stderr
                run_id = read_summary_file(out / "summary.json").metadata.run_id
                statuses = {
                    e.id: e.status.value
                    for e in client.agents.executions.iter_list("slowpoke", batch_id=run_id)
                }
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert set(running_ids) <= set(statuses)
    assert set(statuses.values()) == {"cancelled"}
    results = read_results_file(out / "results.jsonl").results
    assert sorted(r.example for r in results) == ["ex0", "ex1", "ex2", "ex3"]
    assert {r.verdict for r in results} == {Verdict.CANCELLED}
    summary = read_summary_file(out / "summary.json")
    assert summary.interrupted
    assert summary.exit_code == 130


def wait_for_running(
    client: EigenpalClient, process: subprocess.Popen[str], count: int
) -> list[str]:
    """The ids of the run's executions once ``count`` of them are running on the platform."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"evalkit exited early: {process.communicate()}")
        try:
            found: list[Any] = list(
                client.agents.executions.iter_list("slowpoke", status="running")
            )
        except EigenpalNotFoundError:  # not synced yet
            found = []
        if len(found) >= count:
            return [e.id for e in found]
        time.sleep(0.2)
    process.kill()
    raise AssertionError("executions never started")


SMALL_MANIFEST = """
version: 1
agents:
  - slug: tiny
    examples:
      - {name: a, expected: {ok: true}}
      - {name: b, expected: {ok: true}}
"""


def test_usage_errors_exit_2_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "evalkit.yaml").write_text(SMALL_MANIFEST)
    code, _, stderr = finish(evalkit("run", "--only", "tiny-typo", cwd=tmp_path), timeout=60)
    assert code == 2
    assert "--only tiny-typo" in stderr
    assert "known: tiny" in stderr
    assert "Traceback" not in stderr

    (tmp_path / "evalkit.yaml").write_text("version: 1\nagents: [{slug: Not A Slug}]\n")
    code, _, stderr = finish(evalkit("run", cwd=tmp_path), timeout=60)
    assert code == 2
    assert "evalkit.yaml:2" in stderr
    assert "Traceback" not in stderr


def test_an_unreachable_platform_exits_3_before_anything_starts(tmp_path: Path) -> None:
    (tmp_path / "evalkit.yaml").write_text(SMALL_MANIFEST)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"EIGENPAL_BASE_URL": f"http://127.0.0.1:{port}", "EIGENPAL_API_KEY": "eg_secret_key"}
    out = tmp_path / "out"
    code, stdout, stderr = finish(
        evalkit("--json", "run", "--out", str(out), cwd=tmp_path, env=env), timeout=120
    )
    assert code == 3, stderr
    assert f"remote platform http://127.0.0.1:{port}" in stderr
    assert "cannot reach the EigenPal API" in stderr
    assert stderr.count("cannot reach") == 1, "one message, not one per example"
    assert "Traceback" not in stderr
    assert not out.exists(), "nothing started, nothing written"
    assert not (tmp_path / ".evalkit" / "reports").exists()
    for text in (stdout, stderr):
        assert "eg_secret_key" not in text


def test_an_untracked_manifest_makes_the_recorded_commit_dirty(tmp_path: Path) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")

    def run_git(*args: str) -> None:
        command = [git, "-c", "user.name=t", "-c", "user.email=t@example.com", *args]
        subprocess.run(command, cwd=tmp_path, check=True, capture_output=True)

    run_git("init", "-q")
    run_git("commit", "-q", "--allow-empty", "-m", "first")
    (tmp_path / "evalkit.yaml").write_text(FIXED_MANIFEST)
    code, stdout, stderr = finish(evalkit("--json", "run", "--no-report", cwd=tmp_path))
    assert code == 0, stderr
    # The recorded commit does not hold the manifest that produced these results.
    assert json.loads(stdout)["metadata"]["git"]["dirty"] is True

    run_git("add", "evalkit.yaml")
    run_git("commit", "-q", "-m", "manifest")
    # .evalkit/ (the first run's platform state and results) is not ignored in this
    # repository, but it is evalkit's own: it does not make the checkout dirty.
    assert (tmp_path / ".evalkit" / "runs").is_dir()
    code, stdout, stderr = finish(evalkit("--json", "run", "--no-report", cwd=tmp_path))
    assert code == 0, stderr
    assert json.loads(stdout)["metadata"]["git"]["dirty"] is False


FIXED_MANIFEST = """
version: 1
agents:
  - slug: fixed
    config:
      runtime: {builtin: fixed, output: {ok: true}}
    examples:
      - {name: a, expected: {ok: true}}
"""
