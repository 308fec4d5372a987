"""The regression loop on the example project: the broken agent (broken-agent.patch) fails
three examples; ``evalkit run --update --yes`` accepts them; git then shows exactly one line
per accepted example (the truncated quantity: the tolerated totals and the order-free line
items keep their text), and the next run passes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INVOICES = ROOT / "examples" / "invoices"
BROKEN = {"nordlicht-german-eur", "lumen-semicolon-csv-eur", "pinecone-hours-cad"}


def evalkit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("EIGENPAL_") and k != "CI"
    }
    environment["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "evalkit", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def git(*args: str, cwd: Path) -> str:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args]
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.mark.slow
def test_the_broken_agent_accepted_shows_one_line_per_example_and_passes_again(
    tmp_path: Path,
) -> None:
    # CI runs in a git checkout (.github/workflows/ci.yml): a missing git must not pass
    assert shutil.which("git") is not None, "git is needed to apply the broken-agent patch"
    root = tmp_path / "checkout"
    project = root / "examples" / "invoices"
    shutil.copytree(INVOICES, project, ignore=shutil.ignore_patterns(".evalkit", "__pycache__"))
    (root / ".gitignore").write_text(".evalkit/\n__pycache__/\n", encoding="utf-8")
    git("init", "-q", cwd=root)
    git("add", "-A", cwd=root)
    git("commit", "-qm", "start", cwd=root)
    git("apply", str(INVOICES / "broken-agent.patch"), cwd=root)
    git("commit", "-qam", "the agent truncates quantities (on purpose)", cwd=root)

    ran = evalkit("--json", "run", "--no-report", "--update", "--yes", cwd=project)
    assert ran.returncode == 0, ran.stderr
    data = json.loads(ran.stdout)
    assert data["counts"]["failed"] + data["counts"]["partial"] == len(BROKEN)
    assert {item["example"] for item in data["accept"]["accepted"]} == BROKEN

    changed = git("diff", "--name-only", cwd=root).split()
    assert sorted(changed) == sorted(
        f"examples/invoices/agents/invoice-extractor/examples/{name}/expected.json"
        for name in BROKEN
    )
    diff = git("diff", "-U0", "--no-color", cwd=root)
    removed = [line for line in diff.splitlines() if line.startswith("-") and "---" not in line]
    added = [line for line in diff.splitlines() if line.startswith("+") and "+++" not in line]
    assert len(removed) == len(added) == len(BROKEN)
    for old, new in zip(removed, added, strict=True):
        assert '"quantity": ' in old
        assert old[1:].replace('"quantity": ', "") != new[1:].replace('"quantity": ', "")

    again = evalkit("--json", "run", "--no-report", cwd=project)
    assert again.returncode == 0, again.stderr
