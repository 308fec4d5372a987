"""Which executions a harvest reads: the contract's execution-list filters (A5) it offers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from evalkit.api import (
    ExecutionFilters,
    FeedbackRating,
    FeedbackStatus,
    format_timestamp,
    parse_timestamp,
)
from evalkit.harvesting.draft import EXECUTION_INCLUDE, HarvestError

#: the most new examples one harvest writes unless told otherwise
DEFAULT_LIMIT = 50
#: the review filters look this far back in the listing (the contract's maximum, B6)
SCAN_LIMIT = 5000
#: ``--rating none``: executions without a rating (contract A5)
UNRATED = "none"
RATINGS = (*(rating.value for rating in FeedbackRating), UNRATED)
STATUSES = tuple(status.value for status in FeedbackStatus)

_AGO = re.compile(r"^(\d+)([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}
#: what ``--since`` accepts, said in every refusal
_FORMS = (
    "use an ISO-8601 date or time (2026-01-31, 2026-01-31T12:00:00Z) or a span back from now "
    "(7d, 12h, 30m)"
)


@dataclass(frozen=True)
class HarvestFilters:
    """Each field is the contract's list filter of that name; ``None`` leaves it out."""

    #: ``feedbackStatus``: open, resolved or ignored
    feedback_status: str | None = None
    #: ``feedbackRating``: pass, fail, partial, or ``none`` (no rating)
    feedback_rating: str | None = None
    #: ``hasExpected``: a reviewer's expected JSON or files
    has_expected: bool | None = None
    #: ``createdAfter`` (ISO-8601, inclusive)
    since: str | None = None
    #: the most new examples to write (``None``: no limit)
    limit: int | None = DEFAULT_LIMIT

    def __post_init__(self) -> None:
        _check_choice("feedback status", self.feedback_status, STATUSES)
        _check_choice("rating", self.feedback_rating, RATINGS)
        if self.limit is not None and self.limit < 1:
            raise HarvestError(f"the limit must be at least 1, not {self.limit}")

    def query(self) -> ExecutionFilters:
        """The list query, with what a draft needs included."""
        filters: ExecutionFilters = {"include": EXECUTION_INCLUDE, "scan_limit": SCAN_LIMIT}
        if self.feedback_status is not None:
            filters["feedback_status"] = self.feedback_status
        if self.feedback_rating is not None:
            filters["feedback_rating"] = self.feedback_rating
        if self.has_expected is not None:
            filters["has_expected"] = self.has_expected
        if self.since is not None:
            filters["created_after"] = self.since
        return filters


def _check_choice(what: str, value: str | None, choices: tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        raise HarvestError(f"unknown {what} {value!r}: use one of {', '.join(choices)}")


def since_timestamp(text: str, now: datetime | None = None) -> str:
    """``--since``: an ISO-8601 date or time (UTC when it has no offset), or a span back from
    ``now`` such as ``7d``, ``12h``, ``30m``; the wire timestamp it means."""
    ago = _AGO.match(text.strip())
    try:
        if ago is None:
            return format_timestamp(parse_timestamp(text.strip()))
        span = timedelta(**{_UNITS[ago.group(2)]: int(ago.group(1))})
        return format_timestamp((now or datetime.now(timezone.utc)) - span)
    except OverflowError:  # a span too long for a timedelta, or reaching before year 1
        raise HarvestError(f"--since {text!r} is out of the range of dates: {_FORMS}") from None
    except ValueError:
        raise HarvestError(f"--since {text!r} is not a time: {_FORMS}") from None
