"""The API key appears nowhere: not in any command's output (successes and failures, ``-vv``
debug logs, ``--json``, GitHub annotations and step summaries), nor in any file evalkit writes
(results, summaries, reports, plan files, pulled manifests).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .processes import Finished, copy_invoices, evalkit, files_below, serve

SECRET = "eg_live_RECOGNISABLE_0123456789abcdef"
WRONG = "eg_live_WRONG_KEY_0123456789abcdef"
CLOSED_PORT_URL = "http://127.0.0.1:9"


def _no_secret_in(finished: Finished, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in finished.printed
        assert secret[8:24] not in finished.printed, "a piece of the key was printed"
    assert "Traceback" not in finished.printed, finished.printed


@pytest.mark.slow
def test_no_command_prints_or_writes_the_key(tmp_path: Path) -> None:
    project = tmp_path / "project"
    manifest = copy_invoices(project)
    summary = tmp_path / "step-summary.md"
    pulled = tmp_path / "pulled"
    outcomes: dict[str, Finished] = {}
    with serve(tmp_path / "platform", SECRET) as served:
        env = {**served.env(), "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
        m = ["-m", str(manifest)]
        commands: dict[str, list[str]] = {
            "validate": [*m, "validate"],
            "plan -vv": [*m, "-vv", "plan"],
            "plan --json --out": [*m, "--json", "plan", "--out", str(tmp_path / "plan.json")],
            "plan --markdown": [*m, "plan", "--markdown"],
            "sync --plan": [*m, "-vv", "sync", "--yes", "--plan", str(tmp_path / "plan.json")],
            "sync": [*m, "sync", "--yes"],
            "run -vv": [*m, "-vv", "run"],
            "run --json": [*m, "--json", "run", "--no-sync"],
            "pull": ["-m", str(pulled / "evalkit.yaml"), "-vv", "pull", "invoice-extractor"],
            "schema": [*m, "schema", "--out", str(tmp_path / "schema.json")],
        }
        for name, argv in commands.items():
            outcomes[name] = evalkit(*argv, cwd=project, env=env)
        runs = sorted((project / ".evalkit" / "runs").iterdir())
        outcomes["report"] = evalkit(*m, "report", str(runs[-1]), cwd=project, env=env)
        # The key given on the command line instead of the environment.
        outcomes["--api-key"] = evalkit(
            *m, "--api-key", SECRET, "--base-url", served.base_url, "-vv", "plan", cwd=project
        )
        # Failures: a refused key, an unreachable platform, a broken manifest.
        refused = {**env, "EIGENPAL_API_KEY": WRONG}
        for name in ("plan", "sync", "run", "pull"):
            argv = [*m, "-vv", name] + (["invoice-extractor"] if name == "pull" else [])
            outcomes[f"{name} refused"] = evalkit(*argv, cwd=project, env=refused)
        unreachable = {**env, "EIGENPAL_BASE_URL": CLOSED_PORT_URL}
        for name in ("plan", "run"):
            outcomes[f"{name} unreachable"] = evalkit(*m, "-vv", name, cwd=project, env=unreachable)
        broken = tmp_path / "broken.yaml"
        broken.write_text("version: 1\nagents: [{slug: ${EIGENPAL_API_KEY}}]\n")
        outcomes["broken manifest"] = evalkit("-m", str(broken), "plan", cwd=project, env=env)

    # Each command did what it should, so that "no key" means something.
    assert outcomes["sync"].code == 0, outcomes["sync"].printed
    assert outcomes["run -vv"].code == 0, outcomes["run -vv"].printed
    assert outcomes["pull"].code == 0, outcomes["pull"].printed
    assert "::" in outcomes["run -vv"].stdout or summary.exists(), "GitHub output was written"
    for name in ("plan", "sync", "run", "pull"):
        assert outcomes[f"{name} refused"].code == 3, outcomes[f"{name} refused"].printed
    assert outcomes["broken manifest"].code == 2
    for name, finished in outcomes.items():
        try:
            _no_secret_in(finished, SECRET, WRONG)
        except AssertionError as err:
            raise AssertionError(f"evalkit {name}: {err}") from err

    written = list(files_below(tmp_path, skip=[tmp_path / "platform"]))
    assert any(path.name == "report.html" for path in written)
    assert any(path.name == "results.jsonl" for path in written)
    for path in written:
        content = path.read_bytes()
        assert SECRET.encode() not in content, f"the key is in {path}"
        assert WRONG.encode() not in content, f"the key is in {path}"
