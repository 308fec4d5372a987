"""The clients as a whole: the SDK's call tree and signatures, twins, lifecycle, secrecy."""

from __future__ import annotations

import inspect
import logging
import traceback
from collections.abc import Iterator
from typing import Any

import eigenpal
import httpx
import pytest

import evalkit.client
from evalkit.client import (
    UNSET,
    AsyncEigenpalClient,
    EigenpalClient,
    EigenpalConfigError,
    EigenpalError,
)

from .conftest import API_KEY, BASE_URL, FakeApi, envelope, json_answer

SDK_CALLS = {
    "agents.list", "agents.get", "agents.create", "agents.update", "agents.run",
    "agents.list_files", "agents.put_file", "agents.upload_files",
    "agents.executions.list", "agents.executions.get", "agents.executions.cancel",
    "agents.executions.rerun", "agents.executions.get_feedback",
    "agents.executions.update_feedback", "agents.executions.clear_feedback",
    "agents.executions.list_expected", "agents.executions.copy_output_to_expected",
    "agents.executions.upload_expected", "agents.executions.download_expected",
    "agents.executions.rename_expected", "agents.executions.delete_expected",
    "agents.executions.download_file",
    "workflows.list", "workflows.get", "workflows.run", "workflows.versions",
    "workflows.executions.list", "workflows.executions.get", "workflows.executions.cancel",
    "workflows.executions.run_and_wait",
}  # fmt: skip

#: SDK-required parameters that evalkit makes optional, to offer an alternative
RELAXED = {("agents.put_file", "content_base64")}


def call_tree(root: object, module: str, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every public method under ``root``'s resource attributes defined in ``module``."""
    for name, value in vars(root).items():
        if name.startswith("_") or not type(value).__module__.startswith(module):
            continue
        for method_name, _ in inspect.getmembers(type(value), inspect.isfunction):
            if not method_name.startswith("_"):
                yield f"{prefix}{name}.{method_name}", getattr(value, method_name)
        yield from call_tree(value, module, f"{prefix}{name}.")


@pytest.fixture(scope="module")
def sdk_tree() -> dict[str, Any]:
    sdk = eigenpal.EigenpalClient(api_key="eg_sdk", base_url="http://127.0.0.1:9")
    tree = dict(call_tree(sdk, "eigenpal"))
    sdk._client.get_httpx_client().close()
    return tree


@pytest.fixture(scope="module")
def our_trees() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    sync = EigenpalClient(api_key="k", base_url=BASE_URL)
    asyn = AsyncEigenpalClient(api_key="k", base_url=BASE_URL)
    yield dict(call_tree(sync, "evalkit")), dict(call_tree(asyn, "evalkit"))
    sync.close()


def test_the_sdk_tree_is_what_we_think(sdk_tree: dict[str, Any]) -> None:
    assert set(sdk_tree) == SDK_CALLS


def same_default(sdk_default: Any, ours: Any) -> bool:
    if type(sdk_default).__name__ == "Unset":
        return ours is UNSET
    return bool(ours == sdk_default)


@pytest.mark.parametrize("side", ["sync", "async"])
def test_every_sdk_call_exists_with_the_same_shape(
    sdk_tree: dict[str, Any], our_trees: tuple[dict[str, Any], dict[str, Any]], side: str
) -> None:
    ours_tree = our_trees[0] if side == "sync" else our_trees[1]
    for tree, sdk_method in sdk_tree.items():
        assert tree in ours_tree, tree
        sdk_params = inspect.signature(sdk_method).parameters
        our_params = inspect.signature(ours_tree[tree]).parameters
        positional = [inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.POSITIONAL_ONLY]
        assert [n for n, p in our_params.items() if p.kind in positional] == [
            n for n, p in sdk_params.items() if p.kind in positional
        ], tree
        for name, sdk_param in sdk_params.items():
            ours = our_params.get(name)
            assert ours is not None, f"{tree}({name})"
            assert ours.kind == sdk_param.kind, f"{tree}({name})"
            if sdk_param.default is inspect.Parameter.empty:
                relaxed = (tree, name) in RELAXED
                assert ours.default is inspect.Parameter.empty or relaxed, f"{tree}({name})"
            else:
                assert same_default(sdk_param.default, ours.default), f"{tree}({name})"
        for name in our_params.keys() - sdk_params.keys():
            extra = our_params[name]
            assert extra.kind is inspect.Parameter.KEYWORD_ONLY, f"{tree}({name})"
            assert extra.default is not inspect.Parameter.empty, f"{tree}({name})"


def test_constructor_keeps_the_sdk_options() -> None:
    sdk = inspect.signature(eigenpal.EigenpalClient).parameters
    for cls in (EigenpalClient, AsyncEigenpalClient):
        ours = inspect.signature(cls).parameters
        for name, param in sdk.items():
            assert ours[name].kind == param.kind
            assert ours[name].default == param.default


def test_sync_and_async_twins_match(our_trees: tuple[dict[str, Any], dict[str, Any]]) -> None:
    sync, asyn = our_trees
    assert set(sync) == set(asyn)
    assert {"agents.run_and_wait", "agents.executions.wait", "agents.iter_list"} <= set(sync)
    for tree, method in sync.items():
        sync_params = inspect.signature(method).parameters
        async_params = inspect.signature(asyn[tree]).parameters
        assert [(p.name, p.kind, p.default) for p in sync_params.values()] == [
            (p.name, p.kind, p.default) for p in async_params.values()
        ], tree
        is_iterator = tree.rsplit(".", 1)[1].startswith("iter_")
        assert inspect.iscoroutinefunction(asyn[tree]) is not is_iterator, tree
        assert not inspect.iscoroutinefunction(method)


def test_public_names() -> None:
    assert evalkit.client.DEFAULT_BASE_URL == "https://app.eigenpal.com"
    for name in evalkit.client.__all__:
        assert hasattr(evalkit.client, name)


def test_key_from_environment(monkeypatch: pytest.MonkeyPatch, api: FakeApi) -> None:
    monkeypatch.setenv("EIGENPAL_API_KEY", "eg_from_env")
    monkeypatch.setenv("EIGENPAL_BASE_URL", "http://env.test")
    api.queue(json_answer(200, {"data": [], "total": 0, "limit": 50, "offset": 0}))
    with EigenpalClient(transport=httpx.MockTransport(api)) as client:
        client.agents.list()
    assert api.last.headers["authorization"] == "Bearer eg_from_env"
    assert api.last.url.host == "env.test"


def test_missing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EIGENPAL_API_KEY", raising=False)
    with pytest.raises(EigenpalConfigError, match="EIGENPAL_API_KEY"):
        EigenpalClient()
    with pytest.raises(ValueError, match="api_key="):
        AsyncEigenpalClient()


def test_context_manager_closes_its_own_client_only(api: FakeApi) -> None:
    with EigenpalClient(api_key="k", transport=httpx.MockTransport(api)) as client:
        own = client._executor._client
    assert own.is_closed
    injected = httpx.Client(transport=httpx.MockTransport(api))
    with EigenpalClient(api_key="k", http_client=injected):
        pass
    assert not injected.is_closed
    injected.close()


@pytest.mark.anyio
async def test_async_context_manager_closes(api: FakeApi) -> None:
    async with AsyncEigenpalClient(api_key="k", transport=httpx.MockTransport(api)) as client:
        own = client._executor._client
    assert own.is_closed
    injected = httpx.AsyncClient(transport=httpx.MockTransport(api))
    async with AsyncEigenpalClient(api_key="k", http_client=injected):
        pass
    assert not injected.is_closed
    await injected.aclose()


def test_the_key_never_shows(
    client: EigenpalClient, api: FakeApi, caplog: pytest.LogCaptureFixture
) -> None:
    api.queue(
        envelope(503, **{"x-request-id": "req_a"}),
        json_answer(
            200, {"data": [], "total": 0, "limit": 50, "offset": 0}, **{"x-request-id": "req_b"}
        ),
        envelope(401, "invalid key"),
        httpx.ConnectError("refused"),
    )
    caplog.set_level(logging.DEBUG, logger="evalkit.client")
    client.agents.list()
    with pytest.raises(EigenpalError) as auth_error:
        client.agents.get("a")
    api.answers[:] = [httpx.ConnectError("refused")]
    with pytest.raises(EigenpalError) as connect_error:
        client.agents.list()

    texts = [repr(client), repr(client._executor.options), caplog.text]
    for caught in (auth_error, connect_error):
        err = caught.value
        texts += [str(err), repr(err), repr(err.args)]
        texts += traceback.TracebackException.from_exception(err, capture_locals=True).format()
    for text in texts:
        assert API_KEY not in text

    assert "retrying GET /api/v1/agents after HTTP 503 in 0.50 s (retry 1 of 3)" in caplog.text
    assert "GET /api/v1/agents -> 200 in " in caplog.text
    assert "(request id req_b, retries 1)" in caplog.text
    assert "GET /api/v1/agents/a -> 401" in caplog.text
