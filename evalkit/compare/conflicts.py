"""Rule keys that contradict each other in one ``compare:`` block as written.

Within one rule, two keys stop the value at their path from being compared, so some others
can never apply beside them:

- ``present: true``: ``regex``, ``tolerance``, ``relative_tolerance``, ``strings_as_numbers``,
  ``text``, ``order`` and the scorers (``weight`` still counts the value in the score);
- ``regex``: ``tolerance``, ``relative_tolerance``, ``strings_as_numbers``, ``text``, ``order``
  and ``similarity`` (a regex says which texts are right by their form, similarity by their
  closeness to the expected text: one of the two is not meant);
- a scorer (``similarity``, ``contains``, ``not_contains``, ``contains_any``, ``length``,
  ``json_schema``, ``python``, ``judge``): ``tolerance``, ``relative_tolerance``,
  ``strings_as_numbers``, ``order``; and ``text`` beside ``json_schema``, ``python`` or
  ``judge`` alone (the text scorers read the ``text`` normalisations, a schema, a Python
  scorer or a judge agent the raw value). Scorers go together: each judges the value.

They concern the value at their own path only, but they stop the comparison there, so what
would apply below it (the ``tolerance`` or ``order`` of an object's parts) never does. Every
other pair works together: ``tolerance`` and ``text`` on ``/**`` are for the numbers and the
strings below it. ``ignore: true`` goes with any key: the others wait for an ``ignore: false``
below the path or in a more specific block (the same holds for a file rule's ``ignore``). But
one block may not name a path in its ``ignore:`` list and say ``ignore: false`` for it.

A file rule's other keys depend on its mode (written, or the default of the name it matches
when the name decides it, e.g. ``*.csv``): ``order`` is for csv, ``text`` for text and csv,
``compare`` for json and csv, the text scorers (``similarity``, ``contains``...) for text.

Blocks merged from several levels (defaults -> agent -> example) are not checked: there a later
block refines an earlier one, and the precedence of ``compiled`` decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from evalkit.compare.file_modes import FileMode, mode_of_glob

#: a contradiction: where in the block (e.g. ``("rules", "/total")``) and what is wrong; the
#: first quoted word of the message is the key that can never apply
Conflict = tuple[tuple[str, ...], str]

PATH_RULE_KEYS = (
    "ignore",
    "present",
    "regex",
    "tolerance",
    "relative_tolerance",
    "strings_as_numbers",
    "text",
    "order",
    "weight",
    "similarity",
    "contains",
    "not_contains",
    "contains_any",
    "length",
    "json_schema",
    "python",
    "judge",
)

#: the scorers that read text (and so its ``text`` normalisations)
TEXT_SCORERS = ("similarity", "contains", "not_contains", "contains_any", "length")
#: the scorers that judge the raw value (``text`` means nothing to them)
RAW_SCORERS = ("json_schema", "python", "judge")
SCORERS = (*TEXT_SCORERS, *RAW_SCORERS)
_RAW_WHY = {
    "json_schema": "a JSON Schema judges the raw value",
    "python": "a Python scorer gets the raw values",
    "judge": "a judge agent gets the raw values",
}

_NUMERIC_OR_ORDER = frozenset({"tolerance", "relative_tolerance", "strings_as_numbers", "order"})
_COMPARING = _NUMERIC_OR_ORDER | {"text"}
# The keys that stop the comparison at a path: what each leaves without effect, and why.
_STOPPERS: tuple[tuple[str, str, frozenset[str]], ...] = (
    (
        "present",
        "'present: true' accepts any value without comparing it",
        _COMPARING | {"regex", *SCORERS},
    ),
    ("regex", "a regex judges the actual value on its own, as text", _COMPARING | {"similarity"}),
    *(
        (key, f"'{key}' judges the value by its own measure, not by equality", _NUMERIC_OR_ORDER)
        for key in SCORERS
    ),
)

_FILE_MODES_OF_KEY = {
    "order": {FileMode.CSV},
    "text": {FileMode.TEXT, FileMode.CSV},
    "compare": {FileMode.JSON, FileMode.CSV},
    **{key: {FileMode.TEXT} for key in TEXT_SCORERS},
}
_FILE_KEY_USE = {
    "order": "'order' is for csv files (for JSON lists, put it in 'compare' on the list's path)",
    "text": "'text' is for text and csv files (for JSON strings, put it in 'compare')",
    "compare": "'compare' is for json and csv files",
    **{
        key: f"'{key}' is for text files (for JSON strings and CSV cells, put it in 'compare')"
        for key in TEXT_SCORERS
    },
}


def written(fields: Mapping[str, Any]) -> list[str]:
    """The keys of a rule that say something (``ignore: false``, ``text: []`` say nothing
    that could conflict)."""
    return [key for key, value in fields.items() if not _says_nothing(value)]


def _says_nothing(value: Any) -> bool:
    return value is None or value is False or (isinstance(value, list | tuple) and not value)


def path_rule_conflict(fields: Mapping[str, Any]) -> str | None:
    """What is contradictory in one path rule (its explicitly written fields), if anything."""
    keys = written(fields)
    for stopper, why, excluded in _STOPPERS:
        if stopper not in keys:
            continue
        dead = [key for key in PATH_RULE_KEYS if key in excluded and key in keys]
        if stopper in RAW_SCORERS and "text" in keys and not set(TEXT_SCORERS) & set(keys):
            dead.append("text")
            why = f"{_RAW_WHY[stopper]}, and no text scorer reads 'text' here"
        if dead:
            name = "'present: true'" if stopper == "present" else f"'{stopper}'"
            return (
                f"{_listing(dead)} cannot be combined with {name} in one rule: {why}, so "
                f"{'it' if len(dead) == 1 else 'they'} would never apply; keep one of them"
            )
    return None


def file_rule_conflict(glob: str, fields: Mapping[str, Any]) -> str | None:
    """What is contradictory in one file rule (its explicitly written fields), if anything."""
    keys = written(fields)
    mode = fields.get("mode")
    implied = mode is None
    mode = mode_of_glob(glob) if implied else FileMode(mode)
    if mode is None:
        return None
    dead = [key for key, modes in _FILE_MODES_OF_KEY.items() if key in keys and mode not in modes]
    if not dead:
        return None
    source = f" (the default for {glob!r}; set 'mode' if these files are another kind)"
    uses = "; ".join(_FILE_KEY_USE[key] for key in dead)
    return (
        f"{_listing(dead)} cannot be combined with mode '{mode.value}'"
        f"{source if implied else ''}: {uses}"
    )


def block_conflicts(
    ignore: Sequence[str],
    rules: Mapping[str, Mapping[str, Any]],
    files: Mapping[str, Mapping[str, Any]],
) -> list[Conflict]:
    """Every contradiction of one block: ``ignore`` entries, path rules and file rules given as
    their explicitly written fields."""
    found: list[Conflict] = []
    ignored = set(ignore)
    for pointer, fields in rules.items():
        problem = path_rule_conflict(fields)
        if problem is None and pointer in ignored and fields.get("ignore") is False:
            problem = (
                "'ignore' is false in this rule, but the same block's 'ignore:' list names "
                "this path; keep one of them"
            )
        if problem is not None:
            found.append((("rules", pointer), problem))
    for glob, fields in files.items():
        problem = file_rule_conflict(glob, fields)
        if problem is not None:
            found.append((("files", glob), problem))
    return found


def _listing(keys: Iterable[str]) -> str:
    quoted = [f"'{key}'" for key in keys]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
