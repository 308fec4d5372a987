"""Merge ``compare:`` blocks: defaults, then agent, then example (later = more specific).

- Path rules merge per path and per field: a field a later block sets explicitly replaces the
  earlier value; fields it leaves out are inherited. (Explicitly means written in the block:
  ``model_fields_set``, so ``ignore: false`` counts and a default ``false`` does not.)
- ``ignore`` lists are united. An explicit ``ignore:`` in a later block's rule for a listed path
  takes the path out of the list (``false`` un-ignores it, ``true`` keeps it ignored as the
  rule's), and a later ``ignore:`` entry drops an earlier rule's ``ignore`` for the same path:
  whichever comes last decides. Within one block, ``rules`` win over ``ignore``.
- File rules merge per name or glob the same way, their nested ``compare`` blocks recursively.
- ``partial_threshold``: the last block that sets it wins.

Keys that contradict each other in one block (``conflicts``) may meet in a merged rule, one
from each block (a default tolerance, an example's regex): the usual precedence decides.

Paths and globs a later block touches move to the end, so when two different patterns are
equally specific, the later block's wins (see ``compiled``). This also makes the merge
associative: ``merge(merge(a, b), c) == merge(a, merge(b, c))``, and ``CompareSpec()`` is
its identity.
"""

from __future__ import annotations

from typing import Any

from evalkit.compare.rules import MERGED, CompareSpec, FileRule, PathRule


def merge_specs(*specs: CompareSpec | None) -> CompareSpec:
    """Merge blocks from least to most specific; ``None`` stands for "no block"."""
    ignore: dict[str, None] = {}  # an ordered set
    rules: dict[str, dict[str, Any]] = {}
    files: dict[str, dict[str, Any]] = {}
    threshold: float | None = None
    for spec in specs:
        if spec is None:
            continue
        for pointer in spec.ignore:
            ignore.pop(pointer, None)
            ignore[pointer] = None
            if pointer in rules:
                rules[pointer].pop("ignore", None)
        for pointer, rule in spec.rules.items():
            fields = _explicit(rule)
            if "ignore" in fields:  # the rule's own ignore (true or false) is now the last word
                ignore.pop(pointer, None)
            rules[pointer] = {**rules.pop(pointer, {}), **fields}
        for glob, file_rule in spec.files.items():
            files[glob] = _merge_file_fields(files.pop(glob, {}), _explicit(file_rule))
        if spec.partial_threshold is not None:
            threshold = spec.partial_threshold
    merged: dict[str, Any] = {}
    if ignore:
        merged["ignore"] = list(ignore)
    if rules:
        merged["rules"] = {
            pointer: PathRule.model_validate(fields, context=MERGED)
            for pointer, fields in rules.items()
        }
    if files:
        merged["files"] = {
            glob: FileRule.model_validate(fields, context=MERGED) for glob, fields in files.items()
        }
    if threshold is not None:
        merged["partial_threshold"] = threshold
    return CompareSpec.model_validate(merged, context=MERGED)


def _explicit(model: PathRule | FileRule) -> dict[str, Any]:
    return {name: getattr(model, name) for name in model.model_fields_set}


def _merge_file_fields(earlier: dict[str, Any], later: dict[str, Any]) -> dict[str, Any]:
    merged = {**earlier, **later}
    if merged.get("compare") is not None:  # merged even when alone, so results are normalised
        merged["compare"] = merge_specs(earlier.get("compare"), later.get("compare"))
    return merged
