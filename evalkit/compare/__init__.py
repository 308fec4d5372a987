"""Comparing an execution's output with what is expected. Imports nothing else of evalkit.

    compare_example(...)   -> ExampleVerdict   JSON + files, score, rating (pass|partial|fail)
    compare_json(...)      -> JsonComparison   one JSON value under compiled rules
    compare_files(...)     -> [FileComparison] files matched by name, per-mode comparison
    compile_rules(spec)    -> CompiledRules    once per rule set (cached)
    merge_specs(*specs)    -> CompareSpec      defaults -> agent -> example

The rule syntax (``CompareSpec``, ``PathRule``, ``FileRule``) lives in ``rules``.
"""

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
