"""Date filters of the execution list: ISO-8601, or relative to now like ``now()-7d``."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from evalkit.api import format_timestamp, parse_timestamp
from evalkit.emulator.problems import invalid

_RELATIVE = re.compile(r"now\(\)(?:\s*([+-])\s*(\d{1,6})\s*([smhdw]))?")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_date_filter(value: str, field: str, *, now: datetime | None = None) -> str:
    """The wire timestamp ``value`` stands for; raises a 400 ``ApiProblem`` naming ``field``."""
    text = value.strip()
    relative = _RELATIVE.fullmatch(text)
    if relative:
        moment = now or datetime.now(timezone.utc)
        sign, amount, unit = relative.groups()
        if sign:
            delta = timedelta(**{_UNITS[unit]: int(amount)})
            moment = moment - delta if sign == "-" else moment + delta
        return format_timestamp(moment)
    try:
        return format_timestamp(parse_timestamp(text))
    except ValueError:
        raise invalid(
            field,
            f"{field} must be an ISO-8601 date or time, or now() with an offset like now()-7d; "
            f"got {value!r}",
        ) from None
