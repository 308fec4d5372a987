"""evalkit.stats exports its API and imports nothing beyond the standard library."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import evalkit.stats

PACKAGE = Path(evalkit.stats.__file__).parent


def test_exports_resolve() -> None:
    for name in evalkit.stats.__all__:
        assert getattr(evalkit.stats, name) is not None


def test_only_the_standard_library_and_itself() -> None:
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                allowed = top == "__future__" or top in sys.stdlib_module_names
                assert allowed or name.startswith("evalkit.stats"), f"{path.name}: {name}"


def test_the_package_docstring_names_every_module() -> None:
    """The docstring is the package's map: a module missing from it is found by chance only."""
    doc = evalkit.stats.__doc__ or ""
    for path in PACKAGE.glob("*.py"):
        if path.name != "__init__.py":
            assert path.name in doc, f"evalkit/stats/__init__.py does not list {path.name}"
