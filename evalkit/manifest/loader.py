"""``load_manifest``: read the root manifest and its includes, validate, resolve, report all.

Every problem found anywhere is collected before anything is raised, so one run of
``evalkit validate`` lists them all, each at its file, line and column.
"""

from __future__ import annotations

import dataclasses
import glob
import hashlib
import json
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from evalkit.compare.rules import CompareSpec
from evalkit.conventions import RESERVED_CONFIG_KEY
from evalkit.errors import ManifestError, ManifestProblem, SourceMark
from evalkit.manifest.examples import Resolution
from evalkit.manifest.interpolate import interpolate_source
from evalkit.manifest.judges import check_judges
from evalkit.manifest.levels import PlacedRepeat, merge_compare, merge_gates
from evalkit.manifest.models import (
    ROOT_ONLY_KEYS,
    Agent,
    Defaults,
    Environment,
    Gates,
    LocalPlatform,
    ManifestFile,
    Workflow,
)
from evalkit.manifest.paths import (
    PathProblem,
    display_path,
    find_project_root,
    resolve_inside,
)
from evalkit.manifest.problems import problems_from_validation
from evalkit.manifest.resolve import (
    ParsedFile,
    check_unique_agents,
    check_unique_workflows,
    resolve_agent,
    resolve_environment,
    resolve_workflow,
)
from evalkit.manifest.spec import AgentSpec, Manifest, WorkflowSpec
from evalkit.manifest.yaml_source import Loc, YamlSource, loc_text, read_yaml
from evalkit.safe_paths import is_inside

_GLOB_CHARS = set("*?[")


def load_manifest(
    path: Path,
    *,
    env: Mapping[str, str] | None = None,
    awaiting_examples: bool = False,
    awaiting_workspaces: Collection[str] = (),
) -> Manifest:
    """Load, validate and resolve the manifest at ``path`` (``${VAR}`` from ``env``, by default
    the process environment). Raise ``ManifestError`` listing every problem found.
    ``awaiting_examples``: an examples folder may be missing or empty (promote and harvest
    are about to write its first examples). ``awaiting_workspaces``: the slugs of agents whose
    workspace folder may be missing (pull is about to write it)."""
    return _load(
        path,
        env=env,
        awaiting_examples=awaiting_examples,
        awaiting_workspaces=frozenset(awaiting_workspaces),
        keep_sources=False,
    )[0]


@dataclass(frozen=True)
class PartialLoad:
    """A load taken as far as it goes: the manifest of every entry that resolved (None when
    the root file could not be read), each file as read (``${VAR}`` interpolated) in the order
    of ``Manifest.sources``, and every problem found, in reading order."""

    manifest: Manifest | None
    sources: tuple[YamlSource, ...]
    problems: tuple[ManifestProblem, ...]


def load_partly(path: Path, *, env: Mapping[str, str] | None = None) -> PartialLoad:
    """``load_manifest`` without raising: for ``validate``, which checks the workspaces of
    the agents that resolved even when other entries have problems, so that one run lists
    them all; and for the checks that need the files as written, without reading them
    twice."""
    return _load_partly(
        path, env=env, awaiting_examples=False, awaiting_workspaces=frozenset(), keep_sources=True
    )


def _load(
    path: Path,
    *,
    env: Mapping[str, str] | None,
    awaiting_examples: bool,
    awaiting_workspaces: frozenset[str],
    keep_sources: bool,
) -> tuple[Manifest, tuple[YamlSource, ...]]:
    loaded = _load_partly(
        path,
        env=env,
        awaiting_examples=awaiting_examples,
        awaiting_workspaces=awaiting_workspaces,
        keep_sources=keep_sources,
    )
    if loaded.problems or loaded.manifest is None:
        raise ManifestError(list(loaded.problems))
    return loaded.manifest, loaded.sources


def _load_partly(
    path: Path,
    *,
    env: Mapping[str, str] | None,
    awaiting_examples: bool,
    awaiting_workspaces: frozenset[str],
    keep_sources: bool,
) -> PartialLoad:
    variables = dict(os.environ) if env is None else env
    path = Path(path)
    if not path.is_file():
        problem = ManifestProblem(
            SourceMark(display_path(path)),
            f"manifest {display_path(path)} {_not_a_file(path)}",
            hint="create one with 'evalkit init', or name it with -m/--manifest",
        )
        return PartialLoad(None, (), (problem,))
    root = find_project_root(path)
    res = Resolution(
        root, awaiting_examples=awaiting_examples, awaiting_workspaces=awaiting_workspaces
    )
    loading = _Loading(res, variables, keep_sources=keep_sources)
    _read_file(path.resolve(), loading, stack=[], seen=set())
    manifest = _build(path.resolve(), loading)
    sources = tuple(file.source for file in loading.parsed)
    return PartialLoad(manifest, sources, tuple(in_reading_order(res.problems)))


@dataclass
class _Loading:
    """One load under way. Each file is resolved as soon as it is read (the root, read first,
    gives the settings its includes resolve with), then let go of: a manifest of 20,000 inline
    examples in ten files was held whole, as data, as models and as marks, until the end."""

    res: Resolution
    env: Mapping[str, str]
    #: keep each file as read (``load_with_sources``); else only the root's is kept whole
    keep_sources: bool
    parsed: list[ParsedFile] = field(default_factory=list)
    agents: list[AgentSpec] = field(default_factory=list)
    workflows: list[WorkflowSpec] = field(default_factory=list)
    #: (file, index under ``agents:``) -> that agent's slug, for the judges' checks
    places: dict[tuple[Path, int], str] = field(default_factory=dict)
    #: the root's settings, once read
    defaults: CompareSpec = field(default_factory=CompareSpec)
    gates: Gates = field(default_factory=Gates)
    #: the sha256 of the files read so far (``hash_source``), and how many they are
    digest: Any = field(default_factory=lambda: hashlib.sha256(b"["))
    hashed: int = 0

    def settle(self, root: ParsedFile) -> None:
        """The settings every file's agents and workflows resolve with, from the root."""
        self.defaults = merge_compare(
            self.res.anchored(root.defaults_compare, root.source, ("defaults", "compare"))
        )
        self.gates = merge_gates(root.gates)

    def resolve(self, file: ParsedFile) -> None:
        """Resolve ``file``'s agents and workflows; then, unless it is kept, keep of it only
        its path (and the root's settings)."""
        res, repeat = self.res, self.parsed[0].defaults_repeat
        for index, agent in file.agents:
            loc = ("agents", index)
            self.agents.append(
                resolve_agent(agent, loc, file.source, res, self.defaults, self.gates, repeat)
            )
            self.places[(file.source.path, index)] = agent.slug
        for index, workflow in file.workflows:
            loc = ("workflows", index)
            self.workflows.append(
                resolve_workflow(workflow, loc, file.source, res, self.defaults, self.gates, repeat)
            )
        if not self.keep_sources:
            file.agents, file.workflows = [], []
            if file is not self.parsed[0]:
                file.source = YamlSource(file.source.path, file.source.display)

    def hash_source(self, source: YamlSource) -> None:
        """sha256 of every file's interpolated content as canonical JSON, with its project path.

        The text is ``[{"data":...,"file":...},...]`` (keys sorted), hashed one file at a time
        as it is read: the whole text at once was two more copies of a large manifest. Hashed
        before the file is validated and resolved: its text (about 2.4 KB an inline example
        while it is made) is then not alive on top of the file's models and examples, which
        was the peak of a load."""
        name = source.path.relative_to(self.res.root).as_posix()
        head = '{"data":' if self.hashed == 0 else ',{"data":'
        self.hashed += 1
        text = f'{head}{_canonical(source.data)},"file":{_canonical(name)}}}'
        self.digest.update(text.encode())


def _not_a_file(path: Path) -> str:
    """Why ``path``, which is not a regular file, cannot be a manifest."""
    if path.is_dir():
        return "is a folder, not a file"
    if path.is_symlink():
        return "is a link to nothing (its target does not exist)"
    if path.exists():  # a device, a pipe, a socket: reading one may never end
        return "is not a regular file (a device, pipe or socket)"
    return "does not exist"


def _read_file(path: Path, loading: _Loading, stack: list[Path], seen: set[Path]) -> None:
    res = loading.res
    seen.add(path)
    source, problems = read_yaml(path, display_path(path))
    res.problems.extend(problems)
    if source is None:
        return  # malformed YAML: nothing more can be said about this file
    if not isinstance(source.data, dict):
        got = "nothing (the file is empty)" if source.data is None else "a list or a value"
        res.fail(
            source.mark(()),
            f"a manifest must be a mapping of keys to values, got {got}",
            hint="start with 'version: 1'",
        )
        return
    is_root = not stack
    as_written = _slugs_as_written(source.data) if is_root else {}
    early = [*problems, *interpolate_source(source, loading.env)]
    res.problems.extend(early)
    loading.hash_source(source)  # the data is final (interpolated): hashed before the models
    parsed = _validate(source, res, is_root=is_root, reported={p.mark for p in early})
    parsed.slugs_as_written = as_written
    loading.parsed.append(parsed)
    if is_root:
        loading.settle(parsed)
    includes = source.data.get("include")
    loading.resolve(parsed)
    if not isinstance(includes, list):
        return
    for index, pattern in enumerate(includes):
        if not isinstance(pattern, str):
            continue  # reported by validation
        for target in _include_targets(source, ("include", index), pattern, res):
            if target in stack or target == path:
                chain = " -> ".join(display_path(p) for p in (*stack, path, target))
                res.fail(
                    source.mark(("include", index)),
                    f"include cycle: {chain}",
                    loc_text(("include", index)),
                    "a file may not include itself, directly or through others",
                )
            elif target not in seen:
                _read_file(target, loading, [*stack, path], seen)


def _slugs_as_written(data: dict[str, Any]) -> dict[str, str]:
    """Each environment's slug template before ``${VAR}`` interpolation."""
    environments = data.get("environments")
    if not isinstance(environments, dict):
        return {}
    return {
        name: item["slug"]
        for name, item in environments.items()
        if isinstance(item, dict) and isinstance(item.get("slug"), str)
    }


def _include_targets(source: YamlSource, loc: Loc, pattern: str, res: Resolution) -> list[Path]:
    """The files an ``include`` entry names: one path, or every file a glob matches."""
    if not _GLOB_CHARS & set(pattern):
        target = res.path(source, loc, pattern, kind="file")
        return [target] if target else []
    base = source.path.parent
    try:
        resolve_inside(base, pattern, res.root)  # absolute or '..'-escaping patterns
    except PathProblem as err:
        res.fail(source.mark(loc), str(err), loc_text(loc), err.hint)
        return []
    matches = sorted(
        (base / found).resolve()
        for found in glob.glob(pattern, root_dir=base, recursive=True)
        if (base / found).is_file()
    )
    inside = [match for match in matches if is_inside(match, res.root)]
    if not inside:
        res.fail(
            source.mark(loc),
            f"include pattern {pattern!r} matches no file",
            loc_text(loc),
            "patterns are relative to the including file, e.g. 'agents/*.yaml'",
        )
    return inside


def _validate(
    source: YamlSource, res: Resolution, *, is_root: bool, reported: set[SourceMark]
) -> ParsedFile:
    """Validate the whole file (every error reported), then keep each valid part on its own
    so that later checks still run on the entries that are well formed. A value already
    reported (bad YAML tag, bad ${VAR}) is not reported again for its type."""
    data: dict[str, Any] = source.data
    found: list[ManifestProblem] = []
    try:
        ManifestFile.model_validate(data)
    except ValidationError as err:
        found = problems_from_validation(err, source, ManifestFile)
    _check_reserved_config(source, res)
    if not is_root:
        for key in ROOT_ONLY_KEYS:
            if key in data:
                res.fail(
                    source.mark((key,), key=True),
                    f"{key!r} may only be set in the root manifest",
                    key,
                    "move it to the manifest that includes this file",
                )
    rejected: list[Loc] = []
    parsed = _parts(ParsedFile(source), data, root_parts=is_root, rejected=rejected)
    noted = _noting_rejected(found, [loc_text(loc) for loc in rejected])
    res.problems.extend(p for p in noted if p.mark not in reported)
    return parsed


def _noting_rejected(problems: list[ManifestProblem], rejected: list[str]) -> list[ManifestProblem]:
    """``problems`` with a word in the hint of each that lies in a ``rejected`` entry (an agent,
    a workflow, ``defaults``...): what the entry holds (paths, examples, rules) is checked only
    once the entry is valid, so more problems may show then."""
    noted = []
    for problem in problems:
        entry = next((e for e in rejected if _within(problem.key, e)), None)
        if entry is not None:
            more = f"more problems in {entry} may show once this is fixed"
            hint = f"{problem.hint}; {more}" if problem.hint else more
            problem = dataclasses.replace(problem, hint=hint)
        noted.append(problem)
    return noted


def _within(key: str, entry: str) -> bool:
    """Whether the key ``key`` (``agents[0].slug``) is ``entry`` (``agents[0]``) or below it."""
    return key == entry or (key.startswith(entry) and key[len(entry)] in ".[")


def _check_reserved_config(source: YamlSource, res: Resolution) -> None:
    """An agent's config may not hold evalkit's own key: a plan would refuse it (without a
    line), and a sync would overwrite it with the last-applied record."""
    for index, item in _items(source.data.get("agents")):
        config = item.get("config") if isinstance(item, dict) else None
        if isinstance(config, dict) and RESERVED_CONFIG_KEY in config:
            loc = ("agents", index, "config", RESERVED_CONFIG_KEY)
            res.fail(
                source.mark(loc, key=True),
                f"config key {RESERVED_CONFIG_KEY!r} is reserved for evalkit's last-applied record",
                loc_text(loc),
                "rename the key; evalkit keeps what it last applied under it",
            )


def _parts(
    parsed: ParsedFile, data: dict[str, Any], *, root_parts: bool, rejected: list[Loc]
) -> ParsedFile:
    """The entries of ``data`` that are valid each on its own, in ``parsed``; the places of
    those that are not (reported by the whole file's validation) in ``rejected``."""
    for key, kind in (("agents", list), ("environments", dict), ("workflows", list)):
        if key in data and not isinstance(data[key], kind):
            rejected.append((key,))
    for index, item in _items(data.get("agents")):
        agent = _quietly(Agent, item, ("agents", index), rejected)
        if agent is not None:
            parsed.agents.append((index, agent))
    for index, item in _items(data.get("workflows")):
        workflow = _quietly(Workflow, item, ("workflows", index), rejected)
        if workflow is not None:
            parsed.workflows.append((index, workflow))
    if not root_parts:
        return parsed
    defaults = _quietly(Defaults, data.get("defaults") or {}, ("defaults",), rejected)
    parsed.defaults_compare = defaults.compare if defaults else None
    parsed.defaults_repeat = PlacedRepeat().over(
        defaults.repeat if defaults else None, parsed.source, ("defaults", "repeat")
    )
    # (nothing in gates is checked beyond its shape: no more problems can follow there)
    parsed.gates = _quietly(Gates, data.get("gates") or {}, ("gates",), [])
    local = _quietly(LocalPlatform, data.get("local_platform") or {}, ("local_platform",), rejected)
    parsed.local_workflows = local.workflows if local else None
    parsed.local_pass_env = tuple(dict.fromkeys(local.pass_env)) if local else ()
    ignore = data.get("ignore_orphans")
    if isinstance(ignore, list):  # a bad pattern is reported by the whole-file validation
        parsed.ignore_orphans = tuple(p for p in ignore if isinstance(p, str))
    environments = data.get("environments")
    if isinstance(environments, dict):
        for name, item in environments.items():
            environment = _quietly(Environment, item, ("environments", name), rejected)
            if environment is not None:
                parsed.environments[name] = environment
    return parsed


def _items(value: Any) -> list[tuple[int, Any]]:
    return list(enumerate(value)) if isinstance(value, list) else []


def _quietly(model: type[Any], value: Any, loc: Loc, rejected: list[Loc]) -> Any:
    """``value`` as a ``model``, or None (and ``loc`` in ``rejected``) when it is not one."""
    try:
        result: BaseModel = model.model_validate(value)
    except ValidationError:
        rejected.append(loc)
        return None  # already reported by the whole-file validation
    return result


def _build(path: Path, loading: _Loading) -> Manifest | None:
    parsed, res = loading.parsed, loading.res
    if not parsed or parsed[0].source.path != path:
        return None
    root = parsed[0]
    agents, workflows = loading.agents, loading.workflows
    check_unique_agents(agents, res)
    res.problems.extend(check_judges(res.judges, agents, loading.places))
    check_unique_workflows(workflows, res)
    environments = {
        name: resolve_environment(
            name, raw, root.source, res, agents, root.slugs_as_written.get(name)
        )
        for name, raw in root.environments.items()
    }
    local_workflows_dir = None
    if root.local_workflows is not None:
        where = ("local_platform", "workflows")
        local_workflows_dir = res.path(root.source, where, root.local_workflows, kind="folder")
    digest = loading.digest.copy()
    digest.update(b"]")
    return Manifest(
        path=path,
        project_root=res.root,
        defaults=loading.defaults,
        gates=loading.gates,
        agents=tuple(agents),
        workflows=tuple(workflows),
        environments=environments,
        local_workflows_dir=local_workflows_dir,
        local_pass_env=root.local_pass_env,
        ignore_orphans=root.ignore_orphans,
        digest=digest.hexdigest(),
        sources=tuple(file.source.path for file in parsed),
    )


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def in_reading_order(problems: list[ManifestProblem]) -> list[ManifestProblem]:
    """Problems grouped by file (in the order files were met), then by line and column."""
    order: dict[str, int] = {}
    for problem in problems:
        order.setdefault(problem.mark.file, len(order))
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (order[p.mark.file], p.mark.line, p.mark.column))
