"""Anchoring a ``compare:`` block's files where the manifest declares it: the rule keys that
name a file (``json_schema``, ``python``) name it relative to the folder of the manifest file
that declares the block; the manifest loader knows that folder and passes a resolver
(``Resolve``), each key's module makes its paths absolute and checks the files, and the
problems found come back with their place in the block, for a problem at the rule's line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalkit.compare.rules import MERGED, CompareSpec, FileRule, PathRule

#: a manifest path as written -> the file it names, inside the project; ``ValueError`` (its
#: message names the path, an optional ``hint`` attribute says what to do) when it may not be
#: used, e.g. ``lambda p: resolve_manifest_path(root, p, start=manifest_folder)``
Resolve = Callable[[str], Path]


@dataclass(frozen=True)
class AnchorProblem:
    """A file named in a ``compare:`` block that cannot be used: where in the block (e.g.
    ``("rules", "/answer", "json_schema")``), what is wrong, and what to do."""

    loc: tuple[str, ...]
    message: str
    hint: str


#: one rule anchored: the rule (a copy with absolute paths, or itself), problems appended
#: to the list, at the rule's place in the block (the second argument)
AnchorRule = Callable[[PathRule, tuple[str, ...], list[AnchorProblem]], PathRule]


def anchor_rules(
    spec: CompareSpec | None, anchor_rule: AnchorRule
) -> tuple[CompareSpec | None, list[AnchorProblem]]:
    """The block with every path rule (file rules' ``compare`` blocks included) passed through
    ``anchor_rule``; the block itself when nothing changed."""
    if spec is None:
        return None, []
    problems: list[AnchorProblem] = []
    rules = {
        pointer: anchor_rule(rule, ("rules", pointer), problems)
        for pointer, rule in spec.rules.items()
    }
    files: dict[str, FileRule] = {}
    for glob, file_rule in spec.files.items():
        inner, found = anchor_rules(file_rule.compare, anchor_rule)
        problems += [
            AnchorProblem(("files", glob, "compare", *p.loc), p.message, p.hint) for p in found
        ]
        files[glob] = (
            file_rule if inner is file_rule.compare else copy_rule(file_rule, compare=inner)
        )
    if all(rules[p] is spec.rules[p] for p in rules) and all(
        files[g] is spec.files[g] for g in files
    ):
        return spec, problems
    return copy_rule(spec, rules=rules, files=files), problems


def copy_rule(model: Any, **changes: Any) -> Any:
    """A copy of a rule or block with ``changes``, as written otherwise (validated as merged
    rules are: the paths in it are absolute now)."""
    fields = {name: getattr(model, name) for name in model.model_fields_set}
    return type(model).model_validate({**fields, **changes}, context=MERGED)
