"""Warnings for rules that can never apply, each at the rule's line with a "did you mean".

A path rule (or an ``ignore:`` entry) applies when its pattern matches a path of the expected
JSON of at least one example it applies to (``blocks``); a key of it applies when some value it
reaches has the kind the key works on (``evalkit.compare.reach``): a ``tolerance`` on text or an
``order`` on a path without lists never does. A file rule applies when its name or glob matches
an expected file; the rules of its ``compare`` block are checked against those files (json and
csv ones).

A ``regex`` that can backtrack catastrophically (``evalkit.compare.regex_shape``: ``(a+)+``,
``(a|a)*``) is reported wherever it is, at its pattern.

Rules that only ignore (``ignore:`` entries, ``{ignore: true}``) may name what the output adds
and the expected JSON lacks (a ``/debug`` key, ``*.log`` files): they are reported only when
they look like a typo of a path or file that exists. A block applying to no example at all
(an agent without examples yet) is not checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evalkit.compare.file_formats import UnreadableFile, csv_records, parse_json
from evalkit.compare.file_modes import FileMode, default_mode
from evalkit.compare.files import glob_matches
from evalkit.compare.reach import (
    DocumentPaths,
    keys_never_applying,
    reach,
    suggest_name,
    suggest_pointer,
)
from evalkit.compare.regex_shape import quoted, read_shape
from evalkit.compare.rules import CompareSpec, FileRule, PathRule
from evalkit.compare.user_regex import MATCH_LIMIT_MS
from evalkit.errors import ManifestProblem
from evalkit.manifest.blocks import CompareBlock, WrittenManifest
from evalkit.manifest.yaml_source import Loc, YamlSource, loc_text

_TYPO = "did you mean"
#: how to rewrite a regex that backtracks (``regex_shape``)
REGEX_REWRITES = (
    "let each part match in one way only: (a+)+ -> a+, (a|aa)+ -> a+, "
    r"(\w+\s?)+ -> \w+(?:\s\w+)*\s?, or make the inner repeat possessive: (a++)+"
)
_BACKTRACKING_HINT = (
    f"on a value it fails to match it can run until stopped ({MATCH_LIMIT_MS} ms), failing "
    f"the path; {REGEX_REWRITES}"
)


def rule_warnings(written: WrittenManifest) -> list[ManifestProblem]:
    """Every rule of every block that can never apply, and every regex that can backtrack
    catastrophically (whatever examples its block has), in the order written."""
    warnings: list[ManifestProblem] = []
    for block in written.blocks:
        warnings.extend(_backtracking(block.source, block.loc, block.spec))
        if block.examples:
            warnings.extend(_check_block(block))
    return warnings


def _backtracking(source: YamlSource, loc: Loc, spec: CompareSpec) -> Iterator[ManifestProblem]:
    """A warning at each regex known to backtrack catastrophically (``regex_shape``): on some
    values it runs until stopped, and the path fails."""
    for pointer, rule in spec.rules.items():
        if rule.regex is None:
            continue
        found = read_shape(rule.regex).backtracking()
        if found:
            place = (*loc, "rules", pointer, "regex")
            yield ManifestProblem(
                source.mark(place),
                f"regex {quoted(rule.regex)} in rule {pointer!r} can backtrack catastrophically: "
                f"{found[0].describe()}",
                loc_text(place),
                _BACKTRACKING_HINT,
            )
    for glob, file_rule in spec.files.items():
        if file_rule.compare is not None:
            yield from _backtracking(source, (*loc, "files", glob, "compare"), file_rule.compare)


def _check_block(block: CompareBlock) -> Iterator[ManifestProblem]:
    documents = [e.expected_json for e in block.examples if e.expected_text is not None]
    paths = DocumentPaths.of(documents)
    where = f"the expected JSON of {block.scope}"
    if not documents:
        where += " (none of its examples has one)"
    yield from _check_rules(block.source, block.loc, block.spec, paths, where)
    yield from _check_files(block)


def _check_rules(
    source: YamlSource, loc: Loc, spec: CompareSpec, paths: DocumentPaths, where: str
) -> Iterator[ManifestProblem]:
    for index, pointer in enumerate(spec.ignore):
        if not reach(pointer, paths).matched:
            place = (*loc, "ignore", index)
            yield from _unmatched(source, place, f"ignore {pointer!r}", pointer, paths, where)
    for pointer, rule in spec.rules.items():
        place = (*loc, "rules", pointer)
        found = reach(pointer, paths)
        if not found.matched:
            only_ignores = _only_ignores(rule)
            yield from _unmatched(
                source, place, f"rule {pointer!r}", pointer, paths, where, only_ignores
            )
            continue
        fields = {name: getattr(rule, name) for name in rule.model_fields_set}
        for key, unused in keys_never_applying(fields, found).items():
            yield ManifestProblem(
                source.mark((*place, key), key=True),
                f"{key!r} in rule {pointer!r} never applies: {unused.why}",
                loc_text(place),
                unused.hint,
            )


def _unmatched(
    source: YamlSource,
    place: Loc,
    what: str,
    pointer: str,
    paths: DocumentPaths,
    where: str,
    only_ignores: bool = True,
) -> Iterator[ManifestProblem]:
    hint = suggest_pointer(pointer, paths)
    if only_ignores and not hint.startswith(_TYPO):
        return  # may well name what only the output has
    mark = source.mark(place, key=place[-2] == "rules")
    yield ManifestProblem(mark, f"{what} matches no path in {where}", loc_text(place), hint)


def _only_ignores(rule: PathRule) -> bool:
    return rule.ignore and rule.model_fields_set <= {"ignore"}


def _check_files(block: CompareBlock) -> Iterator[ManifestProblem]:
    expected = [(name, path) for e in block.examples for name, path in e.expected_files.items()]
    for glob, rule in block.spec.files.items():
        place = (*block.loc, "files", glob)
        hits = [(name, path) for name, path in expected if glob_matches(glob, name)]
        if not hits:
            hint = suggest_name(glob, (name for name, _ in expected))
            if rule.ignore and not hint.startswith(_TYPO):
                continue  # e.g. '*.log': output files nobody checks
            yield ManifestProblem(
                block.source.mark(place, key=True),
                f"file rule {glob!r} matches no expected file of {block.scope}",
                loc_text(place),
                hint,
            )
        elif rule.compare is not None:
            paths = DocumentPaths.of(_contents(rule, hits))
            where = f"the expected files {glob!r} of {block.scope}"
            yield from _check_rules(block.source, (*place, "compare"), rule.compare, paths, where)


def _contents(rule: FileRule, files: list[tuple[str, Path]]) -> Iterator[Any]:
    """The expected files a file rule's ``compare`` block applies to, parsed (json, csv)."""
    for name, path in files:
        mode = rule.mode if "mode" in rule.model_fields_set else default_mode(name)
        if mode not in (FileMode.JSON, FileMode.CSV):
            continue
        try:
            data = path.read_bytes()
            if mode == FileMode.JSON:
                yield parse_json(data, "the expected file")
            else:
                yield csv_records(data, "the expected file")
        except (OSError, UnreadableFile):
            continue  # the comparison reports it
