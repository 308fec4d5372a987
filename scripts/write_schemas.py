"""The published JSON Schemas of the results files, generated from the result models.

``python -m scripts.write_schemas`` rewrites ``schemas/results.schema.json`` and
``schemas/summary.schema.json``; a test fails when the committed files are stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from evalkit.runner.results import ExampleResult, RunSummary

SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "results.schema.json": (ExampleResult, "One line of an evalkit results.jsonl file"),
    "summary.schema.json": (RunSummary, "An evalkit run summary (summary.json)"),
}

_BASE_ID = "https://evalkit.dev/schemas/"


def schema_text(name: str) -> str:
    model, title = SCHEMAS[name]
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _BASE_ID + name,
        **model.model_json_schema(mode="serialization"),
    }
    schema["title"] = title
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"


def write_schemas(directory: Path) -> list[Path]:
    written = []
    for name in SCHEMAS:
        path = directory / name
        path.write_text(schema_text(name), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("schemas")
    for path in write_schemas(target):
        sys.stdout.write(f"wrote {path}\n")
