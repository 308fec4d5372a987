"""A generated project with the example project's shape (examples/invoices): a manifest, and
per agent a workspace folder holding AGENT.md, other files and its examples, which sync uploads
with the workspace as a user's would be.

The project is committed in a git repository of its own, as a user's is (a run records its
commit and whether what it evaluates is committed: git's commands are part of its start).

The agents use the local platform's builtin ``echo`` runtime with ``delayMs``: each execution
takes the given time and returns its scalar input, so every example passes and the platform
does nothing but wait (docs/agent-runtime.md).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MANIFEST = "evalkit.yaml"


@dataclass(frozen=True)
class Shape:
    examples: int  # per agent
    delay_ms: int
    agents: int = 1
    #: workspace files besides AGENT.md and the examples
    extra_files: int = 0
    #: examples written in the manifest instead of folders (as a large project would)
    inline: bool = False


def agent_slug(index: int) -> str:
    return f"bench-agent-{index:02d}"


def example_name(index: int) -> str:
    return f"ex{index:05d}"


def example_input(index: int) -> dict[str, Any]:
    """About 600 bytes of JSON, an invoice's worth, so manifests have a realistic size."""
    return {
        "invoice": f"INV-{index:06d}",
        "vendor": f"Vendor number {index % 97}",
        "currency": "EUR",
        "lines": [
            {"sku": f"SKU-{index % 13}-{line}", "quantity": line + 1, "price": 1.25 * line}
            for line in range(6)
        ],
        "notes": "Delivered in two parts; the second part was late by three days.",
    }


def write_project(root: Path, shape: Shape) -> Path:
    """Write the project into ``root`` (created); return the manifest's path."""
    root.mkdir(parents=True, exist_ok=True)
    agents = []
    for index in range(shape.agents):
        slug = agent_slug(index)
        workspace = root / "agents" / slug
        _write_workspace(workspace, slug, shape)
        entry: dict[str, Any] = {
            "slug": slug,
            "name": f"Benchmark agent {index}",
            "config": {"runtime": {"builtin": "echo", "delayMs": shape.delay_ms}},
            "workspace": f"agents/{slug}/",
        }
        if shape.inline:
            entry["examples"] = [
                {"name": example_name(n), "input": example_input(n), "expected": example_input(n)}
                for n in range(shape.examples)
            ]
        else:
            entry["examples"] = f"agents/{slug}/examples/"
            _write_example_folders(workspace / "examples", shape.examples)
        agents.append(entry)
    manifest = root / MANIFEST
    if shape.inline and shape.agents > 1:
        # a manifest file may hold 10 MB: a large project keeps each agent in its own file
        for entry in agents:
            entry["workspace"] = "../" + entry["workspace"]  # relative to its own file
            _dump(root / "manifests" / f"{entry['slug']}.yaml", {"version": 1, "agents": [entry]})
        _dump(manifest, {"version": 1, "include": ["manifests/*.yaml"]})
    else:
        _dump(manifest, {"version": 1, "agents": agents})
    _commit(root)
    return manifest


def _commit(root: Path) -> None:
    """Commit the project in a repository of its own (nothing, where git is missing)."""
    if shutil.which("git") is None:
        return
    (root / ".gitignore").write_text(".evalkit/\n")
    author = ["-c", "user.name=evalkit benchmarks", "-c", "user.email=benchmarks@example.invalid"]
    for command in (["init", "-q"], ["add", "-A"], [*author, "commit", "-q", "-m", "project"]):
        subprocess.run(["git", *command], cwd=root, check=True, capture_output=True)


def _dump(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    with path.open("w", encoding="utf-8") as out:
        yaml.dump(document, out, Dumper=dumper, sort_keys=False, width=100)


def _write_workspace(workspace: Path, slug: str, shape: Shape) -> None:
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / "AGENT.md").write_text(f"# {slug}\n\nEchoes its input after a delay.\n")
    for number in range(shape.extra_files):
        skill = workspace / "skills" / f"skill-{number:03d}.md"
        skill.parent.mkdir(exist_ok=True)
        skill.write_text(f"# Skill {number}\n\n" + "A line of instructions.\n" * 20)


def _write_example_folders(folder: Path, count: int) -> None:
    for number in range(count):
        example = folder / example_name(number)
        example.mkdir(parents=True, exist_ok=True)
        text = json.dumps(example_input(number), indent=2) + "\n"
        (example / "input.json").write_text(text)
        (example / "expected.json").write_text(text)
