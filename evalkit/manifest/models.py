"""The manifest file as written: the models behind validation and the published JSON Schema.

Field names are the YAML keys. Every field has a description (editors show it as help). These
models check shape and single values; cross-references, files on disk and merging happen in
``resolve``. Comparison rules are ``evalkit.compare.rules.CompareSpec``, embedded as is.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
)

from evalkit.compare.rules import CompareSpec
from evalkit.conventions import pass_env_problem
from evalkit.manifest.limits import GATE_RANGES, MAX_ATTEMPTS
from evalkit.manifest.pass_if import checked_pass_if, problem

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_MAX = 64
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
NAME_MAX = 128

Slug = Annotated[
    str,
    Field(
        pattern=SLUG_PATTERN,
        max_length=SLUG_MAX,
        description="Lowercase letters, digits and single hyphens, e.g. 'invoice-extractor'.",
    ),
]
ExampleName = Annotated[
    str,
    Field(
        pattern=NAME_PATTERN,
        max_length=NAME_MAX,
        description="Letters, digits, '.', '_' and '-', starting with a letter or digit.",
    ),
]
WORKFLOW_PATTERN = r"^(?:wf_[A-Za-z0-9_-]+|[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)$"
VERSION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
RelativePath = Annotated[
    str,
    Field(
        min_length=1,
        description=(
            "A path relative to this manifest file, inside the project folder (the git "
            "checkout holding the root manifest; outside git, the root manifest's folder)."
        ),
    ),
]
Tags = Annotated[
    list[Annotated[str, Field(min_length=1)]],
    Field(
        description=(
            "Labels to select a subset of examples (e.g. 'smoke', 'slow'); the tags of an "
            "agent, workflow or folder apply to each of its examples."
        )
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AtLeast(_Strict):
    at_least: int = Field(ge=1, le=MAX_ATTEMPTS, description="Attempts that must pass.")


class Rate(_Strict):
    rate: float = Field(gt=0, le=1, description="Share of attempts that must pass (0..1].")


#: what k passes of n attempts make a pass; checked as a whole first (one mistake, one problem)
PassIf = Annotated[
    Literal["all", "any"] | AtLeast | Rate,
    BeforeValidator(checked_pass_if),
    Field(description="all (default), any, {at_least: K} or {rate: R}."),
]


class Adaptive(_Strict):
    max: int = Field(ge=1, le=MAX_ATTEMPTS, description="Most attempts of one example.")


class Repeat(_Strict):
    """How often an example runs, and what its attempts make (docs/run.md)."""

    times: int = Field(1, ge=1, le=MAX_ATTEMPTS, description="Attempts of each example.")
    pass_if: PassIf | None = Field(
        None, description="What k passes of n attempts make: all (default), any, at_least, rate."
    )
    adaptive: Adaptive | None = Field(
        None,
        description=(
            "Start with one attempt and add more only while the example's change from the "
            "baseline is undecided, up to max (as --confirm)."
        ),
    )


REPEAT_FORMS = (
    "repeat is a number of attempts (repeat: 5) or {times: 5, pass_if: ..., adaptive: ...}"
)


def _repeat_shorthand(value: Any) -> Any:
    """``repeat: 5`` is ``repeat: {times: 5}``, and so is ``repeat: "5"`` (what ``${N}``
    gives: as ``times: "5"`` is 5); what is neither gets one problem naming both forms
    (pydantic named the mapping only: "expected a mapping")."""
    from evalkit.manifest.problems import describe  # problems -> models

    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return {"times": value}
    if value is None or isinstance(value, (dict, BaseModel)):
        return value
    raise problem(f"{describe(value)} is not a repeat", REPEAT_FORMS)


RepeatField = Annotated[
    Repeat,
    BeforeValidator(_repeat_shorthand),
    Field(description="Attempts of each example: N, or {times, pass_if, adaptive: {max}}."),
]


class Gates(_Strict):
    """Thresholds that make ``evalkit run`` fail. With no gate set at all, every example must
    pass (as if ``min_pass_rate: 1.0``); once any gate is set, only the gates set are checked."""

    min_pass_rate: float | None = Field(
        None,
        ge=GATE_RANGES["min_pass_rate"][1],
        le=GATE_RANGES["min_pass_rate"][2],
        description="Lowest share of passing examples (0..1), e.g. 0.95.",
    )
    max_failures: int | None = Field(
        None,
        ge=GATE_RANGES["max_failures"][1],
        description="Most examples that may fail (not pass).",
    )
    max_regressions: int | None = Field(
        None,
        ge=GATE_RANGES["max_regressions"][1],
        description=(
            "Most examples that may pass in the baseline and fail now (where either run "
            "repeated them, only those the exact test confirms)."
        ),
    )
    min_pass_rate_delta: float | None = Field(
        None,
        ge=GATE_RANGES["min_pass_rate_delta"][1],
        le=GATE_RANGES["min_pass_rate_delta"][2],
        description=(
            "Lowest change of pass rate against the baseline, e.g. -0.05: fails only when the "
            "whole confidence interval of the change is below it."
        ),
    )
    min_score_delta: float | None = Field(
        None,
        ge=GATE_RANGES["min_score_delta"][1],
        le=GATE_RANGES["min_score_delta"][2],
        description="Lowest change of mean score against the baseline (as min_pass_rate_delta).",
    )
    confidence: float | None = Field(
        None,
        ge=0.5,
        lt=1,
        description="Of every interval and test the gates read (default 0.95; --confidence wins).",
    )


class Defaults(_Strict):
    """Settings every agent and workflow starts from."""

    compare: CompareSpec | None = Field(
        None, description="Comparison rules for every example; agents and examples refine them."
    )
    repeat: RepeatField | None = Field(
        None,
        description=(
            "Attempts of each example: N, or {times, pass_if, adaptive: {max}}; the most "
            "specific level wins field by field."
        ),
    )


class Workspace(_Strict):
    """A folder synced as the agent's workspace."""

    path: RelativePath = Field(description="The folder, relative to this manifest file.")
    exclude: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list,
        description=(
            "Glob patterns left out of the workspace, read like .gitignore: without '/' (a "
            "trailing one aside) a pattern matches a file or folder name anywhere; with one, "
            "the path from the workspace folder ('/drafts', 'docs/*.md'; '**' = any folders)."
        ),
    )
    default_excludes: bool = Field(
        True,
        description="Leave out .git, __pycache__, editor and OS junk (.DS_Store, *.swp, ...).",
    )


class ExampleExtras(_Strict):
    """Tags, rules and notes for one example of an examples folder."""

    tags: Tags = Field(default_factory=list)
    compare: CompareSpec | None = Field(
        None, description="Comparison rules for this example (most specific, they win)."
    )
    repeat: RepeatField | None = Field(
        None,
        description=(
            "Attempts of each example: N, or {times, pass_if, adaptive: {max}}; the most "
            "specific level wins field by field."
        ),
    )
    notes: str | None = Field(None, description="Free text for reviewers; shown in reports.")


class ExampleFolder(_Strict):
    """A folder of examples in the platform's layout: <name>/input.json, input/, expected.json,
    expected/."""

    folder: RelativePath = Field(
        description="Folder holding one sub-folder per example, relative to this manifest file."
    )
    tags: Tags = Field(default_factory=list)
    compare: CompareSpec | None = Field(
        None, description="Comparison rules for every example of this folder."
    )
    repeat: RepeatField | None = Field(
        None,
        description=(
            "Attempts of each example: N, or {times, pass_if, adaptive: {max}}; the most "
            "specific level wins field by field."
        ),
    )
    examples: dict[ExampleName, ExampleExtras] = Field(
        default_factory=dict,
        description="Per-example tags, rules and notes, keyed by the example's folder name.",
    )


ExpectedOrigin = Literal["feedback", "output"]


class ExampleSource(_Strict):
    """Where an example folder came from: the ``source.json`` that ``evalkit promote`` and
    ``evalkit harvest`` write beside its input and expected output (docs/harvest.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="evalkit example source")

    execution: str = Field(
        min_length=1,
        description=(
            "The id of the agent execution the example was made from; 'evalkit harvest' skips "
            "an execution that an example already names."
        ),
    )
    agent: str | None = Field(None, description="The slug of the agent that ran it.")
    created_at: str | None = Field(None, description="When the execution was created (ISO-8601).")
    expected_from: dict[Literal["json", "files"], ExpectedOrigin] = Field(
        default_factory=dict,
        description=(
            "Where each part of the expected output came from: 'feedback' (a reviewer's "
            "expected JSON or files) or 'output' (what the agent answered)."
        ),
    )


class InlineExample(_Strict):
    """An example written in the manifest."""

    name: ExampleName = Field(description="Unique among the examples of its agent or workflow.")
    input: dict[str, Any] = Field(
        default_factory=dict, description="Scalar inputs (any JSON), by input field."
    )
    input_files: dict[str, RelativePath] = Field(
        default_factory=dict, description="File inputs: input field -> file path."
    )
    expected: Any = Field(
        None, description="The expected output JSON (leave out to check files only)."
    )
    expected_files: dict[str, RelativePath] = Field(
        default_factory=dict, description="Expected output files: output file name -> file path."
    )
    tags: Tags = Field(default_factory=list)
    compare: CompareSpec | None = Field(
        None, description="Comparison rules for this example (most specific, they win)."
    )
    repeat: RepeatField | None = Field(
        None,
        description=(
            "Attempts of each example: N, or {times, pass_if, adaptive: {max}}; the most "
            "specific level wins field by field."
        ),
    )
    notes: str | None = Field(None, description="Free text for reviewers; shown in reports.")


# Union tags appear in pydantic's error locations; the angle brackets keep them apart from keys.
def _entry_kind(value: Any) -> str:
    return "<folder>" if isinstance(value, dict) and "folder" in value else "<inline>"


ExampleEntry = Annotated[
    Annotated[ExampleFolder, Tag("<folder>")] | Annotated[InlineExample, Tag("<inline>")],
    Discriminator(_entry_kind),
]


def _examples_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "<path>"
    return "<list>" if isinstance(value, list) else None


Examples = Annotated[
    Annotated[RelativePath, Tag("<path>")] | Annotated[list[ExampleEntry], Tag("<list>")],
    Discriminator(
        _examples_kind,
        custom_error_type="examples_type",
        custom_error_message=(
            "expected a folder path, or a list of inline examples and {folder: ...} entries"
        ),
    ),
    Field(
        description=(
            "A folder of examples (platform layout), or a list of inline examples and "
            "{folder: ...} entries."
        )
    ),
]


def _workspace_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "<path>"
    return "<mapping>" if isinstance(value, dict) else None


WorkspaceField = Annotated[
    Annotated[RelativePath, Tag("<path>")] | Annotated[Workspace, Tag("<mapping>")],
    Discriminator(
        _workspace_kind,
        custom_error_type="workspace_type",
        custom_error_message="expected a folder path, or a mapping {path, exclude}",
    ),
    Field(description="The agent's workspace folder, or {path, exclude, default_excludes}."),
]


class Agent(_Strict):
    """An agent: its settings, its workspace files and its examples."""

    slug: Slug = Field(description="The agent's unique slug on the platform.")
    name: str | None = Field(None, min_length=1, description="Display name (default: the slug).")
    description: str | None = Field(None, description="What the agent does.")
    config: dict[str, Any] = Field(
        default_factory=dict, description="The agent's configuration (free-form JSON)."
    )
    workspace: WorkspaceField | None = Field(
        None, description="The agent's workspace folder, or {path, exclude, default_excludes}."
    )
    examples: Examples | None = Field(
        None, description="An examples folder (platform layout), or a list of examples."
    )
    tags: Tags = Field(default_factory=list)
    compare: CompareSpec | None = Field(
        None, description="Comparison rules for this agent's examples (over the defaults)."
    )
    repeat: RepeatField | None = Field(
        None,
        description=(
            "Attempts of each example: N, or {times, pass_if, adaptive: {max}}; the most "
            "specific level wins field by field."
        ),
    )
    gates: Gates | None = Field(
        None,
        description=(
            "Gates for this agent's examples (over the top level); with none set anywhere, "
            "every example must pass."
        ),
    )


class Workflow(_Strict):
    """A workflow evaluated as a whole: its examples run the workflow, not one agent."""

    workflow: str = Field(
        pattern=WORKFLOW_PATTERN, description="The workflow's name (slug) or id (wf_...)."
    )
    version: str = Field(
        "latest",
        pattern=VERSION_PATTERN,
        description=(
            "'latest', a version id (wfh_...) to pin, or a version label such as 'v1' (the "
            "workflow version's 'version' field)."
        ),
    )
    description: str | None = Field(None, description="What this suite checks.")
    examples: Examples | None = Field(
        None, description="An examples folder (platform layout), or a list of examples."
    )
    tags: Tags = Field(default_factory=list)
    compare: CompareSpec | None = Field(
        None, description="Comparison rules for this workflow's examples (over the defaults)."
    )
    repeat: RepeatField | None = Field(
        None,
        description=(
            "Attempts of each example: N, or {times, pass_if, adaptive: {max}}; the most "
            "specific level wins field by field."
        ),
    )
    gates: Gates | None = Field(
        None,
        description=(
            "Gates for this workflow's examples (over the top level); with none set anywhere, "
            "every example must pass."
        ),
    )


class Environment(_Strict):
    """Where a copy of each agent lives, e.g. one per pull request."""

    slug: str = Field(
        min_length=1,
        description="Slug template; '{slug}' is the manifest's slug, e.g. '{slug}-pr-${PR}'.",
    )
    name: str | None = Field(
        None, min_length=1, description="Name template; '{name}' is the manifest's name."
    )
    description: str | None = Field(None, description="What this environment is for.")


EnvironmentName = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=SLUG_MAX)]


def _pass_env_name(name: str) -> str:
    problem = pass_env_problem(name)
    if problem is not None:
        raise ValueError(problem)
    return name


#: the pattern is for editors (the JSON Schema); the validator says what is wrong
PassEnvName = Annotated[
    str,
    AfterValidator(_pass_env_name),
    Field(json_schema_extra={"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}),
]


class LocalPlatform(_Strict):
    """Settings for the local platform (``evalkit serve``) only; a remote platform ignores them."""

    workflows: RelativePath | None = Field(
        None,
        description=(
            "A folder of workflow YAML definitions the local platform loads at start-up "
            "(workflows cannot be created through the API), relative to this manifest file; "
            "it must exist inside the project folder."
        ),
    )
    pass_env: list[PassEnvName] = Field(
        default_factory=list,
        description=(
            "Variables of evalkit's environment passed to agent programs (e.g. an API key an "
            "agent calls a model with), read when the platform starts; only these pass. Their "
            "values are never printed, logged or stored; an unset one passes nothing (a "
            "warning names it)."
        ),
    )


def _orphan_glob(pattern: str) -> str:
    from evalkit.manifest.workspace import glob_regex  # workspace -> paths -> problems -> here

    try:
        glob_regex(pattern)
    except ValueError as err:
        reason = str(err).removeprefix("exclude ")
        raise ValueError(
            f"{reason}; write a glob over '<agent slug>/<file path>', e.g. 'legacy-*' or "
            "'bot/notes/'"
        ) from None
    return pattern


OrphanGlob = Annotated[str, Field(min_length=1), AfterValidator(_orphan_glob)]


class ManifestFile(_Strict):
    """An evalkit manifest (evalkit.yaml), or a file it includes."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="evalkit manifest")

    version: Literal[1] = Field(description="The manifest format version: 1.")
    include: list[RelativePath] = Field(
        default_factory=list,
        description="Other manifest files whose agents and workflows join this one (globs ok).",
    )
    defaults: Defaults | None = Field(
        None, description="Settings for every agent and workflow (root manifest only)."
    )
    gates: Gates | None = Field(
        None,
        description=(
            "Gates for the whole run (root manifest only); agents and workflows may refine "
            "them. With no gate set at all, every example must pass (as if min_pass_rate: 1.0)."
        ),
    )
    agents: list[Agent] = Field(default_factory=list, description="The agents under test.")
    workflows: list[Workflow] = Field(
        default_factory=list, description="Workflows evaluated end to end."
    )
    environments: dict[EnvironmentName, Environment] = Field(
        default_factory=dict,
        description="Named copies of the agents under other slugs (root manifest only).",
    )
    local_platform: LocalPlatform | None = Field(
        None,
        description=(
            "What the local platform (evalkit serve) loads at start-up (root manifest only)."
        ),
    )
    ignore_orphans: list[OrphanGlob] = Field(
        default_factory=list,
        description=(
            "Orphans you know about (live, not in the manifest): still listed by 'evalkit plan', "
            "but not counted by --fail-on-orphans. Globs read like .gitignore over "
            "'<agent slug>/<file path>': 'legacy-*' (agents), 'bot/notes/' (files of agent "
            "'bot'), '*.bak' (such files of any agent). Root manifest only."
        ),
    )


#: keys an included file may not set (they belong to the whole project)
ROOT_ONLY_KEYS: tuple[str, ...] = (
    "defaults",
    "gates",
    "environments",
    "local_platform",
    "ignore_orphans",
)
EXAMPLE_LAYOUT: tuple[str, ...] = ("input.json", "input", "expected.json", "expected")
