"""A closed interval of real numbers, the shape every confidence interval here returns.

``Interval(low, high)`` with ``low <= high`` (both finite, or both equal for a degenerate
interval). Rendering it in words ("−11 to −1 points") is the reports' business, not this
package's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Interval:
    """The closed interval ``[low, high]``."""

    low: float
    high: float

    def __post_init__(self) -> None:
        if math.isnan(self.low) or math.isnan(self.high):
            raise ValueError(f"an interval's bounds must be numbers, got [{self.low}, {self.high}]")
        if self.low > self.high:
            raise ValueError(f"an interval's low bound {self.low} is above its high {self.high}")

    @property
    def width(self) -> float:
        return self.high - self.low

    @property
    def midpoint(self) -> float:
        return (self.low + self.high) / 2

    def contains(self, value: float) -> bool:
        """True when ``low <= value <= high`` (the bounds belong to the interval)."""
        return self.low <= value <= self.high

    @property
    def excludes_zero(self) -> bool:
        """True when the whole interval is on one side of 0: the change it bounds is real at
        the interval's confidence."""
        return not self.contains(0.0)

    def below(self, threshold: float) -> bool:
        """True when the whole interval is under ``threshold`` (``high < threshold``)."""
        return self.high < threshold

    def above(self, threshold: float) -> bool:
        """True when the whole interval is over ``threshold`` (``low > threshold``)."""
        return self.low > threshold
