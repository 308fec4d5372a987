"""The maintainer scripts' tests use the report tests' sample runs (scripts/screenshot.py
photographs their reports)."""

from tests.report.conftest import artifacts, near_pass

__all__ = ["artifacts", "near_pass"]
