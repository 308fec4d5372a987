"""The package's public surface and its independence from the rest of evalkit."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import evalkit.compare

PACKAGE = Path(evalkit.compare.__file__).parent


def test_all_is_sorted_unique_and_importable() -> None:
    names = list(evalkit.compare.__all__)
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(evalkit.compare, name), name


#: evalkit modules the package may import besides its own: leaves that import nothing of evalkit
ALLOWED = ("evalkit.compare", "evalkit.lazy_names")


def test_compare_imports_nothing_else_of_evalkit() -> None:
    for module in PACKAGE.glob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("evalkit")
            ):
                assert node.module.startswith(ALLOWED), f"{module.name}: {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith("evalkit") or alias.name.startswith(ALLOWED), (
                        f"{module.name}: {alias.name}"
                    )


def test_modules_stay_small() -> None:
    for module in PACKAGE.glob("*.py"):
        assert len(module.read_text().splitlines()) < 400, module.name


def test_the_rule_syntax_loads_no_comparison_and_no_regex_engine() -> None:
    """What the manifest's reading imports of this package (the rule syntax, merging, the
    anchoring of schema and Python scorer files) loads neither the comparison nor the regex
    engine, jsonschema or the scorer pool: a run imports them at its first comparison (its
    warm-up), a rule with a regex when it is read."""
    probe = (
        "import sys; import evalkit.compare.rules, evalkit.compare.spec_merge, "
        "evalkit.compare.schema_files, evalkit.compare.python_scorers, evalkit.compare.judges; "
        "from evalkit.compare import CompareSpec; CompareSpec(rules={'/a': {'tolerance': 1}}); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('regex', 'jsonschema', "
        "'rapidfuzz', 'deepdiff', 'multiprocessing') or m in ('evalkit.compare.user_regex', "
        "'evalkit.compare.json_compare', 'evalkit.compare.scorer_pool'))); "
        "CompareSpec(rules={'/a': {'regex': '[a-z]+'}}); print('regex' in sys.modules)"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert loaded.stdout.split("\n")[:2] == ["[]", "True"], loaded.stdout + loaded.stderr
