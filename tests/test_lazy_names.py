"""lazy_names: a package's names imported on first use and kept."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator

import pytest

from evalkit.lazy_names import lazy_names

PACKAGE = "evalkit_lazy_names_probe"


@pytest.fixture
def package() -> Iterator[types.ModuleType]:
    module = types.ModuleType(PACKAGE)
    sys.modules[PACKAGE] = module
    try:
        yield module
    finally:
        del sys.modules[PACKAGE]


def test_a_name_is_imported_from_its_home_once_and_then_kept(package: types.ModuleType) -> None:
    getter = lazy_names(PACKAGE, {"dumps": "json", "joined": "os.path:join"})
    setattr(package, "__getattr__", getter)  # noqa: B010 (a module-level __getattr__)
    import json
    import os.path

    assert package.dumps is json.dumps
    assert package.joined is os.path.join  # defined there under another name
    assert package.__dict__["dumps"] is json.dumps  # kept: the next read is a plain one


def test_a_relative_home_is_read_from_the_package() -> None:
    getter = lazy_names("evalkit.compare", {"compare_json": ".json_compare"})
    from evalkit.compare.json_compare import compare_json

    assert getter("compare_json") is compare_json


def test_an_unknown_name_is_an_attribute_error_naming_the_package(
    package: types.ModuleType,
) -> None:
    getter = lazy_names(PACKAGE, {"dumps": "json"})
    with pytest.raises(AttributeError, match=f"module '{PACKAGE}' has no attribute 'nope'"):
        getter("nope")
