"""Reading dates written as "2026-03-01", "01.03.2026", "03/01/2026", "1 March 2026",
"March 1, 2026", "1-Mar-26", "15. März 2026" or "2026年3月5日".

Only day/month/year with "/" or "-" is ambiguous (is 03/01 the 3rd of January or March 1st?).
The ``date_order`` input settles it; without it the agent reads day first and says so in
``issues.md``. A day above 12 settles it too.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from invoice_parsers.errors import InvoiceError

DateOrder = Literal["DMY", "MDY"]

MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "sept": 9, "januar": 1, "februar": 2, "märz": 3, "maerz": 3, "mai": 5, "juni": 6,
    "juli": 7, "oktober": 10, "dezember": 12,
}  # fmt: skip

_YEAR_FIRST = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})")
_JAPANESE = re.compile(r"(\d{4})年\s*(\d{1,2})月\s*(\d{1,2})日")
_WORDS = re.compile(r"[^\W\d_]+|\d+")


class DateReader:
    """Reads the dates of one invoice and remembers which ones were ambiguous."""

    def __init__(self, order: DateOrder | None) -> None:
        self.order = order
        self.guessed: list[str] = []

    def read(self, raw: str, where: str) -> date:
        text = raw.strip()
        for pattern, reader in (
            (_YEAR_FIRST, _year_first),
            (_JAPANESE, _year_first),
            (_NUMERIC, self._numeric),
        ):
            match = pattern.search(text)
            if match:
                return _checked(reader(match), raw, where)
        return _checked(_with_month_name(text), raw, where)

    def _numeric(self, match: re.Match[str]) -> tuple[int, int, int] | None:
        first, separator, second, year_text = match.groups()
        a, b, year = int(first), int(second), _full_year(year_text)
        if separator == "." or a > 12:
            return year, b, a  # dotted dates are day first everywhere they are used
        if b > 12:
            return year, a, b
        if self.order is None and a != b:
            self.guessed.append(match.group(0))
        return (year, a, b) if self.order == "MDY" else (year, b, a)


def _year_first(match: re.Match[str]) -> tuple[int, int, int]:
    year, month, day = (int(group) for group in match.groups())
    return year, month, day


def _full_year(text: str) -> int:
    return int(text) if len(text) == 4 else 2000 + int(text)


def _with_month_name(text: str) -> tuple[int, int, int] | None:
    month = day = year = None
    for token in _WORDS.findall(text.casefold()):
        if token.isdigit():
            if len(token) == 4 and year is None:
                year = int(token)
            elif len(token) <= 2 and day is None:
                day = int(token)
            elif len(token) == 2 and year is None:
                year = _full_year(token)
        elif month is None:
            month = MONTHS.get(token) or _month_prefix(token)
    if month is None or day is None or year is None:
        return None
    return year, month, day


def _month_prefix(token: str) -> int | None:
    """ "Mar", "Sep", "Okt", "Dez": three letters are enough when only one month matches."""
    if len(token) < 3:
        return None
    matches = {number for name, number in MONTHS.items() if name.startswith(token[:3])}
    return matches.pop() if len(matches) == 1 else None


def _checked(parts: tuple[int, int, int] | None, raw: str, where: str) -> date:
    if parts is not None:
        try:
            return date(*parts)
        except ValueError:
            pass
    raise InvoiceError(
        f"{where}: {raw.strip()!r} is not a date the agent can read; write it like "
        "2026-03-01, 01.03.2026, 1 March 2026 or March 1, 2026"
    )
