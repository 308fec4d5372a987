"""Table-driven checks of one API call: what goes on the wire and what comes back."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import BaseModel

from evalkit.client import AsyncEigenpalClient, EigenpalClient

from .conftest import FakeApi

NO_BODY = object()


@dataclass
class Call:
    """``tree`` is the dotted call, e.g. ``agents.executions.get``."""

    tree: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    method: str = "GET"
    path: str = ""
    params: dict[str, str] = field(default_factory=dict)
    body: Any = NO_BODY
    status: int = 200
    answer: Any = None
    answer_bytes: bytes | None = None
    result_type: type[BaseModel] | None = None

    @property
    def id(self) -> str:
        return f"{self.tree}:{self.method}:{self.path}"

    def response(self) -> httpx.Response:
        if self.answer_bytes is not None:
            headers = {"content-type": "application/octet-stream"}
            return httpx.Response(self.status, content=self.answer_bytes, headers=headers)
        if self.answer is None:
            return httpx.Response(self.status)
        return httpx.Response(self.status, json=self.answer)


def resolve(root: object, tree: str) -> Any:
    target = root
    for part in tree.split("."):
        target = getattr(target, part)
    return target


def check_request(call: Call, api: FakeApi) -> None:
    assert len(api.requests) == 1
    request = api.last
    assert request.method == call.method
    assert request.url.raw_path.decode().split("?")[0] == call.path
    assert dict(request.url.params) == call.params
    if call.body is NO_BODY:
        assert request.content == b""
    else:
        assert request.headers["content-type"] == "application/json"
        assert json.loads(request.content) == call.body


def check_result(call: Call, result: Any) -> None:
    if call.answer_bytes is not None:
        assert result == call.answer_bytes
    elif call.result_type is None:
        assert result is None
    else:
        assert isinstance(result, call.result_type)
        dumped = result.model_dump(mode="json", by_alias=True, exclude_unset=True)
        assert dumped == call.answer


def run_sync(call: Call, client: EigenpalClient, api: FakeApi) -> None:
    api.queue(call.response())
    result = resolve(client, call.tree)(*call.args, **call.kwargs)
    check_request(call, api)
    check_result(call, result)


async def run_async(call: Call, aclient: AsyncEigenpalClient, api: FakeApi) -> None:
    api.queue(call.response())
    async with aclient:
        result = await resolve(aclient, call.tree)(*call.args, **call.kwargs)
    check_request(call, api)
    check_result(call, result)
