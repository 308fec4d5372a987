"""Methods that take a request's query parameters show them as their own keywords."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from typing_extensions import TypedDict

from evalkit.api import (
    AgentFilters,
    AgentListParams,
    ExecutionFilters,
    ExecutionListParams,
    PageParams,
    WorkflowExecutionFilters,
    WorkflowExecutionListParams,
    WorkflowFilters,
    WorkflowListParams,
)
from evalkit.api.query import parameter_types
from evalkit.client import AsyncEigenpalClient, EigenpalClient
from evalkit.client._signature import keyword_params

from .conftest import BASE_URL

#: method -> (the TypedDict it takes, the keywords it has besides)
TAKES: dict[str, tuple[type[Any], list[str]]] = {
    "agents.list": (AgentListParams, []),
    "agents.iter_list": (AgentFilters, ["page_size"]),
    "agents.executions.list": (ExecutionListParams, []),
    "agents.executions.iter_list": (ExecutionFilters, ["page_size"]),
    "workflows.list": (WorkflowListParams, []),
    "workflows.iter_list": (WorkflowFilters, ["page_size"]),
    "workflows.versions": (PageParams, []),
    "workflows.executions.list": (WorkflowExecutionListParams, []),
    "workflows.executions.iter_list": (WorkflowExecutionFilters, ["page_size"]),
}


@pytest.fixture(scope="module", params=["sync", "async"])
def client(request: pytest.FixtureRequest) -> Iterator[object]:
    if request.param == "sync":
        with EigenpalClient(api_key="k", base_url=BASE_URL) as sync:
            yield sync
    else:
        yield AsyncEigenpalClient(api_key="k", base_url=BASE_URL)


def method(client: object, path: str) -> Any:
    found: Any = client
    for part in path.split("."):
        found = getattr(found, part)
    return found


@pytest.mark.parametrize("path", list(TAKES))
def test_the_keywords_are_the_declared_parameters(client: object, path: str) -> None:
    params, besides = TAKES[path]
    signature = inspect.signature(method(client, path))
    keywords = [p for p in signature.parameters.values() if p.kind is p.KEYWORD_ONLY]
    assert [p.name for p in keywords] == besides + list(parameter_types(params))
    declared = [p for p in keywords if p.name not in besides]
    assert all(p.default is None for p in declared)
    assert not [p for p in signature.parameters.values() if p.kind is p.VAR_KEYWORD]


def test_a_function_without_a_spread_parameter_is_refused() -> None:
    class Params(TypedDict, total=False):
        a: int | None

    def plain(x: int) -> None: ...

    with pytest.raises(TypeError, match="needs one"):
        keyword_params(Params)(plain)


def test_a_declared_name_may_not_repeat_a_parameter() -> None:
    class Params(TypedDict, total=False):
        x: int | None

    def clash(x: int, **rest: Any) -> None: ...

    with pytest.raises(ValueError, match="duplicate"):
        keyword_params(Params)(clash)
