"""Harvested examples' names: stable, sorted by time, valid whatever the platform sends."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from evalkit.harvesting.naming import harvest_name
from evalkit.manifest.models import NAME_MAX, NAME_PATTERN


def test_a_name_is_the_creation_time_and_the_id_tail() -> None:
    name = harvest_name("exec_01HZX9ABCDEF42", "2026-03-01T10:15:02.123Z")
    assert name == "20260301-101502-abcdef42"
    assert harvest_name("exec_01HZX9ABCDEF42", "2026-03-01T10:15:02.123Z") == name


def test_times_with_an_offset_are_named_in_utc() -> None:
    assert harvest_name("exec_1", "2026-03-01T12:15:02+02:00").startswith("20260301-101502-")


@given(st.text(max_size=60), st.text(max_size=40))
def test_any_id_and_time_make_a_valid_example_name(execution_id: str, created_at: str) -> None:
    name = harvest_name(execution_id, created_at)
    assert re.match(NAME_PATTERN, name)
    assert len(name) <= NAME_MAX
