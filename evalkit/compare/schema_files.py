"""``json_schema:`` rules: finding, loading and checking the schema files they name, and
validating values against them.

A rule names its file relative to the folder of the manifest file that declares it. Where
that folder is known (the manifest loader, block by block), ``anchor_json_schemas`` checks
every such path and turns it into the absolute path of the file. The caller resolves the
path with the manifest's own rule (``evalkit.safe_paths.resolve_manifest_path``, which this
package may not import: it imports nothing else of evalkit): a path that leaves the project,
a file that is missing, is not JSON or is not a valid JSON Schema is a ``SchemaProblem`` at
the rule's key.
The comparison then reads anchored paths only; a path left relative is a difference that says
so (never a pass).

Each file is read and checked once per version (path, size, modification time): a run's
thousand examples read it once. ``format`` keywords are checked (``date``, ``email``...).

Nothing is ever fetched: a ``$ref`` must point inside the schema file (``#/$defs/money``, an
``$anchor``, a subschema's ``$id``) or at a JSON Schema meta-schema (bundled with jsonschema).
Every ``$ref`` is resolved when the file is loaded, so a ref to the network or another file,
or one pointing at nothing, is a problem at the rule's key (``validate``), not a surprise in
the run. Refs to other files are refused rather than read: a schema is one file.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evalkit.compare.anchoring import AnchorProblem, Resolve, anchor_rules, copy_rule
from evalkit.compare.rules import CompareSpec, PathRule

if TYPE_CHECKING:
    import jsonschema
    from jsonschema.protocols import Validator
    from referencing._core import Resolver

# jsonschema and referencing (tens of milliseconds) are imported by the functions that load
# or apply a schema: a manifest without ``json_schema`` rules is read, and a run starts,
# without them.

#: the largest schema file read (a schema is a few kilobytes; this is a mistake)
MAX_SCHEMA_BYTES = 5_000_000
_MESSAGE_LIMIT = 160
#: a ``json_schema`` path that cannot be used (``anchoring``)
SchemaProblem = AnchorProblem


class SchemaFileError(ValueError):
    """A schema file that cannot be used; the message names the file and says why, ``hint``
    what to do when there is more to say than the module's default."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def anchor_json_schemas(
    spec: CompareSpec | None, resolve: Resolve
) -> tuple[CompareSpec | None, list[AnchorProblem]]:
    """The block with each ``json_schema`` path made absolute (``resolve`` finds it from the
    folder of the manifest file that declares the block), and the problems of those that
    cannot be used (their rules keep the path as written, so a run reports them too)."""

    def anchor(rule: PathRule, loc: tuple[str, ...], problems: list[AnchorProblem]) -> PathRule:
        return _anchor_rule(rule, resolve, loc, problems)

    return anchor_rules(spec, anchor)


_HINT = "give a JSON Schema file inside the project, relative to this manifest's folder"


def _anchor_rule(
    rule: PathRule, resolve: Resolve, loc: tuple[str, ...], problems: list[AnchorProblem]
) -> PathRule:
    if rule.json_schema is None or Path(rule.json_schema).is_absolute():
        return rule
    try:
        path = schema_file(rule.json_schema, resolve)
        load_schema(path)
    except SchemaFileError as err:
        problems.append(SchemaProblem((*loc, "json_schema"), str(err), err.hint or _HINT))
        return rule
    anchored: PathRule = copy_rule(rule, json_schema=str(path))
    return anchored


def schema_file(written: str, resolve: Resolve) -> Path:
    """The file a ``json_schema`` path names; ``SchemaFileError`` when it may not be used
    (it leaves the project) or is not a file."""
    try:
        path = resolve(written)
    except ValueError as err:
        raise SchemaFileError(f"json_schema: {err}", getattr(err, "hint", "")) from err
    if not path.is_file():
        state = "is a folder" if path.is_dir() else "does not exist"
        raise SchemaFileError(f"json_schema file {written!r} not found: {path} {state}")
    return path


def load_schema(path: Path) -> Validator:
    """A validator for the schema file (read once per version of the file)."""
    try:
        stat = path.stat()
    except OSError as err:
        raise SchemaFileError(f"json_schema file {path.name!r} cannot be read: {err}") from err
    return _load(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=64)
def _load(path: str, size: int, modified: int) -> Validator:
    import jsonschema
    import referencing
    from jsonschema.exceptions import SchemaError

    name = Path(path).name
    if size > MAX_SCHEMA_BYTES:
        raise SchemaFileError(
            f"json_schema file {name!r} is {size} bytes, more than a schema can be "
            f"({MAX_SCHEMA_BYTES})"
        )
    try:
        schema = json.loads(Path(path).read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError) as err:
        raise SchemaFileError(f"json_schema file {name!r} cannot be read: {err}") from err
    except json.JSONDecodeError as err:
        raise SchemaFileError(
            f"json_schema file {name!r} is not valid JSON: {err.msg} at line {err.lineno} "
            f"column {err.colno}"
        ) from err
    if not isinstance(schema, dict | bool):
        raise SchemaFileError(f"json_schema file {name!r} is not a JSON Schema (an object)")
    cls = jsonschema.validators.validator_for(schema)
    try:
        cls.check_schema(schema)  # type: ignore[arg-type]  # a boolean is a schema too
    except SchemaError as err:
        where = err.json_path if err.path else "$"
        raise SchemaFileError(
            f"json_schema file {name!r} is not a valid JSON Schema: {where}: {_clip(err.message)}"
        ) from err
    _check_refs(cls, schema, name)
    # An empty registry (jsonschema adds the bundled meta-schemas): nothing is ever fetched,
    # where the default would download a $ref's URL.
    validator: Validator = cls(
        schema, format_checker=cls.FORMAT_CHECKER, registry=referencing.Registry()
    )
    return validator


_REF_KEYS = ("$ref", "$dynamicRef", "$recursiveRef")
_REF_HINT = (
    "evalkit never fetches schemas: put the definition in this file's $defs and point at it "
    "with '#/$defs/NAME'"
)


def _check_refs(cls: type[Validator], schema: Any, name: str) -> None:
    """Every ``$ref`` of the schema resolves inside the file (or to a bundled meta-schema)."""
    import referencing
    import referencing.jsonschema
    from jsonschema_specifications import REGISTRY as BUNDLED_SCHEMAS  # type: ignore[import-untyped]

    specification = referencing.jsonschema.specification_with(
        str(cls.META_SCHEMA.get("$id") or cls.META_SCHEMA.get("id") or "urn:unknown-dialect"),
        default=referencing.Specification.OPAQUE,
    )
    root = specification.create_resource(schema)
    registry: referencing.Registry[Any] = referencing.Registry().with_resource(
        root.id() or "", root
    )
    registry = registry.combine(BUNDLED_SCHEMAS).crawl()
    stack = [(registry.resolver(root.id() or ""), root)]
    while stack:
        resolver, resource = stack.pop()
        contents = resource.contents
        for key in _REF_KEYS if isinstance(contents, dict) else ():
            ref = contents.get(key)
            if isinstance(ref, str):
                _resolve_ref(resolver, ref, name)
        stack.extend((resolver.in_subresource(sub), sub) for sub in resource.subresources())


def _resolve_ref(resolver: Resolver[Any], ref: str, name: str) -> None:
    from referencing.exceptions import Unresolvable

    try:
        resolver.lookup(ref)
    except Unresolvable as err:
        inside = ref.startswith("#")
        what = "points at nothing in the file" if inside else "is not in the file"
        raise SchemaFileError(
            f"json_schema file {name!r}: $ref {ref!r} {what}"
            + ("" if inside else " (refs to other files and the network are never fetched)"),
            _REF_HINT,
        ) from err


def schema_failure(path_text: str, value: Any) -> str | None:
    """Why ``value`` does not validate against the anchored schema file, in a sentence, or
    None when it does."""
    path = Path(path_text)
    if not path.is_absolute():
        return (
            f"json_schema {path_text!r} was not checked: its path was not resolved against "
            "the manifest's folder"
        )
    from jsonschema.exceptions import SchemaError
    from referencing.exceptions import Unresolvable

    try:
        validator = load_schema(path)
        errors = sorted(validator.iter_errors(value), key=_error_order)
    except SchemaFileError as err:
        return f"json_schema cannot be used: {err}"
    except (Unresolvable, SchemaError) as err:
        return f"json_schema file {path.name!r} cannot be used: {_clip(str(err))}"
    except RecursionError:
        return f"json_schema file {path.name!r}: the value is nested too deeply to validate"
    if not errors:
        return None
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"does not match schema {path.name}: {first.json_path}: {_clip(first.message)}{more}"


def _error_order(error: jsonschema.ValidationError) -> tuple[Any, ...]:
    return (len(error.absolute_path), [str(p) for p in error.absolute_path], error.message)


def _clip(text: str) -> str:
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"
