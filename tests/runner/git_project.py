"""A small evalkit project in a scripted git history, for ``--changed-since`` tests.

Agents ``a`` (a workspace, a folder of examples), ``b`` (a json_schema rule, an example
tagged ``always``), ``c`` (a python scorer that imports a neighbour) and a workflow suite
``flow``; every agent runs the builtin ``echo`` on the local platform, so the examples pass.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

MANIFEST = """\
version: 1
defaults:
  compare:
    ignore: [/at]
agents:
  - slug: a
    config: {runtime: {builtin: echo}}
    workspace: agents/a/
    examples: agents/a/examples/
  - slug: b
    config: {runtime: {builtin: echo}}
    workspace: agents/b/
    examples:
      - folder: agents/b/examples/
        examples:
          kept: {tags: [always]}
    compare:
      rules:
        "": {json_schema: schemas/b.json}
  - slug: c
    config: {runtime: {builtin: echo}}
    workspace: agents/c/
    examples:
      - name: inline
        input: {q: 3}
        expected: {q: 3}
    compare:
      rules:
        /q: {python: "scorers/score.py:score"}
workflows:
  - workflow: flow
    examples:
      - {name: w1, input: {q: 4}, expected: {q: 4}}
environments:
  pr:
    slug: "{slug}-pr"
"""

SCORER = """\
from helpers import same


def score(expected, actual):
    return same(expected, actual)
"""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def write_example(folder: Path, value: object) -> None:
    write(folder / "input.json", json.dumps({"q": value}))
    write(folder / "expected.json", json.dumps({"q": value}))


def make_project(root: Path) -> Path:
    """The project committed on ``main``, checked out on a new branch ``pr``."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    write(root / ".gitignore", "/.evalkit/\n")
    write(root / "evalkit.yaml", MANIFEST)
    for agent in ("a", "b", "c"):
        write(root / "agents" / agent / "AGENT.md", f"# {agent}\n")
    write_example(root / "agents" / "a" / "examples" / "one", 1)
    write_example(root / "agents" / "b" / "examples" / "two", 2)
    write_example(root / "agents" / "b" / "examples" / "kept", 5)
    write(root / "schemas" / "b.json", '{"type": "object"}\n')
    write(root / "scorers" / "score.py", SCORER)
    write(root / "scorers" / "helpers.py", "def same(a, b):\n    return a == b\n")
    write(root / "README.md", "# project\n")
    commit(root, "start")
    git(root, "checkout", "-q", "-b", "pr")
    return root


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
