"""Which currency an invoice is in, and how many decimals that currency has."""

from __future__ import annotations

import re
from collections.abc import Iterable

from invoice_parsers.errors import InvoiceError

# ISO 4217 codes the agent recognises in text, with their minor units (decimals).
MINOR_UNITS: dict[str, int] = {
    "AUD": 2, "BRL": 2, "CAD": 2, "CHF": 2, "CNY": 2, "CZK": 2, "DKK": 2, "EUR": 2,
    "GBP": 2, "HKD": 2, "HUF": 2, "INR": 2, "JPY": 0, "KRW": 0, "MXN": 2, "NOK": 2,
    "NZD": 2, "PLN": 2, "SEK": 2, "SGD": 2, "USD": 2, "ZAR": 2,
}  # fmt: skip

# Longest first, so that "US$" wins over "$".
SYMBOLS: tuple[tuple[str, str], ...] = (
    ("US$", "USD"), ("CA$", "CAD"), ("C$", "CAD"), ("AU$", "AUD"), ("A$", "AUD"),
    ("SFr.", "CHF"), ("Fr.", "CHF"), ("€", "EUR"), ("£", "GBP"), ("¥", "JPY"),
    ("￥", "JPY"), ("円", "JPY"), ("$", "USD"),
)  # fmt: skip

_CODE = re.compile(r"(?<![A-Za-z])(" + "|".join(MINOR_UNITS) + r")(?![A-Za-z])")


def currencies_in(text: str) -> set[str]:
    """ISO codes named in ``text``, by code or by symbol."""
    found = set(_CODE.findall(text))
    for symbol, code in SYMBOLS:
        if symbol in text:
            found.add(code)
            text = text.replace(symbol, " ")
    return found


def strip_currency(text: str) -> str:
    """``text`` without currency codes or symbols (what is left should be a number)."""
    text = _CODE.sub(" ", text)
    for symbol, _code in SYMBOLS:
        text = text.replace(symbol, " ")
    return text


def decide_currency(
    stated: str | None, amounts: Iterable[str], default: str | None, source: str
) -> tuple[str, str]:
    """The invoice's currency and how it was decided, in this order of trust:

    a "Currency:" field, then the codes or symbols written next to the amounts, then the
    ``default_currency`` input.
    """
    if stated is not None:
        named = currencies_in(stated.upper() if len(stated.strip()) == 3 else stated)
        if len(named) == 1:
            return named.pop(), "the currency field"
        raise InvoiceError(
            f"{source}: the currency field says {stated!r}, which is not a currency code the "
            f"agent knows ({', '.join(sorted(MINOR_UNITS))})"
        )
    named = set().union(*(currencies_in(amount) for amount in amounts))
    if len(named) == 1:
        return named.pop(), "the symbols next to the amounts"
    if len(named) > 1:
        raise InvoiceError(
            f"{source}: the amounts mix currencies ({', '.join(sorted(named))}); "
            "the agent reads invoices in one currency"
        )
    if default is not None:
        return default, "the default_currency input"
    raise InvoiceError(
        f"{source}: no currency is stated (no 'Currency:' field, no code or symbol next to "
        'the amounts); pass the default_currency input, e.g. {"default_currency": "EUR"}'
    )


def minor_units(code: str) -> int:
    return MINOR_UNITS.get(code, 2)
