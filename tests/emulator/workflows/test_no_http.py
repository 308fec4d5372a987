"""The workflow engine knows nothing of HTTP: ``evalkit.emulator.routes.workflows`` serves it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import evalkit.emulator.workflows

PACKAGE = Path(evalkit.emulator.workflows.__file__).parent
HTTP = ("fastapi", "starlette", "uvicorn", "evalkit.emulator.routes", "evalkit.emulator.app")


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_no_workflow_module_imports_http_code(path: Path) -> None:
    http = sorted(n for n in imported(path) if n.split(".")[0] in HTTP or n.startswith(HTTP))
    assert not http, f"{path.name} imports {', '.join(http)}"
