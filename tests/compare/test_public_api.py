"""The package's public surface and its independence from the rest of evalkit."""

from __future__ import annotations

import ast
from pathlib import Path

import evalkit.compare

PACKAGE = Path(evalkit.compare.__file__).parent


def test_all_is_sorted_unique_and_importable() -> None:
    names = list(evalkit.compare.__all__)
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(evalkit.compare, name), name


def test_compare_imports_nothing_else_of_evalkit() -> None:
    for module in PACKAGE.glob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("evalkit")
            ):
                assert node.module.startswith("evalkit.compare"), f"{module.name}: {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith("evalkit") or alias.name.startswith(
                        "evalkit.compare"
                    ), f"{module.name}: {alias.name}"


def test_modules_stay_small() -> None:
    for module in PACKAGE.glob("*.py"):
        assert len(module.read_text().splitlines()) < 400, module.name
