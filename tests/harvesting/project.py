"""A project on disk with one agent, synced to a loopback platform, and executions made on it
as production would (through the client, without evalkit's labels)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

import evalkit
from evalkit.api import AgentExecutionSummary
from evalkit.client import EigenpalClient
from evalkit.connection import Connection


@dataclass(frozen=True)
class Project:
    root: Path
    manifest: Path
    slug: str
    connection: Connection

    @property
    def examples(self) -> Path:
        return self.root / "agents" / self.slug / "examples"

    def example(self, name: str) -> Path:
        return self.examples / name

    def set_runtime(self, output: Any, files: dict[str, str] | None = None) -> None:
        """The agent's answer (the local platform's ``fixed`` builtin runtime)."""
        data = yaml.safe_load(self.manifest.read_text(encoding="utf-8"))
        data["agents"][0]["config"]["runtime"] = {
            "builtin": "fixed",
            "output": output,
            "files": files or {},
        }
        self.manifest.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    def sync(self) -> None:
        outcome = evalkit.apply(self.manifest, connection=self.connection)
        assert outcome.result.state == "converged", outcome.result


def write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value), encoding="utf-8")


def make_project(
    root: Path,
    connection: Connection,
    *,
    output: Any,
    files: dict[str, str] | None = None,
    input_schema: dict[str, Any] | None = None,
) -> Project:
    """A project whose agent answers ``output`` (and ``files``), with one example ``seed``
    that expects exactly that; synced."""
    slug = f"shop-{uuid.uuid4().hex[:8]}"
    root.mkdir(parents=True, exist_ok=True)
    manifest = root / "evalkit.yaml"
    manifest.write_text(
        yaml.safe_dump(
            {
                "version": 1,
                "agents": [
                    {
                        "slug": slug,
                        "config": {},
                        "workspace": f"agents/{slug}/",
                        "examples": f"agents/{slug}/examples/",
                    }
                ],
            },
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    workspace = root / "agents" / slug
    (workspace / "AGENT.md").parent.mkdir(parents=True, exist_ok=True)
    (workspace / "AGENT.md").write_text("Totals an order.\n", encoding="utf-8")
    if input_schema is not None:
        write_json(workspace / "input-schema.json", input_schema)
    project = Project(root, manifest, slug, connection)
    project.set_runtime(output, files)
    seed = project.example("seed")
    write_json(seed / "input.json", {"order": "seed"})
    write_json(seed / "expected.json", output)
    for name, text in (files or {}).items():
        target = seed / "expected" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    project.sync()
    return project


def production_run(
    client: EigenpalClient, slug: str, inputs: dict[str, Any]
) -> AgentExecutionSummary:
    """An execution as a user of the agent makes one: no evalkit labels."""
    execution = client.agents.run_and_wait(slug, inputs)
    assert execution.status == "completed", execution.error
    return execution


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its relative path, with its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
