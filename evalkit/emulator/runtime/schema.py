"""``schemaValid``: the output checked against the workspace's ``output-schema.json``."""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from evalkit.emulator.runtime.bounded_json import BoundedJsonError, load_bounded_json
from evalkit.emulator.runtime.workspace import Workspace

if TYPE_CHECKING:
    import jsonschema

OUTPUT_SCHEMA = "output-schema.json"

logger = logging.getLogger("evalkit.emulator")

#: held around the first import of jsonschema: worker threads checking outputs at once made
#: Python hand one of them the package half imported ("cannot import name 'validator_for'")
_IMPORTING = threading.Lock()


def schema_validity(workspace: Workspace | Mapping[str, bytes], output: Any) -> bool | None:
    """None without a schema; else whether ``output`` conforms.

    The schema comes from the workspace the run was copied from, not the scratch copy the
    program could have changed. A schema that is not valid JSON or not a valid JSON Schema
    gives False: nothing can be vouched for; so does a ``pattern`` that cannot be searched in time
    (``schema_regex``), with a warning naming it.
    """
    raw = workspace.get(OUTPUT_SCHEMA)
    if raw is None:
        return None
    # Imported here: jsonschema, referencing and regex are ~30 ms of the local platform's start,
    # and only a program's run on a workspace with a schema needs them.
    with _IMPORTING:
        from jsonschema.exceptions import SchemaError
        from jsonschema.validators import validator_for

        from evalkit.emulator.runtime.schema_regex import UnusablePattern, bounded_validator

    try:
        schema = load_bounded_json(raw, OUTPUT_SCHEMA)  # bounded: a workspace file is anything
        with warnings.catch_warnings():
            # An unknown "$schema" warns and falls back to the newest draft; that is fine here.
            warnings.simplefilter("ignore", DeprecationWarning)
            validator_class = validator_for(schema)
        validator_class.check_schema(schema)
    except (BoundedJsonError, SchemaError):
        return False
    validator: jsonschema.protocols.Validator = bounded_validator(validator_class)(schema)
    try:
        return bool(validator.is_valid(output))
    except UnusablePattern as err:
        logger.warning("%s: %s; the output is counted schema-invalid", OUTPUT_SCHEMA, err)
        return False
    except Exception:  # e.g. a "$ref" that cannot be resolved (remote refs are never fetched)
        return False
