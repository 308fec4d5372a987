"""Walking every page: the pure rule, and the ``iter_*`` helpers of both clients."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import httpx
import pytest

from evalkit.client import AsyncEigenpalClient, EigenpalClient, EigenpalResponseError
from evalkit.client.pagination import iter_items, next_offset

from .conftest import AGENT, EXECUTION, TS, WORKFLOW, FakeApi


@pytest.mark.parametrize(
    ("offset", "length", "total", "expected"),
    [
        (0, 2, 5, 2),
        (2, 2, 5, 4),
        (4, 1, 5, None),
        (0, 0, 5, None),
        (0, 3, 3, None),
        (0, 2, 0, None),
    ],
)
def test_next_offset(offset: int, length: int, total: int, expected: int | None) -> None:
    assert next_offset(offset, length, total) == expected


def test_stops_on_an_empty_page_even_if_total_says_more() -> None:
    calls: list[tuple[int, int]] = []

    def fetch(limit: int, offset: int) -> tuple[list[int], int]:
        calls.append((limit, offset))
        return ([1, 2] if offset == 0 else []), 99

    assert list(iter_items(fetch, page_size=2)) == [1, 2]
    assert calls == [(2, 0), (2, 2)]


def test_stops_when_the_platform_ignores_offset() -> None:
    calls: list[int] = []

    def fetch(limit: int, offset: int) -> tuple[list[int], int]:
        calls.append(offset)
        return [1, 2], 10**9

    with pytest.raises(EigenpalResponseError, match="offsets 0 to 4 with the same items"):
        list(iter_items(fetch, page_size=2))
    assert calls == [0, 2, 4]


def test_one_repeated_page_is_not_an_error() -> None:
    """Page size 1 and an item added in front between two requests repeats one page."""
    pages = {0: [1], 1: [1], 2: [2], 3: [2], 4: []}
    assert list(iter_items(lambda limit, offset: (pages[offset], 4), page_size=1)) == [1, 1, 2, 2]


def paged(
    items: Sequence[Mapping[str, object]], key: str
) -> Callable[[httpx.Request], httpx.Response]:
    """An answer function serving ``items`` by limit/offset, as the API does."""

    def answer(request: httpx.Request) -> httpx.Response:
        limit, offset = int(request.url.params["limit"]), int(request.url.params["offset"])
        page = items[offset : offset + limit]
        return httpx.Response(
            200, json={key: page, "total": len(items), "limit": limit, "offset": offset}
        )

    return answer


AGENTS = [{**AGENT, "id": f"awf_{n}", "slug": f"a{n}"} for n in range(5)]


def test_agents_iter_list_walks_every_page(client: EigenpalClient, api: FakeApi) -> None:
    api.queue(paged(AGENTS, "data"))
    slugs = [agent.slug for agent in client.agents.iter_list(search="a", page_size=2)]
    assert slugs == ["a0", "a1", "a2", "a3", "a4"]
    assert [api.params(i) for i in range(3)] == [
        {"search": "a", "limit": "2", "offset": str(offset)} for offset in (0, 2, 4)
    ]


def test_executions_iter_list_keeps_filters(client: EigenpalClient, api: FakeApi) -> None:
    rows = [{**EXECUTION, "id": f"exec_{n}"} for n in range(3)]
    api.queue(paged(rows, "executions"))
    found = list(
        client.agents.executions.iter_list("a", page_size=2, batch_id="b1", has_feedback=True)
    )
    assert [e.id for e in found] == ["exec_0", "exec_1", "exec_2"]
    assert api.params(1) == {"batchId": "b1", "hasFeedback": "true", "limit": "2", "offset": "2"}


def test_workflow_iterators(client: EigenpalClient, api: FakeApi) -> None:
    api.queue(paged([WORKFLOW] * 3, "data"))
    assert len(list(client.workflows.iter_list(kind="workflow", page_size=2))) == 3
    versions = [{"id": f"wfh_{n}", "workflowId": "wf_1"} for n in range(3)]
    api.answers[:] = [paged(versions, "data")]
    assert [v.id for v in client.workflows.iter_versions("flow", page_size=2)] == [
        "wfh_0",
        "wfh_1",
        "wfh_2",
    ]
    runs = [
        {"id": f"w{n}", "workflowId": "wf_1", "status": "completed", "createdAt": TS}
        for n in range(3)
    ]
    api.answers[:] = [paged(runs, "data")]
    found = list(client.workflows.executions.iter_list("flow", status=["completed"], page_size=2))
    assert [r.id for r in found] == ["w0", "w1", "w2"]
    assert api.params()["status"] == "completed"


@pytest.mark.anyio
async def test_async_iterators(aclient: AsyncEigenpalClient, api: FakeApi) -> None:
    api.queue(paged(AGENTS, "data"))
    async with aclient:
        slugs = [agent.slug async for agent in aclient.agents.iter_list(page_size=3)]
        assert slugs == ["a0", "a1", "a2", "a3", "a4"]
        rows = [{**EXECUTION, "id": f"exec_{n}"} for n in range(3)]
        api.answers[:] = [paged(rows, "executions")]
        ids = [e.id async for e in aclient.agents.executions.iter_list("a", page_size=2)]
        assert ids == ["exec_0", "exec_1", "exec_2"]
        api.answers[:] = [paged([WORKFLOW] * 2, "data")]
        assert len([w async for w in aclient.workflows.iter_list(page_size=1)]) == 2
        api.answers[:] = [paged([{"id": "wfh_1", "workflowId": "wf_1"}], "data")]
        assert [v.id async for v in aclient.workflows.iter_versions("flow")] == ["wfh_1"]
        runs = [{"id": "w0", "workflowId": "wf_1", "status": "completed", "createdAt": TS}]
        api.answers[:] = [paged(runs, "data")]
        assert [r.id async for r in aclient.workflows.executions.iter_list("flow")] == ["w0"]
