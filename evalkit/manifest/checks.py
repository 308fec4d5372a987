"""``validate_manifest``: everything that can be checked without a platform, and a summary.

Beyond what ``load_manifest`` checks (shape, paths, example folders, rules, templates), this
walks every workspace: files that cannot sync, JSON files that do not parse, and JSON Schemas
(``input-schema.json``, ``output-schema.json``, ``*.schema.json``) that are not valid schemas;
and reads every expected file compared as JSON (by the rules of expected.json: too deep, a key
twice... see ``json_text``) or as CSV (a header naming a column twice, which would hide a
column from the comparison).

Then warnings, for what is valid but most likely not what the author meant: rules that can
never apply and regexes that can backtrack catastrophically (``rule_usage``; the ``pattern`` of
workspace schemas too), and agents whose examples expect files but no output JSON, which is then
never checked (one warning per agent).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for

from evalkit.compare.file_formats import RepeatedColumn, UnreadableFile, csv_records
from evalkit.compare.file_modes import FileMode
from evalkit.compare.files import mode_of, rule_for
from evalkit.compare.pointers import escape_segment
from evalkit.compare.regex_shape import RegexTooLarge, read_shape
from evalkit.errors import ManifestError, ManifestProblem
from evalkit.manifest.blocks import WrittenManifest, read_as_written
from evalkit.manifest.examples import Resolution, read_json
from evalkit.manifest.loader import in_reading_order, load_partly
from evalkit.manifest.paths import display_path, file_mark
from evalkit.manifest.rule_usage import REGEX_REWRITES, rule_warnings
from evalkit.manifest.spec import AgentSpec, ExampleSpec, Manifest

_SCHEMA_NAMES = ("input-schema.json", "output-schema.json")
#: schema keywords whose values are data, not schemas: a "pattern" key there is no regex
_SCHEMA_LITERALS = frozenset({"const", "enum", "examples", "default"})


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
    #: what is valid but most likely a mistake, in reading order
    warnings: tuple[ManifestProblem, ...] = ()

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
            "warnings": [problem_data(w) for w in self.warnings],
        }


def problem_data(problem: ManifestProblem) -> dict[str, object]:
    """A problem or warning as plain data, for ``--json``."""
    return {
        "file": problem.mark.file,
        "line": problem.mark.line,
        "column": problem.mark.column,
        "message": problem.message,
        "key": problem.key,
        "hint": problem.hint,
    }


def validate_manifest(
    path: Path, *, env: Mapping[str, str] | None = None, environment: str | None = None
) -> ValidationSummary:
    """Load the manifest (under ``environment`` if given) and check every workspace;
    ``ManifestError`` lists all problems."""
    variables = dict(os.environ) if env is None else env
    loaded = load_partly(path, env=variables)
    if loaded.manifest is None:
        raise ManifestError(list(loaded.problems))
    manifest = loaded.manifest
    if environment is not None and not loaded.problems:
        manifest = manifest.with_environment(environment)
    # The workspaces of the agents that resolved are walked even when other entries have
    # problems, so that one run lists them all; an entry with problems was not resolved, and
    # is not walked.
    res = Resolution(manifest.project_root)
    schema_warnings: list[ManifestProblem] = []
    agents = tuple(_check_agent(agent, res, schema_warnings) for agent in manifest.agents)
    if loaded.problems or res.problems:
        raise ManifestError(in_reading_order([*loaded.problems, *res.problems]))
    written = read_as_written(manifest, variables, loaded.sources)
    warnings = [
        *rule_warnings(written),
        *schema_warnings,
        *(w for agent in manifest.agents if (w := _unchecked_json(agent, written))),
    ]
    return _summary(manifest, agents, _in_reading_order(warnings, manifest))


def _unchecked_json(agent: AgentSpec, written: WrittenManifest) -> ManifestProblem | None:
    """One warning for the agent's examples that expect files and say nothing of the JSON
    output: it is then never compared, whatever the agent returns."""
    names = [
        e.name
        for e in agent.examples
        if e.expected_files and e.expected_text is None and not _says_null(e, agent, written)
    ]
    if not names:
        return None
    count = len(names)
    some = ", ".join(names[:3]) + (f" and {count - 3} more" if count > 3 else "")
    return ManifestProblem(
        agent.mark,
        f"agent {agent.manifest_slug!r}: {count} example{'s have' if count > 1 else ' has'} "
        f"expected files but no expected.json: {'their' if count > 1 else 'its'} output JSON "
        "is not checked",
        agent.manifest_slug,
        f"{some}: add expected.json (inline: 'expected:') to check the output JSON too, or "
        "write null in it to check only the files, on purpose",
    )


def _says_null(example: ExampleSpec, agent: AgentSpec, written: WrittenManifest) -> bool:
    """The example writes ``null`` as its expected JSON: no JSON output expected, on purpose."""
    if example.folder is not None:
        return (example.folder / "expected.json").is_file()
    return (agent.manifest_slug, example.name) in written.inline_expected


def _in_reading_order(
    problems: list[ManifestProblem], manifest: Manifest
) -> tuple[ManifestProblem, ...]:
    files = {display_path(path): index for index, path in enumerate(manifest.sources)}

    def place(problem: ManifestProblem) -> tuple[int, str, int, int]:
        mark = problem.mark
        return (files.get(mark.file, len(files)), mark.file, mark.line, mark.column)

    return tuple(sorted(dict.fromkeys(problems), key=place))


def _check_agent(
    agent: AgentSpec, res: Resolution, warnings: list[ManifestProblem]
) -> AgentSummary:
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
        is_schema = name in _SCHEMA_NAMES or name.endswith(".schema.json")
        if ok and is_schema and _check_schema(path, value, res):
            warnings.extend(_schema_backtracking(path, value))
    _check_expected_files(agent, res)
    return AgentSummary(agent.manifest_slug, agent.slug, len(files), len(agent.examples))


def _check_expected_files(agent: AgentSpec, res: Resolution) -> None:
    """A problem at each expected file the comparison could not read in its mode (json, csv);
    a file several examples share, in one mode, is read once."""
    checked: set[tuple[Path, FileMode]] = set()
    for example in agent.examples:
        for name, path in example.expected_files.items():
            rule = rule_for(name, example.compare.files)
            mode = mode_of(name, rule)
            if (rule is not None and rule.ignore) or (path, mode) in checked:
                continue
            checked.add((path, mode))
            if mode == FileMode.JSON:
                read_json(path, res)  # the rules of expected.json
            elif mode == FileMode.CSV:
                _check_csv(name, path, res)


def _check_csv(name: str, path: Path, res: Resolution) -> None:
    """The expected file ``name`` (at ``path``) read as CSV; a problem when it cannot be."""
    try:
        csv_records(path.read_bytes(), "the expected file")
    except UnreadableFile as err:
        fix = "rename one of them" if isinstance(err, RepeatedColumn) else "fix the file"
        rule = f"compare: {{files: {{{json.dumps(name, ensure_ascii=False)}: {{mode: text}}}}}}"
        hint = f"{fix}, or compare the file as text ({rule})"
        res.fail(file_mark(path), str(err), hint=hint)
    except OSError as err:
        message = f"cannot read the file: {err.strerror or err}"
        res.fail(file_mark(path, 0), message, hint="check that it is a readable file")


def _check_schema(path: Path, schema: object, res: Resolution) -> bool:
    """Whether the schema is valid; problems in ``res`` when not."""
    if isinstance(schema, bool):
        return True  # true and false are valid (if unusual) schemas
    if not isinstance(schema, dict):
        res.fail(file_mark(path), "a JSON Schema must be a JSON object")
        return False
    try:
        validator_for(schema).check_schema(schema)
        return True
    except SchemaError as err:
        where = "/" + "/".join(str(p) for p in err.absolute_path)
        res.problems.append(
            ManifestProblem(
                file_mark(path),
                f"invalid JSON Schema at {where if where != '/' else 'the root'}: {err.message}",
                hint="see https://json-schema.org/understanding-json-schema/",
            )
        )
        return False


def _schema_backtracking(path: Path, schema: object) -> Iterator[ManifestProblem]:
    """A warning for each ``pattern`` (and ``patternProperties`` name) of a schema known to
    backtrack catastrophically: the local platform checks outputs with Python's re."""
    for where, pattern in _schema_patterns(schema, ""):
        try:
            found = read_shape(pattern).backtracking()
        except RegexTooLarge:
            continue
        if found:
            yield ManifestProblem(
                file_mark(path),
                f"JSON Schema at {where}: pattern {pattern!r} can backtrack catastrophically: "
                f"{found[0].describe()}",
                hint=f"checking an output against it can take forever; {REGEX_REWRITES}",
            )


def _schema_patterns(schema: object, where: str) -> Iterator[tuple[str, str]]:
    """``(pointer, pattern)`` for each regex of a schema, skipping literal values."""
    if isinstance(schema, list):
        for index, item in enumerate(schema):
            yield from _schema_patterns(item, f"{where}/{index}")
        return
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        here = f"{where}/{escape_segment(str(key))}"
        if key == "pattern" and isinstance(value, str):
            yield here, value
        elif key == "patternProperties" and isinstance(value, dict):
            yield from ((f"{here}/{escape_segment(k)}", k) for k in value)
            yield from _schema_patterns(value, here)
        elif key not in _SCHEMA_LITERALS:
            yield from _schema_patterns(value, here)


def _summary(
    manifest: Manifest, agents: tuple[AgentSummary, ...], warnings: tuple[ManifestProblem, ...]
) -> ValidationSummary:
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
        warnings=warnings,
    )
