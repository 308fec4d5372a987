"""The ``compare:`` blocks of a loaded manifest as written: where each is, and which examples
it applies to (``rule_usage`` checks them against those examples' expectations).

The manifest files are read again (cheap, offline) because a loaded ``Manifest`` keeps each
example's merged rules only, not which block and line each rule came from. Blocks apply to:
``defaults`` every example; an agent's or workflow's own block all its examples; a folder
entry's block the examples of that folder; ``examples: {name: {compare}}`` under a folder entry
and an inline example's block that one example.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from evalkit.compare.rules import CompareSpec
from evalkit.manifest.interpolate import interpolate_source
from evalkit.manifest.paths import display_path
from evalkit.manifest.spec import AgentSpec, ExampleSpec, Manifest, WorkflowSpec
from evalkit.manifest.yaml_source import Loc, YamlSource, read_yaml


@dataclass(frozen=True)
class CompareBlock:
    """One ``compare:`` block as written, and the examples it applies to."""

    source: YamlSource
    loc: Loc
    spec: CompareSpec
    #: the examples, for people: "any example", "agent 'invoices'", ...
    scope: str
    examples: tuple[ExampleSpec, ...]


@dataclass(frozen=True)
class WrittenManifest:
    """What only the files as written tell about a loaded manifest."""

    blocks: tuple[CompareBlock, ...]
    #: (agent slug as in the manifest, example name) of inline examples that write 'expected:'
    #: (``null`` included: "nothing expected of the JSON output", on purpose)
    inline_expected: frozenset[tuple[str, str]]


def read_as_written(
    manifest: Manifest, env: Mapping[str, str], sources: Sequence[YamlSource] = ()
) -> WrittenManifest:
    """The blocks of ``manifest``'s files: ``sources`` when the loader gives them
    (``load_with_sources``), else each file read again."""
    given = {source.path: source for source in sources}
    blocks: list[CompareBlock] = []
    inline_expected: set[tuple[str, str]] = set()
    for path in manifest.sources:
        source = given.get(path) or _read(path, env)
        if source is None or not isinstance(source.data, dict):
            continue
        if path == manifest.path:
            compare = _get(source.data, ("defaults", "compare"))
            every = tuple(manifest.examples())
            blocks.extend(_block(source, ("defaults", "compare"), compare, "any example", every))
        for index, raw in _entries(source.data, "agents"):
            agent = _agent(manifest, raw)
            if agent is not None:
                loc = ("agents", index)
                name = f"agent {agent.manifest_slug!r}"
                blocks.extend(_owner_blocks(source, loc, raw, agent, name))
                inline_expected |= {
                    (agent.manifest_slug, str(entry.get("name")))
                    for _, entry in _entries(raw, "examples")
                    if "folder" not in entry and "expected" in entry
                }
        for index, raw in _entries(source.data, "workflows"):
            suite = _workflow(manifest, raw)
            if suite is not None:
                name = f"workflow {suite.workflow!r}"
                blocks.extend(_owner_blocks(source, ("workflows", index), raw, suite, name))
    return WrittenManifest(tuple(blocks), frozenset(inline_expected))


def _read(path: Path, env: Mapping[str, str]) -> YamlSource | None:
    source, _ = read_yaml(path, display_path(path))
    if source is None or not isinstance(source.data, dict):
        return None
    interpolate_source(source, env)
    return source


def _owner_blocks(
    source: YamlSource,
    loc: Loc,
    raw: dict[str, Any],
    owner: AgentSpec | WorkflowSpec,
    name: str,
) -> Iterator[CompareBlock]:
    examples = owner.examples
    inline: dict[str, list[ExampleSpec]] = {}
    for example in examples:
        if example.folder is None:
            inline.setdefault(example.name, []).append(example)
    yield from _block(source, (*loc, "compare"), raw.get("compare"), name, examples)
    for index, entry in _entries(raw, "examples"):
        entry_loc = (*loc, "examples", index)
        if "folder" not in entry:
            chosen = tuple(inline.get(str(entry.get("name")), ()))
            where = f"example {entry.get('name')!r} of {name}"
            yield from _block(source, (*entry_loc, "compare"), entry.get("compare"), where, chosen)
            continue
        folder = (source.path.parent / str(entry["folder"])).resolve()
        in_folder = tuple(e for e in examples if e.folder and e.folder.parent.resolve() == folder)
        where = f"folder {entry['folder']!r} of {name}"
        yield from _block(source, (*entry_loc, "compare"), entry.get("compare"), where, in_folder)
        extras = entry.get("examples")
        for example_name, extra in extras.items() if isinstance(extras, dict) else ():
            chosen = _named(in_folder, example_name, folder=folder)
            extra_loc = (*entry_loc, "examples", example_name, "compare")
            where = f"example {example_name!r} of {name}"
            compare = extra.get("compare") if isinstance(extra, dict) else None
            yield from _block(source, extra_loc, compare, where, chosen)


def _block(
    source: YamlSource,
    loc: Loc,
    raw: Any,
    scope: str,
    examples: tuple[ExampleSpec, ...],
) -> Iterator[CompareBlock]:
    if not isinstance(raw, dict):
        return
    try:
        spec = CompareSpec.model_validate(raw)
    except ValidationError:
        return  # reported when the manifest loaded
    yield CompareBlock(source, loc, spec, scope, examples)


def _named(
    examples: tuple[ExampleSpec, ...], name: str, folder: Path | None
) -> tuple[ExampleSpec, ...]:
    return tuple(e for e in examples if e.name == name and (e.folder is None) == (folder is None))


def _agent(manifest: Manifest, raw: dict[str, Any]) -> AgentSpec | None:
    try:
        return manifest.agent(str(raw.get("slug")))
    except KeyError:
        return None


def _workflow(manifest: Manifest, raw: dict[str, Any]) -> WorkflowSpec | None:
    version = str(raw.get("version", "latest"))
    for suite in manifest.workflows:
        if (suite.workflow, suite.version) == (raw.get("workflow"), version):
            return suite
    return None


def _entries(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    return [(index, item) for index, item in enumerate(items) if isinstance(item, dict)]


def _get(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data.get(part) if isinstance(data, dict) else None
    return data
