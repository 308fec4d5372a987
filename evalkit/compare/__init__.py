"""Comparing an execution's output with what is expected. Imports nothing else of evalkit.

    compare_example(...)   -> ExampleVerdict   JSON + files, score, rating (pass|partial|fail)
    compare_json(...)      -> JsonComparison   one JSON value under compiled rules
    compare_files(...)     -> [FileComparison] files matched by name, per-mode comparison
    compile_rules(spec)    -> CompiledRules    once per rule set (cached)
    merge_specs(*specs)    -> CompareSpec      defaults -> agent -> example

The rule syntax (``CompareSpec``, ``PathRule``, ``FileRule``) lives in ``rules``.

The names load on first use: the manifest's reading needs the rule syntax only, and a run
imports the comparison itself (its matching, scorers and their worker pool) while its first
executions are away (tests/test_project.py checks the imports).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evalkit.lazy_names import lazy_names

if TYPE_CHECKING:
    from evalkit.compare.compiled import CompiledRules, ResolvedRule, compile_rules
    from evalkit.compare.differences import (
        ABSENT,
        AppliedKind,
        AppliedRule,
        Difference,
        DifferenceKind,
    )
    from evalkit.compare.file_modes import default_mode
    from evalkit.compare.files import FileComparison, FileStatus, compare_files
    from evalkit.compare.json_compare import JsonComparison, compare_json
    from evalkit.compare.pointers import format_pointer, parse_pointer
    from evalkit.compare.rules import (
        CompareSpec,
        FileMode,
        FileRule,
        ListOrder,
        PathRule,
        TextNormalisation,
    )
    from evalkit.compare.spec_merge import merge_specs
    from evalkit.compare.verdict import (
        DEFAULT_PARTIAL_THRESHOLD,
        ExampleVerdict,
        Rating,
        compare_example,
        parse_if_json_text,
    )

#: name -> the module of this package that defines it, imported when the name is first used
_LAZY = {
    "ABSENT": ".differences",
    "DEFAULT_PARTIAL_THRESHOLD": ".verdict",
    "AppliedKind": ".differences",
    "AppliedRule": ".differences",
    "CompareSpec": ".rules",
    "CompiledRules": ".compiled",
    "Difference": ".differences",
    "DifferenceKind": ".differences",
    "ExampleVerdict": ".verdict",
    "FileComparison": ".files",
    "FileMode": ".rules",
    "FileRule": ".rules",
    "FileStatus": ".files",
    "JsonComparison": ".json_compare",
    "ListOrder": ".rules",
    "PathRule": ".rules",
    "Rating": ".verdict",
    "ResolvedRule": ".compiled",
    "TextNormalisation": ".rules",
    "compare_example": ".verdict",
    "compare_files": ".files",
    "compare_json": ".json_compare",
    "compile_rules": ".compiled",
    "default_mode": ".file_modes",
    "format_pointer": ".pointers",
    "merge_specs": ".spec_merge",
    "parse_if_json_text": ".verdict",
    "parse_pointer": ".pointers",
}


__getattr__ = lazy_names(__name__, _LAZY)


__all__ = [
    "ABSENT",
    "DEFAULT_PARTIAL_THRESHOLD",
    "AppliedKind",
    "AppliedRule",
    "CompareSpec",
    "CompiledRules",
    "Difference",
    "DifferenceKind",
    "ExampleVerdict",
    "FileComparison",
    "FileMode",
    "FileRule",
    "FileStatus",
    "JsonComparison",
    "ListOrder",
    "PathRule",
    "Rating",
    "ResolvedRule",
    "TextNormalisation",
    "compare_example",
    "compare_files",
    "compare_json",
    "compile_rules",
    "default_mode",
    "format_pointer",
    "merge_specs",
    "parse_if_json_text",
    "parse_pointer",
]
