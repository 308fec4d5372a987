"""The run's hot routes (a run, its execution, its feedback: three requests per example of a
run), answered by the gate straight from their endpoints, without FastAPI's router, matching
and per-request machinery, which cost more than the endpoints themselves.

Calling the endpoint directly is what FastAPI would do, and only then is a route hot:
- the endpoint takes nothing but the request (``async def endpoint(request: Request)``, no
  dependencies): FastAPI has nothing to solve or check;
- FastAPI would choose this route for the path: its pattern matches and no route declared
  before it with the same method matches too (``GET /agents/executions/executions`` lists the
  executions of an agent called ``executions``). Any other path goes to FastAPI.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Route
from starlette.types import Scope


@dataclass(frozen=True)
class _Hot:
    route: APIRoute
    #: the patterns of the routes declared before this one, same method, that may match a path
    #: of this one
    shadows: tuple[re.Pattern[str], ...]


class HotRoutes:
    def __init__(
        self, routes: Sequence[BaseRoute], endpoints: Collection[Callable[..., Any]]
    ) -> None:
        """``routes``: every route of the app, in the order FastAPI tries them."""
        table: dict[str, list[_Hot]] = {}
        found = set()
        for index, route in enumerate(routes):
            if not isinstance(route, APIRoute) or route.endpoint not in endpoints:
                continue
            _check_request_only(route)
            found.add(route.endpoint)
            earlier = routes[:index]
            if any(not isinstance(other, Route) for other in earlier):
                continue  # a mount or the like before it: leave the choice to FastAPI
            for method in sorted(route.methods or ()):
                shadows = tuple(
                    other.path_regex
                    for other in earlier
                    if isinstance(other, Route)
                    and method in (other.methods or ())
                    and may_overlap(other.path, route.path)
                )
                table.setdefault(method, []).append(_Hot(route, shadows))
        missing = [fn.__name__ for fn in endpoints if fn not in found]
        if missing:
            raise ValueError(f"hot endpoints without a route: {', '.join(missing)}")
        self._table = {method: tuple(hots) for method, hots in table.items()}

    def find(self, scope: Scope) -> tuple[APIRoute, dict[str, Any]] | None:
        """The route FastAPI would answer this request with and its path parameters, when that
        route is hot; else None."""
        candidates = self._table.get(scope["method"])
        if candidates is None or scope.get("root_path"):
            return None
        path: str = scope["path"]
        for hot in candidates:
            match = hot.route.path_regex.match(path)
            if match is None:
                continue
            if any(shadow.match(path) for shadow in hot.shadows):
                return None
            convertors = hot.route.param_convertors
            params = {
                name: convertors[name].convert(value) for name, value in match.groupdict().items()
            }
            return hot.route, params
        return None


def may_overlap(first: str, second: str) -> bool:
    """Whether some path could match both route paths (conservative: True when unsure)."""
    a, b = first.split("/"), second.split("/")
    if any(":path" in part for part in (*a, *b)):
        return True
    if len(a) != len(b):
        return False
    return all("{" in x or "{" in y or x == y for x, y in zip(a, b, strict=True))


def _check_request_only(route: APIRoute) -> None:
    parameters = list(inspect.signature(route.endpoint).parameters.values())
    plain = (
        inspect.iscoroutinefunction(route.endpoint)
        and len(parameters) == 1
        and parameters[0].annotation in (Request, "Request")
        and not route.dependencies
        and not route.dependant.dependencies
    )
    if not plain:
        raise TypeError(
            f"{route.endpoint.__name__} cannot be hot: it must be 'async def (request: Request)'"
            " without dependencies"
        )
