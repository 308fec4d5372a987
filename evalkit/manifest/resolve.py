"""From validated manifest files to resolved specs: paths, examples, merged rules, checks that
span entries (unique slugs, unique example names, environment templates)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit.compare.rules import CompareSpec
from evalkit.errors import SourceMark
from evalkit.manifest.examples import Owner, Resolution, folder_examples, inline_example
from evalkit.manifest.levels import PlacedRepeat, merge_compare, merge_gates
from evalkit.manifest.models import (
    SLUG_MAX,
    SLUG_PATTERN,
    Agent,
    Environment,
    ExampleFolder,
    Gates,
    Workflow,
    Workspace,
)
from evalkit.manifest.paths import PathProblem, resolve_inside
from evalkit.manifest.spec import AgentSpec, EnvironmentSpec, ExampleSpec, WorkflowSpec
from evalkit.manifest.workspace import WorkspaceSpec, glob_regex
from evalkit.manifest.yaml_source import Loc, YamlSource, loc_text
from evalkit.safe_paths import is_inside

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass
class ParsedFile:
    """One manifest file: its source and the parts of it that validated."""

    source: YamlSource
    agents: list[tuple[int, Agent]] = field(default_factory=list)
    workflows: list[tuple[int, Workflow]] = field(default_factory=list)
    environments: dict[str, Environment] = field(default_factory=dict)
    defaults_compare: CompareSpec | None = None
    defaults_repeat: PlacedRepeat = field(default_factory=PlacedRepeat)
    gates: Gates | None = None
    #: ``local_platform.workflows`` as written (root manifest only)
    local_workflows: str | None = None
    #: ``local_platform.pass_env`` (root manifest only)
    local_pass_env: tuple[str, ...] = ()
    #: ``ignore_orphans`` (root manifest only)
    ignore_orphans: tuple[str, ...] = ()
    #: each environment's slug template before ``${VAR}`` interpolation (root manifest only)
    slugs_as_written: dict[str, str] = field(default_factory=dict)


def resolve_agent(
    raw: Agent,
    loc: Loc,
    source: YamlSource,
    res: Resolution,
    defaults: CompareSpec,
    gates: Gates,
    repeat: PlacedRepeat | None = None,
) -> AgentSpec:
    compare = merge_compare(defaults, res.anchored(raw.compare, source, (*loc, "compare")))
    owner = Owner(
        agent_slug=raw.slug,
        workflow=None,
        compare=compare,
        tags=tuple(raw.tags),
        repeat=(repeat or PlacedRepeat()).over(raw.repeat, source, (*loc, "repeat")),
    )
    examples, folders = _examples(raw.examples, (*loc, "examples"), source, res, owner)
    workspace = None
    if raw.workspace is not None:
        awaiting = raw.slug in res.awaiting_workspaces
        workspace = _workspace(
            raw.workspace, (*loc, "workspace"), source, res, folders, awaiting=awaiting
        )
    name = raw.name or raw.slug
    return AgentSpec(
        slug=raw.slug,
        name=name,
        description=raw.description,
        config=raw.config,
        tags=tuple(raw.tags),
        workspace=workspace,
        examples=tuple(examples),
        example_folders=tuple(folders),
        compare=compare,
        gates=merge_gates(gates, raw.gates),
        mark=source.mark(loc),
        manifest_slug=raw.slug,
        manifest_name=name,
    )


def resolve_workflow(
    raw: Workflow,
    loc: Loc,
    source: YamlSource,
    res: Resolution,
    defaults: CompareSpec,
    gates: Gates,
    repeat: PlacedRepeat | None = None,
) -> WorkflowSpec:
    compare = merge_compare(defaults, res.anchored(raw.compare, source, (*loc, "compare")))
    owner = Owner(
        agent_slug=None,
        workflow=raw.workflow,
        compare=compare,
        tags=tuple(raw.tags),
        repeat=(repeat or PlacedRepeat()).over(raw.repeat, source, (*loc, "repeat")),
    )
    examples, _ = _examples(raw.examples, (*loc, "examples"), source, res, owner)
    for example in examples:
        if example.expected_files:
            res.fail(
                example.mark,
                f"workflow example {example.name!r} expects files",
                loc_text(loc),
                "a workflow returns a JSON result only: compare it with 'expected'",
            )
    return WorkflowSpec(
        workflow=raw.workflow,
        version=raw.version,
        description=raw.description,
        tags=tuple(raw.tags),
        examples=tuple(examples),
        compare=compare,
        gates=merge_gates(gates, raw.gates),
        mark=source.mark(loc),
    )


def _examples(
    value: str | list[Any] | None, loc: Loc, source: YamlSource, res: Resolution, owner: Owner
) -> tuple[list[ExampleSpec], list[Path]]:
    entries: list[tuple[Any, Loc]]
    if value is None:
        entries = []
    elif isinstance(value, str):
        entries = [(ExampleFolder(folder=value), loc)]
    else:
        entries = [(entry, (*loc, index)) for index, entry in enumerate(value)]
    examples: list[ExampleSpec] = []
    folders: list[Path] = []
    for entry, entry_loc in entries:
        if isinstance(entry, ExampleFolder):
            folder, found = folder_examples(entry, entry_loc, source, res, owner)
            folders.extend([folder] if folder else [])
            examples.extend(found)
        else:
            example = inline_example(entry, entry_loc, source, res, owner)
            examples.extend([example] if example else [])
    first: dict[str, SourceMark] = {}
    unique = []
    for example in examples:
        if example.name in first:
            res.fail(
                example.mark,
                f"duplicate example name {example.name!r} (first at {first[example.name]})",
                hint="example names must be unique per agent or workflow",
            )
            continue
        first[example.name] = example.mark
        unique.append(example)
    return unique, folders


def _workspace(
    value: str | Workspace,
    loc: Loc,
    source: YamlSource,
    res: Resolution,
    folders: list[Path],
    *,
    awaiting: bool = False,
) -> WorkspaceSpec | None:
    """The resolved workspace; ``awaiting``: its folder may not exist yet (then it has no
    files, and no examples/ folder to declare)."""
    spec = Workspace(path=value) if isinstance(value, str) else value
    path_loc = loc if isinstance(value, str) else (*loc, "path")
    for index, pattern in enumerate(spec.exclude):
        try:
            glob_regex(pattern)
        except ValueError as err:
            pattern_loc = (*loc, "exclude", index)
            res.fail(source.mark(pattern_loc), str(err), loc_text(pattern_loc))
    folder = _awaited_folder(spec.path, source, res) if awaiting else None
    folder = folder or res.path(source, path_loc, spec.path, kind="folder")
    if folder is None:
        return None
    inside = tuple(f for f in folders if is_inside(f, folder))
    workspace = WorkspaceSpec(
        path=folder,
        exclude=tuple(spec.exclude),
        default_excludes=spec.default_excludes,
        example_folders=inside,
        project_root=res.root,
        mark=source.mark(path_loc),
    )
    undeclared = folder / "examples"
    if undeclared.is_dir() and undeclared.resolve() not in {f.resolve() for f in inside}:
        try:
            excluded = workspace.is_excluded("examples")
        except ValueError:
            excluded = True  # the bad pattern is reported already
        if not excluded:
            res.fail(
                source.mark(path_loc),
                f"workspace {spec.path!r} has an examples/ folder this agent does not declare",
                loc_text(path_loc),
                _undeclared_examples_hint(value),
            )
    return workspace


def _undeclared_examples_hint(workspace: str | Workspace) -> str:
    """What to write for a workspace's examples/ folder: declared at the agent, or excluded in
    the workspace's mapping (``exclude`` is no key of the agent)."""
    written = workspace if isinstance(workspace, str) else workspace.path
    declare = f"declare it (examples: {written.rstrip('/')}/examples/)"
    if isinstance(workspace, str):
        return f"{declare} or exclude it (workspace: {{path: {written}, exclude: [examples]}})"
    return f"{declare} or exclude it (add examples to the workspace's exclude: [...])"


def _awaited_folder(relative: str, source: YamlSource, res: Resolution) -> Path | None:
    """The folder ``relative`` names when it does not exist yet, else None: it is read (and
    a path that may not be used is reported) as usual."""
    try:
        folder = resolve_inside(source.path.parent, relative, res.root)
    except PathProblem:
        return None
    return None if folder.exists() else folder


def check_unique_agents(agents: list[AgentSpec], res: Resolution) -> None:
    first: dict[str, SourceMark] = {}
    for agent in agents:
        if agent.slug in first:
            res.fail(
                agent.mark,
                f"duplicate agent slug {agent.slug!r} (first at {first[agent.slug]})",
                hint="each agent needs its own slug",
            )
        first.setdefault(agent.slug, agent.mark)


def check_unique_workflows(workflows: list[WorkflowSpec], res: Resolution) -> None:
    """One entry per workflow and version; example names unique across a workflow's entries
    (results name an example by its workflow and its name)."""
    first: dict[tuple[str, str], SourceMark] = {}
    names: dict[tuple[str, str], SourceMark] = {}
    for suite in workflows:
        for example in suite.examples:
            key_name = (suite.workflow, example.name)
            if key_name in names:
                res.fail(
                    example.mark,
                    f"example name {example.name!r} is used twice for workflow "
                    f"{suite.workflow!r} (first at {names[key_name]})",
                    hint="name the examples of each version differently, e.g. '<name>-v1'",
                )
            names.setdefault(key_name, example.mark)
        key = (suite.workflow, suite.version)
        if key in first:
            res.fail(
                suite.mark,
                f"workflow {suite.workflow!r} version {suite.version!r} is declared twice "
                f"(first at {first[key]})",
                hint="merge the two entries' examples into one",
            )
        first.setdefault(key, suite.mark)


def resolve_environment(
    name: str,
    raw: Environment,
    source: YamlSource,
    res: Resolution,
    agents: list[AgentSpec],
    as_written: str | None = None,
) -> EnvironmentSpec:
    loc: Loc = ("environments", name)
    spec = EnvironmentSpec(
        name=name,
        slug_template=raw.slug,
        slug_as_written=as_written,
        name_template=raw.name,
        description=raw.description,
        mark=source.mark(loc, key=True),
    )
    before = len(res.problems)
    for key, allowed in (("slug", {"slug"}), ("name", {"slug", "name"})):
        template = getattr(raw, key)
        for placeholder in _PLACEHOLDER.findall(template or ""):
            if placeholder not in allowed:
                options = " or ".join("{" + a + "}" for a in sorted(allowed))
                res.fail(
                    source.mark((*loc, key)),
                    f"unknown placeholder {{{placeholder}}} in environment {name!r}",
                    loc_text((*loc, key)),
                    f"use {options}",
                )
    slug_mark = source.mark((*loc, "slug"))
    if len(res.problems) > before:
        return spec  # slugs made from a broken template would only repeat the problem
    if "{slug}" not in raw.slug or raw.slug == "{slug}":
        res.fail(
            slug_mark,
            f"environment {name!r} must give every agent a new slug built from '{{slug}}'",
            loc_text((*loc, "slug")),
            "e.g. slug: '{slug}-pr-${PR_NUMBER}'",
        )
        return spec
    production = {agent.manifest_slug for agent in agents}
    for agent in agents:
        slug = spec.slug_for(agent.manifest_slug)
        if not re.match(SLUG_PATTERN, slug) or len(slug) > SLUG_MAX:
            res.fail(
                slug_mark,
                f"environment {name!r} turns {agent.manifest_slug!r} into invalid slug {slug!r}",
                loc_text((*loc, "slug")),
                f"slugs use lowercase letters, digits and single hyphens, at most {SLUG_MAX}",
            )
            break
        if slug in production:
            res.fail(
                slug_mark,
                f"environment {name!r} maps {agent.manifest_slug!r} onto the existing agent "
                f"{slug!r}",
                loc_text((*loc, "slug")),
                "choose a template that cannot collide, e.g. '{slug}-pr-${PR_NUMBER}'",
            )
            break
    return spec
