"""A package's names that load on first use, declared once: ``__getattr__ = lazy_names(...)``.

A package whose ``__init__`` imported every module it names made each import pay for all of
them (``import evalkit`` for the whole run, a run's manifest reading for ``validate``'s offline
checks). The package lists instead where each name lives; the first read of a name imports its
module and keeps the value in the package, so later reads are plain attribute reads.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """The module ``__getattr__`` of ``package``: ``homes`` maps a name to the module that
    defines it, absolute or relative to the package (``".checks"``), with ``":attribute"``
    when it is defined there under another name."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, _, defined_as = home.partition(":")
        value = getattr(importlib.import_module(module, package), defined_as or name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
