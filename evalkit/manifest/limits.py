"""How large and how deep the files evalkit reads for a manifest may be.

Past these limits a file is refused with a problem at its line and column, instead of taking
minutes and gigabytes (a YAML alias bomb expands ten aliases of ten aliases... into billions of
values) or crashing (Python's parsers recurse once per nesting level). Each limit is far above
what a real project writes.
"""

from __future__ import annotations

import sys

#: bytes in one manifest file (the root manifest, or each file it includes)
MAX_MANIFEST_BYTES = 10 * 1024 * 1024
#: keys and values in one manifest file once every YAML alias (``*name``) is expanded
MAX_MANIFEST_VALUES = 250_000
#: bytes in one JSON file of the project evalkit parses (an example's input.json and
#: expected.json, the JSON files of a workspace)
MAX_JSON_BYTES = 50 * 1024 * 1024
#: lists and mappings nested in one another: in a manifest, counted from the top of the file
#: (aliases expanded); in a JSON file, from its outermost value
MAX_DEPTH = 64
#: attempts of one example: ``repeat.times``, ``pass_if``'s ``at_least``, ``adaptive.max``, and
#: the command line's ``--repeat``
MAX_ATTEMPTS = 100
#: digits of a whole number: Python's limit on converting text to a number (4,300 unless
#: PYTHONINTMAXSTRDIGITS says otherwise)
MAX_INT_DIGITS = sys.get_int_max_str_digits() or 4300


def too_large(size: int, limit: int, what: str) -> str:
    """The message for a file of ``size`` bytes over ``limit``: ``what`` may hold at most..."""
    return f"the file is {size / _MB:.1f} MB; {what} may hold at most {limit // _MB} MB"


_MB = 1024 * 1024

#: the values each gate accepts: (whole numbers only, lowest, highest or None for no highest).
#: The manifest's ``gates:``, the command line's gate options and ``GateConfig`` read this one
#: declaration.
GATE_RANGES: dict[str, tuple[bool, int, int | None]] = {
    "min_pass_rate": (False, 0, 1),
    "max_failures": (True, 0, None),
    "max_regressions": (True, 0, None),
    "min_pass_rate_delta": (False, -1, 1),
    "min_score_delta": (False, -1, 1),
}
