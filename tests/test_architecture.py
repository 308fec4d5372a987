"""docs/architecture.md matches the code: every part it names exists, every part that exists
is named, and no part imports one its row does not allow (imports inside functions count)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "evalkit"
PAGE = ROOT / "docs" / "architecture.md"

ROW = re.compile(r"^\| `evalkit/(?P<part>[\w]+)(?:/|\.py)` \| .* \| (?P<allowed>[^|]+) \|$")


def documented() -> dict[str, set[str] | None]:
    """Each part in the layers table -> the parts it may import (None: anything)."""
    parts: dict[str, set[str] | None] = {}
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        row = ROW.match(line)
        if row is None:
            continue
        allowed = row.group("allowed").strip()
        assert row.group("part") not in parts, f"{row.group('part')} is in the table twice"
        if allowed == "anything":
            parts[row.group("part")] = None
        elif allowed == "nothing":
            parts[row.group("part")] = set()
        else:
            parts[row.group("part")] = set(re.findall(r"`(\w+)`", allowed))
    return parts


def existing() -> set[str]:
    packages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    modules = {path.stem for path in PACKAGE.glob("*.py")}
    return packages | modules


def part_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def imported_parts(path: Path) -> set[str]:
    """The parts of evalkit a module imports, anywhere in it (``from evalkit import x`` is
    the part ``x``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "evalkit":
                names = [f"evalkit.{alias.name}" for alias in node.names]
            else:
                names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        found |= {name.split(".")[1] for name in names if name.startswith("evalkit.")}
    return found


def test_the_page_names_every_part_and_only_parts_that_exist() -> None:
    named = set(documented())
    assert named, "the layers table was not found"
    assert sorted(existing() - named) == [], "parts missing from docs/architecture.md"
    assert sorted(named - existing()) == [], "docs/architecture.md names parts that do not exist"


def test_every_import_is_one_the_page_allows() -> None:
    rules = documented()
    breaches = []
    for path in sorted(PACKAGE.rglob("*.py")):
        part = part_of(path)
        allowed = rules.get(part)
        if allowed is None:
            continue
        for imported in sorted(imported_parts(path) - allowed - {part}):
            breaches.append(f"{path.relative_to(ROOT)} imports evalkit.{imported}")
    assert breaches == []


def test_the_rules_catch_an_import_upwards(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from evalkit.cli import output\n    import evalkit.runner\n")
    assert imported_parts(probe) == {"cli", "runner"}
    assert documented()["api"] == set(), "api imports nothing of evalkit"
