"""Agents that misbehave on the local platform: each gets a clear verdict or a bounded result,
evalkit never crashes, nothing is written outside the run and report folders, nothing outside
the scratch folder leaks into the results, and the platform keeps serving the next example."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from .processes import evalkit, files_below

CANARY = "CANARY-outside-the-workspace-4f1d"

# name -> main.py; every agent's single example expects {"ok": true}
PROGRAMS = {
    "symlinker": """
        import json, os, pathlib
        pathlib.Path("output").mkdir()
        os.symlink({canary!r}, "output/leak.txt")
        pathlib.Path("output.json").write_text(json.dumps({"ok": True}))
    """,
    "flood": """
        import sys
        chunk = "x" * 1024 * 1024
        for _ in range(50):
            sys.stdout.write(chunk)
    """,
    "garbage": """
        import pathlib
        pathlib.Path("output.json").write_text('{"ok": tru')
    """,
    "deep": """
        import pathlib
        pathlib.Path("output.json").write_text("[" * 100000 + "]" * 100000)
    """,
    "sleeper": """
        import time
        time.sleep(3600)
    """,
    "markup": """
        import json, sys
        print("[/oops] [bold]\\x1b[2J <script>alert(1)</script>", file=sys.stderr)
        sys.exit(3)
    """,
    "healthy": """
        import json, pathlib
        pathlib.Path("output.json").write_text(json.dumps({"ok": True}))
    """,
}


def write_project(root: Path, canary: Path) -> Path:
    lines = ["version: 1", "agents:"]
    for name, program in PROGRAMS.items():
        agent = root / "agents" / name
        example = agent / "examples" / "one"
        example.mkdir(parents=True)
        source = program.replace("{canary!r}", repr(str(canary)))
        (agent / "main.py").write_text(textwrap.dedent(source))
        (example / "input.json").write_text("{}")
        (example / "expected.json").write_text(json.dumps({"ok": True}))
        lines += [
            f"  - slug: {name}",
            f"    name: {name}",
            "    config: {runtime: {timeoutSeconds: 5}}",
            f"    workspace: agents/{name}/",
            f"    examples: agents/{name}/examples/",
        ]
    (root / "evalkit.yaml").write_text("\n".join(lines) + "\n")
    return root / "evalkit.yaml"


@pytest.mark.slow
def test_misbehaving_agents_get_verdicts_and_nothing_escapes(tmp_path: Path) -> None:
    canary = tmp_path / "outside.txt"
    canary.write_text(CANARY)
    project = tmp_path / "project"
    manifest = write_project(project, canary)
    before = {path: path.stat().st_mtime_ns for path in files_below(tmp_path)}

    run = evalkit("-m", str(manifest), "run", cwd=project, timeout=600)

    assert "Traceback" not in run.printed, run.printed
    assert run.code == 1, run.printed
    assert "\x1b[2J" not in run.printed, "a terminal control sequence from an agent was printed"
    (run_folder,) = (project / ".evalkit" / "runs").iterdir()
    lines = (run_folder / "results.jsonl").read_text().splitlines()
    results = {row["agent"]: row for row in map(json.loads, lines)}
    assert set(results) == set(PROGRAMS)
    assert results["healthy"]["verdict"] == "pass", "the platform kept serving"
    for name in set(PROGRAMS) - {"healthy"}:
        assert results[name]["verdict"] == "error", results[name]
        assert results[name]["error"]["kind"] == "failed", results[name]
    assert "symbolic link" in results["symlinker"]["error"]["message"]
    assert "timed out" in results["sleeper"]["error"]["message"]
    assert "not valid JSON" in results["garbage"]["error"]["message"]
    assert "nested" in results["deep"]["error"]["message"]
    assert "size limit" in results["flood"]["error"]["message"]

    # Nothing outside the project's .evalkit changed; the canary is nowhere in what was written.
    evalkit_dir = project / ".evalkit"
    for path in files_below(tmp_path, skip=[evalkit_dir]):
        assert before.get(path) == path.stat().st_mtime_ns, f"{path} was written"
    for path in files_below(evalkit_dir, skip=[evalkit_dir / "platform"]):
        assert CANARY.encode() not in path.read_bytes(), f"{path} holds the canary"
    assert sorted(os.listdir(project)) == [".evalkit", "agents", "evalkit.yaml"]
