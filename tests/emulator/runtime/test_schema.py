"""``schemaValid`` from output-schema.json."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from evalkit.emulator.runtime.schema import schema_validity


def workspace(schema: object) -> dict[str, bytes]:
    return {"output-schema.json": json.dumps(schema).encode()}


def test_no_schema_gives_none() -> None:
    assert schema_validity({"AGENT.md": b""}, {"a": 1}) is None


def test_the_platform_starts_and_runs_builtins_without_the_validator() -> None:
    """jsonschema, referencing and regex (~30 ms of imports, on the embedded platform's way to
    serving) are imported by the first schema check, not by the platform's start."""
    probe = (
        "import sys; from evalkit.emulator.server import start_platform; "
        "from evalkit.emulator.runtime.schema import schema_validity; "
        "running = start_platform(); schema_validity({}, {'a': 1}); running.stop(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('jsonschema', 'referencing', 'regex')))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert loaded.stdout.strip() == "[]", loaded.stdout + loaded.stderr
    assert schema_validity(workspace({"type": "object"}), {"a": 1}) is True


def test_custom_keywords_are_ignored() -> None:
    schema = {
        "type": "object",
        "properties": {"doc": {"type": "string", "x-eigenpal-type": "file"}},
    }
    assert schema_validity(workspace(schema), {"doc": "x"}) is True
    assert schema_validity(workspace(schema), {"doc": 1}) is False


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"\xff\xfe",
        json.dumps({"type": 12}).encode(),
        b'{"allOf": ' * 100_000 + b"{}" + b"}" * 100_000,  # Python's parser would crash
    ],
)
def test_broken_schema_gives_false(raw: bytes) -> None:
    assert schema_validity({"output-schema.json": raw}, {}) is False


def test_unknown_meta_schema_falls_back_to_newest_draft() -> None:
    schema = {"$schema": "https://example.invalid/custom", "type": "integer"}
    assert schema_validity(workspace(schema), 3) is True
    assert schema_validity(workspace(schema), "3") is False


def test_unresolvable_ref_gives_false() -> None:
    schema = {"$ref": "https://example.invalid/remote.json"}
    assert schema_validity(workspace(schema), {}) is False


def test_an_output_at_the_depth_limit_is_validated() -> None:
    schema = {"type": "array", "items": {"$ref": "#"}}
    output: list[object] = []
    for _ in range(63):
        output = [output]
    assert schema_validity(workspace(schema), output) is True
