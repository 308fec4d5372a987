"""Reading amounts written as "1,234.56", "1.234,56 €", "CHF 1'250.00", "(10.00)" or "¥12,000".

An invoice uses one convention throughout, so the decimal separator is decided once per
document (``decide_style``) from the amounts that give it away, then every amount is read
with it. "1,234" alone is ambiguous; it only follows the document's convention.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Literal

from invoice_parsers.currency import strip_currency
from invoice_parsers.errors import InvoiceError

DecimalMark = Literal[".", ","]

_GROUPING = str.maketrans("", "", " \u00a0\u202f'’")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# "12,50" or "1.234,5": a comma followed by one or two digits at the end is a decimal comma.
_COMMA_DECIMAL = re.compile(r"(?:^|\d),\d{1,2}$|\.\d{3},\d+$")
_DOT_DECIMAL = re.compile(r"(?:^|\d)\.\d{1,2}$|,\d{3}\.\d+$")


def _bare(raw: str) -> str:
    return strip_currency(raw).translate(_GROUPING).strip()


def decide_style(amounts: Iterable[str], source: str) -> DecimalMark:
    """ "," when the document's amounts use a decimal comma, else "."."""
    comma, dot = [], []
    for raw in amounts:
        bare = _bare(raw).strip("()-+−")
        if _COMMA_DECIMAL.search(bare):
            comma.append(raw)
        elif _DOT_DECIMAL.search(bare):
            dot.append(raw)
    if comma and dot:
        raise InvoiceError(
            f"{source}: the amounts mix decimal commas ({comma[0]!r}) and decimal points "
            f"({dot[0]!r}); correct the invoice so that it uses one convention"
        )
    return "," if comma else "."


def parse_number(raw: str, mark: DecimalMark, where: str) -> Decimal:
    """The number in ``raw`` (currency and grouping removed); ``InvoiceError`` if there is none."""
    bare = _bare(raw)
    negative = False
    if bare.startswith("(") and bare.endswith(")"):
        negative, bare = True, bare[1:-1].strip()
    if bare[:1] in ("-", "−"):
        negative, bare = True, bare[1:].strip()
    elif bare.endswith("-"):
        negative, bare = True, bare[:-1].strip()
    bare = bare.lstrip("+")
    if not _NUMBER.fullmatch(bare):
        raise InvoiceError(f"{where}: {raw.strip()!r} is not an amount the agent can read")
    grouping = "." if mark == "," else ","
    digits = bare.replace(grouping, "").replace(mark, ".")
    try:
        value = Decimal(digits)
    except InvalidOperation:
        raise InvoiceError(
            f"{where}: {raw.strip()!r} is not an amount the agent can read"
        ) from None
    return -value if negative else value


_UNIT_SUFFIX = re.compile(r"\s*(?:[^\W\d_]+\.?)$")


def parse_quantity(raw: str, mark: DecimalMark, where: str) -> Decimal:
    """A quantity, allowing a unit after it ("10 h", "3 pcs")."""
    return parse_number(_UNIT_SUFFIX.sub("", raw.strip()), mark, where)
