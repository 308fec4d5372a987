from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evalkit.stats.nearest_rank import nearest_rank


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([7], 50, 7),
        ([7], 95, 7),
        ([1, 2, 3, 4], 50, 2),
        ([4, 3, 2, 1], 50, 2),  # order of the input does not matter
        ([1, 2, 3, 4, 5], 50, 3),
        (list(range(1, 21)), 95, 19),  # rank 19 of 20, exactly (no float residue to 20)
        (list(range(1, 21)), 100, 20),
        (list(range(1, 101)), 95, 95),
        (list(range(1, 101)), 50, 50),
        ([10, 20, 30], 95, 30),  # fewer than 20 values: the largest
        ([10, 20, 30], 0, 10),
        ([5, 5, 1], 50, 5),
        (list(range(1, 101)), 7, 7),  # 7 / 100 * 100 would be 7.000000000000001: rank 8
    ],
)
def test_nearest_rank(values: list[int], p: float, expected: int) -> None:
    assert nearest_rank(values, p) == expected


def test_no_values_is_refused() -> None:
    with pytest.raises(ValueError, match="no values"):
        nearest_rank([], 50)


@pytest.mark.parametrize("p", [-1, 100.5])
def test_p_out_of_range_is_refused(p: float) -> None:
    with pytest.raises(ValueError, match="0 to 100"):
        nearest_rank([1], p)


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=50), st.floats(0, 100))
def test_a_measured_value_between_min_and_max(values: list[int], p: float) -> None:
    found = nearest_rank(values, p)
    assert found in values
    # at least p percent of the values are at or below it
    assert sum(1 for v in values if v <= found) * 100 >= p * len(values) - 1e-9
