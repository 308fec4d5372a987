"""A method's query keywords, shown as its own: ``**params: Unpack[SomeParams]`` made explicit.

mypy checks callers against the ``TypedDict`` of ``Unpack`` (PEP 692); ``help()``,
``inspect.signature`` and the SDK parity tests see one keyword-only parameter per key,
defaulting to ``None``, as the official SDK declares them. The names live in the ``TypedDict``
only (``evalkit.api``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from evalkit.api.query import parameter_types

F = TypeVar("F", bound=Callable[..., Any])


def keyword_params(params: type[Any]) -> Callable[[F], F]:
    """Show the ``**`` parameter of the decorated function as the keys of ``params``."""
    keywords = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=kind)
        for name, kind in parameter_types(params).items()
    ]

    def show(function: F) -> F:
        signature = inspect.signature(function)
        parameters = list(signature.parameters.values())
        spread = [p for p in parameters if p.kind is inspect.Parameter.VAR_KEYWORD]
        if len(spread) != 1:
            raise TypeError(f"{function.__qualname__} needs one **parameter to show")
        index = parameters.index(spread[0])
        shown = [*parameters[:index], *keywords]
        function.__signature__ = signature.replace(parameters=shown)  # type: ignore[attr-defined]
        return function

    return show
