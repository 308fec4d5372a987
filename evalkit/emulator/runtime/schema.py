"""``schemaValid``: the output checked against the workspace's ``output-schema.json``."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import jsonschema
from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for

from evalkit.emulator.runtime.bounded_json import BoundedJsonError, load_bounded_json

OUTPUT_SCHEMA = "output-schema.json"


def schema_validity(workspace: Mapping[str, bytes], output: Any) -> bool | None:
    """None without a schema; else whether ``output`` conforms.

    The schema comes from the stored workspace, not the scratch copy the program could
    have changed. A schema that is not valid JSON or not a valid JSON Schema gives False:
    nothing can be vouched for.
    """
    raw = workspace.get(OUTPUT_SCHEMA)
    if raw is None:
        return None
    try:
        schema = load_bounded_json(raw, OUTPUT_SCHEMA)  # bounded: a workspace file is anything
        with warnings.catch_warnings():
            # An unknown "$schema" warns and falls back to the newest draft; that is fine here.
            warnings.simplefilter("ignore", DeprecationWarning)
            validator_class = validator_for(schema)
        validator_class.check_schema(schema)
    except (BoundedJsonError, SchemaError):
        return False
    validator: jsonschema.protocols.Validator = validator_class(schema)
    try:
        return bool(validator.is_valid(output))
    except Exception:  # e.g. a "$ref" that cannot be resolved (remote refs are never fetched)
        return False
