"""Projects made for the reliability suite: many examples of an agent shaped like a real one
(JSON input and an input file in, JSON and a file out, expected JSON and an expected file)."""

from __future__ import annotations

import json
from pathlib import Path


def write_echo_project(root: Path, examples: int, *, delay_ms: int = 50) -> Path:
    """An agent on the platform's ``echo`` runtime (the output is the input, input files come
    back as output files) with ``examples`` examples that all pass; returns the manifest."""
    agent = root / "agents" / "echo"
    (agent / "examples").mkdir(parents=True)
    (agent / "AGENT.md").write_text("# Echo\n\nAnswers with its input.\n")
    for index in range(examples):
        example = agent / "examples" / f"ex{index:04d}"
        (example / "input").mkdir(parents=True)
        (example / "expected").mkdir()
        document = {"n": index, "name": f"item {index}", "tags": ["a", "b"]}
        (example / "input.json").write_text(json.dumps(document))
        (example / "expected.json").write_text(json.dumps(document))
        (example / "input" / "doc.txt").write_text(f"document {index}\n")
        (example / "expected" / "doc.txt").write_text(f"document {index}\n")
    manifest = root / "evalkit.yaml"
    manifest.write_text(
        "version: 1\n"
        "agents:\n"
        "  - slug: echo\n"
        "    name: Echo\n"
        "    config:\n"
        "      triggers: {api: {enabled: true}}\n"
        f"      runtime: {{builtin: echo, delayMs: {delay_ms}}}\n"
        "    workspace: agents/echo/\n"
        "    examples: agents/echo/examples/\n"
    )
    return manifest
