"""The package's public names."""

from __future__ import annotations

import pytest

import evalkit.emulator as emulator
from evalkit.emulator.app import create_app
from evalkit.emulator.server import start_platform


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert emulator.__all__ == sorted(emulator.__all__)
    for name in emulator.__all__:
        assert getattr(emulator, name) is not None
    assert emulator.create_app is create_app
    assert emulator.start_platform is start_platform


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = emulator.nope
