"""The manifest resolved: frozen, ready-to-use views for the sync engine and the runner.

Paths are absolute and checked, examples are read from their folders, and every example carries
its compare rules already merged (defaults -> agent or workflow -> folder -> example).
"""

from __future__ import annotations

import dataclasses
import json
import mimetypes
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from pydantic import BaseModel, ConfigDict, Field

from evalkit.compare.rules import CompareSpec
from evalkit.errors import ManifestError, ManifestProblem, SourceMark
from evalkit.manifest.models import ExampleSource, Gates, Repeat
from evalkit.manifest.problems import suggest
from evalkit.manifest.workspace import WorkspaceSpec


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


class _NoFiles(dict[str, Path]):
    """The one empty ``input_files``/``expected_files`` that every example without such files
    shares (an empty dict each took 128 bytes an example); it refuses changes, so that no
    example can give files to all the others."""

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("an example's files cannot be changed: make a new example")

    __setitem__ = __delitem__ = __ior__ = _refuse
    update = setdefault = pop = popitem = clear = _refuse


#: the empty files of every example without files (``ExampleSpec``)
NO_FILES: dict[str, Path] = _NoFiles()
#: the rules of an example made in code without any
_NO_RULES = CompareSpec()


def _files(given: Mapping[str, Path | str] | None) -> dict[str, Path]:
    """An example's files as paths; ``NO_FILES`` when there are none."""
    if not given:
        return NO_FILES
    return {name: Path(path) for name, path in given.items()}


class JsonTexts:
    """``input_json`` and ``expected_json`` read from the compact JSON text a class keeps
    (``input_text``, ``expected_text``: see ``compact_json``), a new copy on each use: held as
    Python objects, a 20,000-example manifest took about 4 KB an example, as text about 1 KB.
    A mixin of ``ExampleSpec`` and the runner's ``ExampleJob`` (slotted dataclasses both);
    it declares no field of its own."""

    __slots__ = ()

    if TYPE_CHECKING:  # declared by the class that mixes this in (a field there)
        input_text: bytes
        expected_text: bytes | None

    @property
    def input_json(self) -> dict[str, Any]:
        """The scalar inputs (a new copy on each use)."""
        value: dict[str, Any] = json.loads(self.input_text)
        return value

    @property
    def expected_json(self) -> Any:
        """The expected output JSON (a new copy on each use), ``None`` when there is none
        (only files are expected)."""
        return None if self.expected_text is None else json.loads(self.expected_text)

    def _fill(self, values: Mapping[str, Any]) -> None:
        """Set the fields of the frozen dataclass that mixes this in (from its own
        ``__init__``, which takes JSON values as well as their text)."""
        for field_name, value in values.items():
            object.__setattr__(self, field_name, value)


_UNSET: Any = object()


@dataclass(frozen=True, slots=True, init=False)
class ExampleSpec(JsonTexts):
    """One example: inputs, expectations, rules, and where it is declared.

    ``input_json`` and ``expected_json`` are given as JSON values and kept as compact JSON
    text (``input_text``, ``expected_text``; ``JsonTexts`` reads them back). A slotted
    dataclass, not a pydantic model: a 20,000-example manifest held 600 bytes an example in
    the model, 200 here (pydantic still reads it as a field of ``AgentSpec``, and dumps it)."""

    name: str
    #: the agent it runs on (``None`` for a workflow example)
    agent_slug: str | None
    #: the workflow it runs (``None`` for an agent example)
    workflow: str | None
    #: ``input_json`` as compact JSON (ASCII)
    input_text: bytes
    #: input field -> file (``NO_FILES`` when it has none)
    input_files: dict[str, Path]
    #: ``expected_json`` as compact JSON (ASCII); ``None`` when only files are expected
    expected_text: bytes | None
    #: output file name (relative POSIX path) -> expected file (``NO_FILES`` when none)
    expected_files: dict[str, Path]
    tags: tuple[str, ...]
    compare: CompareSpec
    #: ``repeat:`` merged from the defaults down to the example (None: run once)
    repeat: Repeat | None
    notes: str | None
    #: where it is declared: the manifest entry, or the example folder's expected.json
    mark: SourceMark
    #: the example's folder for folder examples (``None`` when written inline)
    folder: Path | None
    #: the execution a folder example was made from (its ``source.json``), if any
    source: ExampleSource | None

    def __init__(
        self,
        *,
        name: str,
        mark: SourceMark,
        agent_slug: str | None = None,
        workflow: str | None = None,
        input_json: Any = _UNSET,
        input_text: bytes = b"{}",
        input_files: Mapping[str, Path | str] | None = None,
        expected_json: Any = _UNSET,
        expected_text: bytes | None = None,
        expected_files: Mapping[str, Path | str] | None = None,
        tags: Iterable[str] = (),
        compare: CompareSpec | None = None,
        repeat: Repeat | None = None,
        notes: str | None = None,
        folder: Path | None = None,
        source: ExampleSource | None = None,
    ) -> None:
        """``input_json=`` and ``expected_json=`` (JSON values) are kept as their compact text
        (they win over ``input_text=``/``expected_text=``); file paths may be given as text."""
        if input_json is not _UNSET:
            input_text = compact_json(input_json)
        if expected_json is not _UNSET:
            expected_text = None if expected_json is None else compact_json(expected_json)
        self._fill(
            {
                "name": name,
                "agent_slug": agent_slug,
                "workflow": workflow,
                "input_text": input_text,
                "input_files": _files(input_files),
                "expected_text": expected_text,
                "expected_files": _files(expected_files),
                "tags": tuple(tags),
                "compare": compare if compare is not None else _NO_RULES,
                "repeat": repeat,
                "notes": notes,
                "mark": mark,
                "folder": folder,
                "source": source,
            }
        )

    def model_copy(self, *, update: Mapping[str, Any] | None = None) -> ExampleSpec:
        """A copy with ``update``'s fields changed (as a pydantic model's ``model_copy``)."""
        return dataclasses.replace(self, **(update or {}))

    def platform_files(self) -> dict[str, Path | bytes]:
        """The example in the platform's layout (contract A7), path -> local file or content:
        ``examples/<name>/input.json``, ``input/<field>.<ext>``, ``expected.json``,
        ``expected/<file>``. Folder examples map to their files, inline ones get JSON bytes."""
        return {
            path: source if isinstance(source, Path) else source()
            for path, source in self.platform_sources().items()
        }

    def platform_sources(self) -> dict[str, Path | InlineFile]:
        """``platform_files()``, an inline example's files not made yet (``InlineFile``): a
        sync of thousands of inline examples makes each one's bytes when it needs them."""
        base = f"examples/{self.name}"
        files: dict[str, Path | InlineFile] = {}
        input_json = self.folder / "input.json" if self.folder else None
        if input_json is not None and input_json.is_file():
            files[f"{base}/input.json"] = input_json
        elif self.input_text != b"{}" or not self.input_files:
            files[f"{base}/input.json"] = InlineFile(self, "input")
        for field, path in sorted(self.input_files.items()):
            files[f"{base}/input/{field}{path.suffix}"] = path
        expected_json = self.folder / "expected.json" if self.folder else None
        if expected_json is not None and expected_json.is_file():
            files[f"{base}/expected.json"] = expected_json
        elif self.expected_text is not None:
            files[f"{base}/expected.json"] = InlineFile(self, "expected")
        for name, path in sorted(self.expected_files.items()):
            files[f"{base}/expected/{name}"] = path
        return files

    def platform_content(self) -> dict[str, bytes]:
        """``platform_files()`` with every file read."""
        return {
            path: source if isinstance(source, bytes) else source.read_bytes()
            for path, source in self.platform_files().items()
        }

    def input_file_types(self) -> dict[str, str]:
        """Input field -> MIME type guessed from the file name (octet-stream when unknown)."""
        return {
            field: mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            for field, path in self.input_files.items()
        }


@dataclass(frozen=True, slots=True)
class InlineFile:
    """The ``input.json`` or ``expected.json`` of an inline example, as the platform holds it:
    its bytes are made on each call (equal for equal examples). Slotted: a first sync holds
    one per inline file."""

    example: ExampleSpec
    part: Literal["input", "expected"]

    def __call__(self) -> bytes:
        text = self.example.input_text if self.part == "input" else self.example.expected_text
        return _json_bytes(json.loads(text or b"null"))


def compact_json(value: Any) -> bytes:
    """``value`` as compact JSON; ASCII, so that any string (a lone surrogate that a JSON
    file escaped, too) is kept exactly."""
    return json.dumps(value, separators=(",", ":")).encode("ascii")


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode()


class AgentSpec(_Frozen):
    """An agent as the manifest declares it."""

    slug: str
    name: str
    description: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    tags: tuple[str, ...] = ()
    workspace: WorkspaceSpec | None = None
    examples: tuple[ExampleSpec, ...] = ()
    #: the examples folders it declares, in order (where promote and harvest write)
    example_folders: tuple[Path, ...] = ()
    #: the agent's rules merged over the defaults (each example has its own, fully merged)
    compare: CompareSpec = Field(default_factory=CompareSpec)
    gates: Gates = Field(default_factory=Gates)
    mark: SourceMark
    #: the slug and name written in the manifest (``slug``/``name`` differ under an environment)
    manifest_slug: str
    manifest_name: str

    def workspace_files(self) -> dict[str, Path]:
        """Relative POSIX path -> file, excludes applied, sorted; examples are not listed
        (they are synced as examples); ``{}`` without a workspace."""
        return self.workspace.files() if self.workspace else {}


class WorkflowSpec(_Frozen):
    """A workflow suite: which workflow, which version, which examples."""

    workflow: str
    version: str = "latest"
    description: str | None = None
    tags: tuple[str, ...] = ()
    examples: tuple[ExampleSpec, ...] = ()
    compare: CompareSpec = Field(default_factory=CompareSpec)
    gates: Gates = Field(default_factory=Gates)
    mark: SourceMark


class EnvironmentSpec(_Frozen):
    """Slug and name templates for a copy of every agent (``{slug}``, ``{name}``)."""

    name: str
    slug_template: str
    #: ``slug_template`` before ``${VAR}`` interpolation: it recognises the copies made with
    #: other values of the variables (e.g. another pull request's)
    slug_as_written: str | None = None
    name_template: str | None = None
    description: str | None = None
    mark: SourceMark

    def slug_for(self, slug: str) -> str:
        return self.slug_template.replace("{slug}", slug)

    def name_for(self, name: str, slug: str) -> str:
        if self.name_template is None:
            return name
        return self.name_template.replace("{name}", name).replace("{slug}", slug)


class Manifest(_Frozen):
    """A loaded manifest (with its includes), validated and resolved."""

    path: Path
    project_root: Path
    version: int = 1
    defaults: CompareSpec = Field(default_factory=CompareSpec)
    gates: Gates = Field(default_factory=Gates)
    agents: tuple[AgentSpec, ...] = ()
    workflows: tuple[WorkflowSpec, ...] = ()
    environments: dict[str, EnvironmentSpec] = Field(default_factory=dict)
    #: ``local_platform.workflows``: the folder of workflow definitions the local platform loads
    #: at start-up (absolute, resolved, inside the project); ``None`` when not set
    local_workflows_dir: Path | None = None
    #: ``local_platform.pass_env``: variables of evalkit's environment the local platform
    #: passes to agent programs (names only; read when the platform starts)
    local_pass_env: tuple[str, ...] = ()
    #: ``ignore_orphans``: globs over ``<agent slug>/<file path>`` of orphans the manifest
    #: acknowledges (listed by a plan, not counted by --fail-on-orphans)
    ignore_orphans: tuple[str, ...] = ()
    #: the environment applied with ``with_environment`` (``None``: the manifest's own slugs)
    environment: str | None = None
    #: sha256 of the canonical content of every manifest file (after ${VAR} interpolation)
    digest: str
    #: the manifest files read, the root first, then includes in order
    sources: tuple[Path, ...] = ()

    def agent(self, slug: str) -> AgentSpec:
        """The agent with this slug (current or manifest slug); ``KeyError`` if none."""
        for agent in self.agents:
            if slug in (agent.slug, agent.manifest_slug):
                return agent
        raise KeyError(slug)

    def examples(self) -> list[ExampleSpec]:
        """Every example, agents' first, in manifest order."""
        owners: list[AgentSpec | WorkflowSpec] = [*self.agents, *self.workflows]
        return [example for owner in owners for example in owner.examples]

    def with_environment(self, name: str) -> Manifest:
        """The same manifest with every agent's slug (and name) rewritten for ``name``."""
        environment = self.environments.get(name)
        if environment is None:
            known = ", ".join(sorted(self.environments)) or "none declared"
            hint = suggest(name, self.environments)
            message = f"unknown environment {name!r} (known: {known})"
            raise ManifestError([ManifestProblem(SourceMark(str(self.path)), message, hint=hint)])
        agents = []
        for agent in self.agents:
            slug = environment.slug_for(agent.manifest_slug)
            examples = tuple(dataclasses.replace(e, agent_slug=slug) for e in agent.examples)
            renamed = environment.name_for(agent.manifest_name, agent.manifest_slug)
            update = {"slug": slug, "name": renamed, "examples": examples}
            agents.append(agent.model_copy(update=update))
        return self.model_copy(update={"agents": tuple(agents), "environment": name})
