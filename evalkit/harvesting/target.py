"""Where an agent's new examples go, and which executions its examples came from already."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from evalkit.harvesting.draft import HarvestError, file_fields_of
from evalkit.manifest import AgentSpec, ExampleSpec, Manifest


@dataclass(frozen=True)
class Target:
    """An agent of the manifest, ready to receive examples."""

    agent: AgentSpec
    #: the examples folder new examples are written into (the agent's first)
    folder: Path
    #: the file inputs of its input schema (``None``: unknown)
    file_fields: frozenset[str] | None
    #: execution id -> the example made from it (the examples' ``source.json``)
    sources: Mapping[str, str]
    #: every example of the agent by name, folder or inline
    examples: Mapping[str, ExampleSpec]

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.examples)


def target_of(manifest: Manifest, slug: str | None) -> Target:
    """The agent ``slug`` of ``manifest`` (the only agent when ``slug`` is ``None``) and its
    examples folder; ``HarvestError`` saying what to add when there is none."""
    agent = _agent(manifest, slug)
    folders = list(agent.example_folders)
    if not folders:
        raise HarvestError(
            f"agent {agent.manifest_slug!r} has no examples folder to write examples into: "
            f"declare one in {manifest.path.name} (examples: {_suggested(manifest, agent)}), "
            "holding at least one example, or add a {folder: ...} entry beside its inline "
            "examples"
        )
    sources = {e.source.execution: e.name for e in agent.examples if e.source is not None}
    return Target(
        agent=agent,
        folder=folders[0],
        file_fields=file_fields_of(agent.workspace_files()),
        sources=sources,
        examples={e.name: e for e in agent.examples},
    )


def _agent(manifest: Manifest, slug: str | None) -> AgentSpec:
    slugs = [agent.manifest_slug for agent in manifest.agents]
    if slug is None:
        if len(manifest.agents) == 1:
            return manifest.agents[0]
        listed = ", ".join(slugs) or "none"
        raise HarvestError(f"say which agent with --agent SLUG (the manifest has: {listed})")
    try:
        return manifest.agent(slug)
    except KeyError:
        listed = ", ".join(slugs) or "none"
        raise HarvestError(
            f"no agent {slug!r} in {manifest.path.name} (agents: {listed})"
        ) from None


def _suggested(manifest: Manifest, agent: AgentSpec) -> str:
    """An examples folder for ``agent``: ``examples/`` in its workspace, else beside it."""
    base = manifest.path.parent
    if agent.workspace is not None:
        relative = os.path.relpath(agent.workspace.path, base)
        return f"{Path(relative).as_posix()}/examples/"
    return f"agents/{agent.manifest_slug}/examples/"
