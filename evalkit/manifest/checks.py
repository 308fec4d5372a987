"""``validate_manifest``: everything that can be checked without a platform, and a summary.

Beyond what ``load_manifest`` checks (shape, paths, example folders, rules, templates), this
walks every workspace: files that cannot sync, JSON files that do not parse, and JSON Schemas
(``input-schema.json``, ``output-schema.json``, ``*.schema.json``) that are not valid schemas.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for

from evalkit.errors import ManifestError, ManifestProblem
from evalkit.manifest.examples import Resolution, read_json
from evalkit.manifest.loader import load_manifest
from evalkit.manifest.paths import display_path, file_mark
from evalkit.manifest.spec import AgentSpec, Manifest

_SCHEMA_NAMES = ("input-schema.json", "output-schema.json")


@dataclass(frozen=True)
class AgentSummary:
    #: the slug written in the manifest, and the one used under the chosen environment
    slug: str
    target_slug: str
    workspace_files: int
    examples: int


@dataclass(frozen=True)
class WorkflowSummary:
    workflow: str
    version: str
    examples: int


@dataclass(frozen=True)
class ValidationSummary:
    """What a valid manifest holds, for ``evalkit validate`` to print."""

    manifest: str
    files: tuple[str, ...]
    agents: tuple[AgentSummary, ...]
    workflows: tuple[WorkflowSummary, ...]
    environments: tuple[str, ...]
    digest: str
    environment: str | None = None

    @property
    def example_count(self) -> int:
        return sum(a.examples for a in self.agents) + sum(w.examples for w in self.workflows)

    def as_dict(self) -> dict[str, object]:
        return {
            "valid": True,
            "manifest": self.manifest,
            "files": list(self.files),
            "agents": [vars(a) for a in self.agents],
            "workflows": [vars(w) for w in self.workflows],
            "environments": list(self.environments),
            "environment": self.environment,
            "examples": self.example_count,
            "digest": self.digest,
        }


def validate_manifest(
    path: Path, *, env: Mapping[str, str] | None = None, environment: str | None = None
) -> ValidationSummary:
    """Load the manifest (under ``environment`` if given) and check every workspace;
    ``ManifestError`` lists all problems."""
    manifest = load_manifest(path, env=env)
    if environment is not None:
        manifest = manifest.with_environment(environment)
    res = Resolution(manifest.project_root)
    agents = tuple(_check_agent(agent, res) for agent in manifest.agents)
    if res.problems:
        raise ManifestError(res.problems)
    return _summary(manifest, agents)


def _check_agent(agent: AgentSpec, res: Resolution) -> AgentSummary:
    try:
        files = agent.workspace_files()
    except ManifestError as err:
        res.problems.extend(err.problems)
        files = {}
    for relative, path in files.items():
        if not relative.endswith(".json"):
            continue
        ok, value = read_json(path, res)
        name = relative.rsplit("/", 1)[-1]
        if ok and (name in _SCHEMA_NAMES or name.endswith(".schema.json")):
            _check_schema(path, value, res)
    return AgentSummary(agent.manifest_slug, agent.slug, len(files), len(agent.examples))


def _check_schema(path: Path, schema: object, res: Resolution) -> None:
    if isinstance(schema, bool):
        return  # true and false are valid (if unusual) schemas
    if not isinstance(schema, dict):
        res.fail(file_mark(path), "a JSON Schema must be a JSON object")
        return
    try:
        validator_for(schema).check_schema(schema)
    except SchemaError as err:
        where = "/" + "/".join(str(p) for p in err.absolute_path)
        res.problems.append(
            ManifestProblem(
                file_mark(path),
                f"invalid JSON Schema at {where if where != '/' else 'the root'}: {err.message}",
                hint="see https://json-schema.org/understanding-json-schema/",
            )
        )


def _summary(manifest: Manifest, agents: tuple[AgentSummary, ...]) -> ValidationSummary:
    return ValidationSummary(
        manifest=display_path(manifest.path),
        files=tuple(display_path(p) for p in manifest.sources),
        agents=agents,
        workflows=tuple(
            WorkflowSummary(w.workflow, w.version, len(w.examples)) for w in manifest.workflows
        ),
        environments=tuple(sorted(manifest.environments)),
        digest=manifest.digest,
        environment=manifest.environment,
    )
