"""The manifest's JSON Schema, generated from the models (``evalkit schema`` writes it).

Editors that follow the ``# yaml-language-server: $schema=...`` header then complete keys and
show each field's description as help. The committed ``schemas/evalkit.schema.json`` is
checked by a test to equal what this module renders.
"""

from __future__ import annotations

import json
from typing import Any

from evalkit.manifest.models import ManifestFile

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: where the schema sits in the repository, relative to the project root
SCHEMA_PATH = "schemas/evalkit.schema.json"


def manifest_json_schema() -> dict[str, Any]:
    """The JSON Schema of an evalkit manifest file."""
    schema = ManifestFile.model_json_schema(mode="validation")
    return {"$schema": SCHEMA_DIALECT, **schema}


def render_schema() -> str:
    """The schema as the committed file holds it: stable key order, two-space indent."""
    return json.dumps(manifest_json_schema(), indent=2, ensure_ascii=False) + "\n"


def undescribed_fields(schema: dict[str, Any]) -> list[str]:
    """Every property (as ``Model.field``) without a description: the schema must have none."""
    missing = []
    models = {"<root>": schema, **schema.get("$defs", {})}
    for model_name, model in models.items():
        for field_name, prop in model.get("properties", {}).items():
            if not prop.get("description"):
                missing.append(f"{model_name}.{field_name}")
    return missing
