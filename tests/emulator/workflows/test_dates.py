"""``fromDate``/``toDate``: ISO-8601 or ``now()`` with an offset."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from evalkit.emulator.problems import ApiProblem
from evalkit.emulator.workflows.dates import parse_date_filter

NOW = datetime(2026, 3, 10, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now()", "2026-03-10T12:00:00.000Z"),
        ("now()-7d", "2026-03-03T12:00:00.000Z"),
        ("now() - 2h", "2026-03-10T10:00:00.000Z"),
        ("now()+30m", "2026-03-10T12:30:00.000Z"),
        ("now()-1w", "2026-03-03T12:00:00.000Z"),
        ("now()-90s", "2026-03-10T11:58:30.000Z"),
        ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00.000Z"),
        ("2026-01-01T02:00:00+02:00", "2026-01-01T00:00:00.000Z"),
        ("2026-01-01", "2026-01-01T00:00:00.000Z"),
    ],
)
def test_accepted_forms(text: str, expected: str) -> None:
    assert parse_date_filter(text, "fromDate", now=NOW) == expected


@pytest.mark.parametrize("text", ["yesterday", "now()-7", "now()-7y", "now-7d", "2026-13-01"])
def test_rejected_forms_name_the_field(text: str) -> None:
    with pytest.raises(ApiProblem) as caught:
        parse_date_filter(text, "toDate", now=NOW)
    assert caught.value.status == 400
    assert caught.value.field == "toDate"
    assert "now()-7d" in caught.value.message
