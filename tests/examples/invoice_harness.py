"""Running the example invoice-extractor as the local platform does, and judging its output.

The runtime contract is docs/agent-runtime.md: the workspace minus ``examples/`` is copied to a
scratch folder, ``input.json`` and ``input/`` are laid out beside ``main.py``, and the program
runs in the runtime's clean environment (``runtime_harness``). The comparison applies exactly
the rules of examples/invoices/evalkit.yaml, implemented here on purpose without
evalkit.compare, so the example's tests do not depend on the code they help to test.
"""

from __future__ import annotations

import csv
import io
import json
import mimetypes
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from .runtime_harness import copy_workspace, run_main

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "examples" / "invoices"
WORKSPACE = PROJECT / "agents" / "invoice-extractor"
EXAMPLES = sorted(path for path in (WORKSPACE / "examples").iterdir() if path.is_dir())

# The manifest's compare rules for this agent ("*" matches one list index).
IGNORED = {("generatedAt",)}
TOLERANCE = 0.01
TOLERANT_PATHS = {
    ("subtotal",),
    ("tax",),
    ("total",),
    ("lineItems", "*", "amount"),
    ("lineItems", "*", "unitPrice"),
}
UNORDERED_PATHS = {("lineItems",)}


# -- running the agent the way the platform does --------------------------------------------


def scratch_copy(tmp_path: Path, workspace: Path = WORKSPACE) -> Path:
    """The workspace minus examples/ (the agent never sees expected outputs)."""
    return copy_workspace(workspace, tmp_path / "scratch")


def lay_out_inputs(scratch: Path, scalars: dict[str, Any], files: dict[str, Path]) -> None:
    document = dict(scalars)
    (scratch / "input").mkdir()
    for field, source in files.items():
        relative = f"input/{field}{source.suffix}"
        shutil.copyfile(source, scratch / relative)
        content_type = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
        document[field] = {"file": relative, "filename": source.name, "contentType": content_type}
    (scratch / "input.json").write_text(json.dumps(document), encoding="utf-8")


def run_agent(scratch: Path) -> subprocess.CompletedProcess[str]:
    """``python main.py`` in the runtime's clean environment (docs/agent-runtime.md)."""
    return run_main(scratch)


def run_example(example: Path, tmp_path: Path, workspace: Path = WORKSPACE) -> Path:
    scratch = scratch_copy(tmp_path, workspace)
    scalars = json.loads((example / "input.json").read_text(encoding="utf-8"))
    files = {path.stem: path for path in (example / "input").iterdir()}
    lay_out_inputs(scratch, scalars, files)
    result = run_agent(scratch)
    assert result.returncode == 0, f"{example.name} failed: {result.stderr}"
    return scratch


# -- the comparison, under exactly the manifest's rules -------------------------------------


def _matches(pattern: tuple[str, ...], path: tuple[str, ...]) -> bool:
    return len(pattern) == len(path) and all(
        p in ("*", s) for p, s in zip(pattern, path, strict=True)
    )


def differences(expected: Any, actual: Any, path: tuple[str, ...] = ()) -> list[str]:
    """Where ``actual`` departs from ``expected``; empty when they match."""
    where = _pointer(path)
    if any(_matches(pattern, path) for pattern in IGNORED):
        return []
    if isinstance(expected, dict) and isinstance(actual, dict):
        return _dict_differences(expected, actual, path)
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{where}: {len(expected)} items expected, {len(actual)} found"]
        if path in UNORDERED_PATHS:
            return _unordered_differences(expected, actual, path)
        return [
            diff
            for index, (want, got) in enumerate(zip(expected, actual, strict=True))
            for diff in differences(want, got, (*path, str(index)))
        ]
    if _is_number(expected) and _is_number(actual):
        tolerant = any(_matches(pattern, path) for pattern in TOLERANT_PATHS)
        close = abs(expected - actual) <= TOLERANCE + 1e-9 if tolerant else expected == actual
        return [] if close else [f"{where}: expected {expected}, found {actual}"]
    if type(expected) is not type(actual) or expected != actual:
        return [f"{where}: expected {expected!r}, found {actual!r}"]
    return []


def _dict_differences(
    expected: dict[str, Any], actual: dict[str, Any], path: tuple[str, ...]
) -> list[str]:
    found = []
    for key in sorted(set(expected) | set(actual)):
        child = (*path, key)
        if any(_matches(pattern, child) for pattern in IGNORED):
            continue
        if key in expected and key in actual:
            found += differences(expected[key], actual[key], child)
        else:
            found.append(
                f"{_pointer(child)}: only in {'expected' if key in expected else 'actual'}"
            )
    return found


def _unordered_differences(
    expected: list[Any], actual: list[Any], path: tuple[str, ...]
) -> list[str]:
    unmatched = list(actual)
    missing = []
    for want in expected:
        # Paths below an unordered list use "*" for the index, as the manifest's rules do.
        match = next((got for got in unmatched if not differences(want, got, (*path, "*"))), None)
        if match is None:
            missing.append(f"{_pointer(path)}: no item matches {want!r}")
        else:
            unmatched.remove(match)
    return missing


def _pointer(path: tuple[str, ...]) -> str:
    return "".join(f"/{segment}" for segment in path)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def csv_records(text: str) -> tuple[list[str], Counter[tuple[str, ...]]]:
    """The header, and the rows as a multiset (the manifest compares CSV rows in any order)."""
    header, *rows = list(csv.reader(io.StringIO(text)))
    return header, Counter(tuple(row) for row in rows)


def output_validator() -> Draft202012Validator:
    schema = json.loads((WORKSPACE / "output-schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())
