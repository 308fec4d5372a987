"""Assertion details for the shared scenarios module (it is not a test module itself)."""

import pytest

pytest.register_assert_rewrite(f"{__package__}.scenarios")
