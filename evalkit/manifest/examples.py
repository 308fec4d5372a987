"""Examples from folders in the platform's layout and from inline YAML, checked and resolved."""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from evalkit.compare.python_scorers import anchor_python_scorers
from evalkit.compare.rules import CompareSpec
from evalkit.compare.schema_files import anchor_json_schemas
from evalkit.errors import ManifestProblem, SourceMark
from evalkit.manifest.json_text import TextProblem, decode_utf8, loads_strict
from evalkit.manifest.judges import JudgeUse, judge_uses
from evalkit.manifest.levels import PlacedRepeat, merge_compare
from evalkit.manifest.limits import MAX_JSON_BYTES, too_large
from evalkit.manifest.models import (
    EXAMPLE_LAYOUT,
    NAME_PATTERN,
    ExampleFolder,
    ExampleSource,
    InlineExample,
)
from evalkit.manifest.paths import (
    PathProblem,
    display_path,
    file_mark,
    resolve_inside,
    sibling_hint,
)
from evalkit.manifest.problems import suggest
from evalkit.manifest.spec import ExampleSpec
from evalkit.manifest.workspace import DEFAULT_EXCLUDES, glob_regex
from evalkit.manifest.yaml_source import Loc, YamlSource, loc_text
from evalkit.safe_paths import UnsafePath, check_relative, file_field_reason, is_inside

#: the default exclusions as one pattern: a name (or a path from the folder) is left out when it
#: matches (one match a name, not one per exclusion: a manifest's example folders hold thousands)
_JUNK = re.compile("|".join(f"(?:{glob_regex(p).pattern})" for p in DEFAULT_EXCLUDES))
_NAME = re.compile(NAME_PATTERN)
#: an example folder may hold a README.md for reviewers: it becomes the example's notes and
#: stays local (it is not part of the platform's layout)
README = "README.md"
#: an example made from an execution (``evalkit promote``/``harvest``) names it here; it stays
#: local too, and ``harvest`` skips the executions that examples name already
SOURCE = "source.json"
_LAYOUT_FOLDERS = ("input", "expected")
#: every name an example folder may hold
_EXAMPLE_NAMES = (*EXAMPLE_LAYOUT, README, SOURCE)


@dataclass
class Resolution:
    """What resolving needs everywhere: the project folder and the problems found so far."""

    root: Path
    problems: list[ManifestProblem] = field(default_factory=list)
    #: every ``judge`` rule met, checked once all agents are known (``manifest.judges``)
    judges: list[JudgeUse] = field(default_factory=list)
    #: an examples folder may be missing or empty: promote and harvest write the first ones
    awaiting_examples: bool = False
    #: agents whose workspace folder may be missing: pull is about to write it
    awaiting_workspaces: frozenset[str] = frozenset()

    def fail(self, mark: SourceMark, message: str, key: str = "", hint: str = "") -> None:
        self.problems.append(ManifestProblem(mark, message, key, hint))

    def check_repeat(self, repeat: PlacedRepeat) -> None:
        """A problem when an example's ``repeat:`` can never pass: once, at its ``pass_if``
        (the thousands of examples of an agent share it)."""
        problem = repeat.never_passes()
        if problem is not None and problem not in self.problems:
            self.problems.append(problem)

    def inside(self, path: Path, what: str) -> bool:
        """Whether ``path`` (links followed) stays in the project; a problem when it does not."""
        if is_inside(path, self.root):
            return True
        self.fail(
            file_mark(path),
            f"{what} {path.name!r} links outside the project",
            hint="copy it into the project instead of linking to it",
        )
        return False

    def anchored(
        self, block: CompareSpec | None, source: YamlSource, loc: Loc
    ) -> CompareSpec | None:
        """A ``compare:`` block (at ``loc`` of ``source``) with its ``json_schema`` paths and
        ``python`` scorer files made absolute from the folder of the file that declares it; a
        schema or a scorer that cannot be used is a problem at its rule's line
        (``evalkit.compare.schema_files``, ``evalkit.compare.python_scorers``)."""

        def resolve(relative: str) -> Path:
            return resolve_inside(source.path.parent, relative, self.root)

        self.judges.extend(judge_uses(block, source, loc))
        spec, problems = anchor_json_schemas(block, resolve)
        spec, more = anchor_python_scorers(spec, resolve)
        for problem in [*problems, *more]:
            where = (*loc, *problem.loc)
            self.fail(source.mark(where), problem.message, loc_text(where), problem.hint)
        return spec

    def path(self, source: YamlSource, loc: Loc, relative: str, *, kind: str) -> Path | None:
        """Resolve a manifest path that must exist as ``kind`` ('file' or 'folder')."""
        try:
            path = resolve_inside(source.path.parent, relative, self.root)
        except PathProblem as err:
            self.fail(source.mark(loc), str(err), loc_text(loc), err.hint)
            return None
        if not path.exists():
            message = f"{kind} {relative!r} not found: it does not exist"
            self.fail(source.mark(loc), message, loc_text(loc), sibling_hint(path))
            return None
        if (kind == "file") != path.is_file():
            what = "a file" if path.is_file() else "a folder"
            message = f"{relative!r} is {what}, not a {kind}"
            self.fail(source.mark(loc), message, loc_text(loc), f"point it at a {kind}")
            return None
        return path


@dataclass(frozen=True)
class Owner:
    """Whose examples these are, and the rules they start from."""

    agent_slug: str | None
    workflow: str | None
    compare: CompareSpec
    #: the agent's or workflow's tags, which every one of its examples carries
    tags: tuple[str, ...] = ()
    #: ``repeat:`` from the defaults and the agent or workflow
    repeat: PlacedRepeat = field(default_factory=PlacedRepeat)

    def tags_with(self, *more: list[str]) -> tuple[str, ...]:
        """The owner's tags, then ``more`` in order, each once."""
        return tuple(dict.fromkeys([*self.tags, *(tag for group in more for tag in group)]))

    def compare_with(self, block: CompareSpec | None) -> CompareSpec:
        """The owner's rules merged with an example's own ``block``: merged once for all the
        examples without one (20,000 inline examples held as many equal copies)."""
        return self._merged_alone if block is None else merge_compare(self.compare, block)

    @cached_property
    def _merged_alone(self) -> CompareSpec:
        return merge_compare(self.compare, None)


def read_json(path: Path, res: Resolution) -> tuple[bool, Any]:
    """Parse a JSON file; a problem at the exact line and column when it is malformed, too
    large or too deep to use (``json_text.loads_strict``)."""
    try:
        with open(path, "rb") as file:  # its size from the open file: no stat of the path
            size = os.fstat(file.fileno()).st_size
            if size > MAX_JSON_BYTES:
                message = too_large(size, MAX_JSON_BYTES, "a JSON file evalkit reads")
                res.fail(file_mark(path, 0), message, hint="make it smaller, or leave it out")
                return False, None
            data = file.read()
        # a byte-order mark, as some editors write, is no JSON: read past it (RFC 8259 8.1)
        return True, loads_strict(decode_utf8(data.removeprefix(codecs.BOM_UTF8)))
    except TextProblem as err:
        where = SourceMark(display_path(path), err.line, err.column)
        res.fail(where, str(err), hint=err.hint)
    except OSError as err:
        message = f"cannot read the file: {err.strerror or err}"
        res.fail(file_mark(path, 0), message, hint="check that it is a readable file")
    return False, None


def _awaiting_folder(
    entry: ExampleFolder, loc: Loc, source: YamlSource, res: Resolution
) -> Path | None:
    """The declared folder when it does not exist yet or holds no example folder (its first
    examples are about to be written), else None: it is read as usual."""
    try:
        folder = resolve_inside(source.path.parent, entry.folder, res.root)
    except PathProblem:
        return None  # reported when the folder is read
    if not folder.exists():
        return folder
    if folder.is_dir() and not entry.examples and not any(p.is_dir() for p in folder.iterdir()):
        return folder
    return None


def folder_examples(
    entry: ExampleFolder, loc: Loc, source: YamlSource, res: Resolution, owner: Owner
) -> tuple[Path | None, list[ExampleSpec]]:
    """The examples of one folder entry, and the folder itself."""
    folder_loc = (*loc, "folder") if source.has((*loc, "folder")) else loc
    if res.awaiting_examples:
        waiting = _awaiting_folder(entry, folder_loc, source, res)
        if waiting is not None:
            return waiting, []
    folder = res.path(source, folder_loc, entry.folder, kind="folder")
    if folder is None:
        return None, []
    listing = _listing(folder)
    names = sorted(
        name
        for name, entry in listing.items()
        if entry.is_dir()
        and not _JUNK.match(name)
        # the folder is resolved and inside the project: only a link may lead elsewhere
        and (not entry.is_symlink() or res.inside(folder / name, "example folder"))
    )
    for stray in sorted(name for name, entry in listing.items() if entry.is_file()):
        if stray in ("input.json", "expected.json"):
            res.fail(
                file_mark(folder / stray),
                f"{stray} sits directly in the examples folder",
                hint="each example is a sub-folder: <folder>/<example-name>/" + stray,
            )
    if not names:
        res.fail(
            source.mark(folder_loc),
            f"no examples in folder {entry.folder!r}",
            loc_text(folder_loc),
            "add one sub-folder per example holding input.json and expected.json",
        )
    for extra in entry.examples:
        if extra not in names:
            extra_loc = (*loc, "examples", extra)
            hint = suggest(extra, names) or f"examples there: {', '.join(names) or 'none'}"
            res.fail(
                source.mark(extra_loc, key=True),
                f"no example {extra!r} in folder {entry.folder!r}",
                loc_text(extra_loc),
                hint,
            )
    examples = []
    base = merge_compare(owner.compare, res.anchored(entry.compare, source, (*loc, "compare")))
    base_repeat = owner.repeat.over(entry.repeat, source, (*loc, "repeat"))
    # what an example without its own entry gets: worked out once for all of them
    plain = _Declared(tags=owner.tags_with(entry.tags), compare=base, repeat=base_repeat)
    for name in names:
        extras = entry.examples.get(name)
        declared = plain
        if extras is not None:
            declared = _Declared(
                tags=owner.tags_with(entry.tags, extras.tags),
                compare=merge_compare(
                    base, res.anchored(extras.compare, source, (*loc, "examples", name, "compare"))
                ),
                repeat=base_repeat.over(extras.repeat, source, (*loc, "examples", name, "repeat")),
                notes=extras.notes,
                mark=source.mark((*loc, "examples", name), key=True),
            )
        example = _read_folder_example(folder / name, res, owner, declared)
        if example is not None:
            res.check_repeat(declared.repeat)
            examples.append(example)
    return folder, examples


@dataclass(frozen=True)
class _Declared:
    """What the manifest says of a folder example (its folder entry's, and its own entry's
    under ``examples:``, when it has one)."""

    tags: tuple[str, ...]
    compare: CompareSpec
    repeat: PlacedRepeat
    #: its entry's notes, over its README.md (None: the README's, if any)
    notes: str | None = None
    #: its entry in the manifest (None: its expected.json, or its folder)
    mark: SourceMark | None = None


def _read_folder_example(
    folder: Path, res: Resolution, owner: Owner, declared: _Declared
) -> ExampleSpec | None:
    before = len(res.problems)
    if not _NAME.match(folder.name):
        res.fail(
            file_mark(folder),
            f"example folder name {folder.name!r} is not a valid example name",
            hint="use letters, digits, '.', '_' and '-', starting with a letter or digit",
        )
    listing = _listing(folder)
    _check_layout(folder, listing, res)
    readable = _own_files(folder, listing, res)
    has_input_json = _is_file(listing, "input.json")  # refused or not: not missing
    input_json: dict[str, Any] = {}
    if "input.json" in readable:
        ok, value = read_json(readable["input.json"], res)
        if ok and not isinstance(value, dict):
            res.fail(file_mark(readable["input.json"]), "input.json must hold a JSON object")
        elif ok:
            input_json = value
    counted = len(res.problems)
    # (not there: nothing to look at; the listing says so without a stat)
    input_files = _input_files(folder / "input", res) if "input" in listing else {}
    input_refused = len(res.problems) > counted
    for field_name in sorted(set(input_files) & set(input_json)):
        res.fail(
            file_mark(input_files[field_name]),
            f"input field {field_name!r} is given both in input.json and as a file",
            hint="keep one of them",
        )
    expected_json: Any = None
    has_expected_json = _is_file(listing, "expected.json")
    if "expected.json" in readable:
        _, expected_json = read_json(readable["expected.json"], res)
    counted = len(res.problems)
    expected_files = _expected_files(folder / "expected", res) if "expected" in listing else {}
    expected_refused = len(res.problems) > counted
    # a refused input/ or expected/ is reported already: not again as missing
    if not has_input_json and not input_files and not input_refused:
        res.fail(file_mark(folder), f"example {folder.name!r} has no input.json or input/ files")
    if not has_expected_json and not expected_files and not expected_refused:
        res.fail(
            file_mark(folder),
            f"example {folder.name!r} expects nothing",
            hint="add expected.json or files under expected/",
        )
    source = _source(readable.get(SOURCE), res)
    if len(res.problems) > before:
        return None
    readme = readable.get(README)
    notes = readme.read_text(encoding="utf-8", errors="replace").strip() if readme else None
    where = folder / "expected.json" if has_expected_json else folder
    return ExampleSpec(
        name=folder.name,
        agent_slug=owner.agent_slug,
        workflow=owner.workflow,
        input_json=input_json,
        input_files=input_files,
        expected_json=expected_json,
        expected_files=expected_files,
        tags=declared.tags,
        compare=declared.compare,
        repeat=declared.repeat.repeat,
        notes=declared.notes if declared.notes is not None else notes,
        mark=declared.mark or file_mark(where),
        folder=folder,
        source=source,
    )


def _source(path: Path | None, res: Resolution) -> ExampleSource | None:
    """The example's ``source.json``, when it has one; a problem when it is not one."""
    if path is None:
        return None
    ok, value = read_json(path, res)
    if not ok:
        return None
    try:
        return ExampleSource.model_validate(value)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "<root>"
        res.fail(
            file_mark(path),
            f"{SOURCE}: {where}: {first['msg']}",
            hint='it names the execution the example came from: {"execution": "exec_..."}',
        )
        return None


def _listing(folder: Path) -> dict[str, os.DirEntry[str]]:
    """What ``folder`` holds, by name: one listing answers whether each is a file or a folder
    (links followed, as ``Path.is_file``) without a ``stat`` for each question."""
    with os.scandir(folder) as entries:
        return {entry.name: entry for entry in entries}


def _is_file(listing: dict[str, os.DirEntry[str]], name: str) -> bool:
    entry = listing.get(name)
    return entry is not None and entry.is_file()


def _own_files(
    folder: Path, listing: dict[str, os.DirEntry[str]], res: Resolution
) -> dict[str, Path]:
    """The example folder's own files (input.json, expected.json, README.md, source.json) that
    are there and may be read: one linked out of the project is a problem, and is not read."""
    files = {}
    for name in ("input.json", "expected.json", README, SOURCE):
        entry = listing.get(name)
        if entry is None or not entry.is_file():
            continue
        path = folder / name
        # the example folder is inside the project: only a link may lead elsewhere
        if not entry.is_symlink() or res.inside(path, "example file"):
            files[name] = path
    return files


def _check_layout(folder: Path, listing: dict[str, os.DirEntry[str]], res: Resolution) -> None:
    """Only the platform's layout (and a README.md) in an example folder: a misspelt
    ``expectd.json`` would otherwise leave the example silently without expectations."""
    for name in sorted(listing):
        if _JUNK.match(name):
            continue
        if name not in _EXAMPLE_NAMES:
            hint = suggest(name, EXAMPLE_LAYOUT) or "an example holds " + ", ".join(_EXAMPLE_NAMES)
            res.fail(file_mark(folder / name), f"unexpected {name!r} in example folder", hint=hint)
        elif listing[name].is_dir() != (name in _LAYOUT_FOLDERS):
            kind = "a folder" if name in _LAYOUT_FOLDERS else "a file"
            res.fail(file_mark(folder / name), f"{name!r} in an example folder must be {kind}")


def _input_files(folder: Path, res: Resolution) -> dict[str, Path]:
    files: dict[str, Path] = {}
    if not folder.is_dir() or not res.inside(folder, "input folder"):
        return files
    for path in sorted(folder.iterdir()):
        if _JUNK.match(path.name):
            continue
        if not path.is_file():
            res.fail(file_mark(path), "input/ holds one file per input field, no folders")
            continue
        if not res.inside(path, "input file"):
            continue
        field_name = path.stem  # input/<field>.<ext>
        reason = file_field_reason(field_name)
        if reason is not None:
            res.fail(
                file_mark(path),
                f"input file {path.name!r} names the input field {field_name!r}, which cannot "
                f"be a file input: {reason}",
                hint="rename it input/<input key><extension>, one plain name: input/document.pdf",
            )
            continue
        if field_name in files:
            res.fail(
                file_mark(path),
                f"two files for input field {field_name!r}: {files[field_name].name}, {path.name}",
                hint="keep one file per input field",
            )
            continue
        files[field_name] = path
    return files


def _expected_files(folder: Path, res: Resolution) -> dict[str, Path]:
    """Every file under expected/, by its path there. A link that leads out of the project is
    refused once, at the link, without reading what is behind it; a link to a folder is
    refused too (it could lead back up, without end)."""
    files: dict[str, Path] = {}
    if not folder.is_dir() or not res.inside(folder, "expected folder"):
        return files
    for base, dirs, names in os.walk(folder):
        here = Path(base)
        kept = []
        for name in sorted(dirs):
            path = here / name
            relative = path.relative_to(folder).as_posix()
            if _JUNK.match(relative):
                continue
            if path.is_symlink():
                if res.inside(path, "expected folder"):
                    hint = "copy the folder into expected/ (links to files are fine)"
                    res.fail(
                        file_mark(path), f"expected/{relative} is a link to a folder", hint=hint
                    )
                continue
            kept.append(name)
        dirs[:] = kept  # os.walk descends only into the folders kept here
        for name in sorted(names):
            path = here / name
            relative = path.relative_to(folder).as_posix()
            if _JUNK.match(relative) or not res.inside(path, "expected file"):
                continue
            reason = _unsafe_name(relative)
            if reason is not None:
                hint = "rename it to a plain name (letters, digits, '-', '_', '.')"
                res.fail(file_mark(path), f"expected file {relative!r} {reason}", hint=hint)
                continue
            files[relative] = path
    return dict(sorted(files.items()))


def inline_example(
    raw: InlineExample, loc: Loc, source: YamlSource, res: Resolution, owner: Owner
) -> ExampleSpec | None:
    """An example written in the manifest, its files checked."""
    before = len(res.problems)
    input_files = {}
    for field_name, relative in raw.input_files.items():
        field_loc = (*loc, "input_files", field_name)
        _check_field_name(field_name, field_loc, source, res)
        path = res.path(source, field_loc, relative, kind="file")
        if path is not None:
            input_files[field_name] = path
        if field_name in raw.input:
            res.fail(
                source.mark(field_loc, key=True),
                f"input field {field_name!r} is given both in input and in input_files",
                loc_text(field_loc),
                "keep one of them",
            )
    expected_files = {}
    for name, relative in raw.expected_files.items():
        name_loc = (*loc, "expected_files", name)
        reason = _unsafe_name(name)
        if reason is not None:
            res.fail(
                source.mark(name_loc, key=True),
                f"expected file name {name!r} {reason}",
                loc_text(name_loc),
                "use a name like 'report.csv' or 'pages/1.txt' (no '..', no leading '/')",
            )
        path = res.path(source, name_loc, relative, kind="file")
        if path is not None:
            expected_files[name] = path
    if raw.expected is None and not raw.expected_files:
        res.fail(
            source.mark(loc),
            f"example {raw.name!r} expects nothing",
            loc_text(loc),
            "add 'expected' (the output JSON) or 'expected_files'",
        )
    repeat = owner.repeat.over(raw.repeat, source, (*loc, "repeat"))
    res.check_repeat(repeat)
    if len(res.problems) > before:
        return None
    return ExampleSpec(
        name=raw.name,
        agent_slug=owner.agent_slug,
        workflow=owner.workflow,
        input_json=dict(raw.input),
        input_files=input_files,
        expected_json=raw.expected,
        expected_files=expected_files,
        tags=owner.tags_with(raw.tags),
        compare=owner.compare_with(res.anchored(raw.compare, source, (*loc, "compare"))),
        repeat=repeat.repeat,
        notes=raw.notes,
        mark=source.mark(loc),
    )


def _check_field_name(field_name: str, loc: Loc, source: YamlSource, res: Resolution) -> None:
    """A problem at an ``input_files`` key that the platform would refuse as a file input's
    name (``file_field_reason``): the run would fail, or sync refuse the example's files."""
    reason = file_field_reason(field_name)
    if reason is not None:
        res.fail(
            source.mark(loc, key=True),
            f"input field {field_name!r} cannot be a file input: {reason}",
            loc_text(loc),
            "a file input is named after the input key it fills, one plain name: "
            "input_files: {document: files/scan.pdf}",
        )


def _unsafe_name(name: str) -> str | None:
    """Why ``name``, a path in the platform's example layout (``expected/<name>``), is one the
    platform refuses (contract A7), or None."""
    try:
        check_relative(name)
    except UnsafePath as err:
        return err.reason
    return None
