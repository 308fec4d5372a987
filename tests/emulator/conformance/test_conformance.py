"""Every call of the official SDK (eigenpal==0.5.12) against the platform over loopback, and the
same scenarios with evalkit's own client; plus the SDK's view of each error kind."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from eigenpal import EigenpalClient as SdkClient
from eigenpal.errors import (
    EigenpalAuthError,
    EigenpalForbiddenError,
    EigenpalNotFoundError,
    EigenpalRateLimitError,
    EigenpalServerError,
    EigenpalValidationError,
)

from evalkit.client import EigenpalClient as EvalkitClient
from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.faults import FaultConfig
from evalkit.emulator.server import RunningPlatform, start_platform

from ..helpers import API_KEY, AUTH
from .scenarios import SCENARIOS, WORKFLOW_FILES, Env, Scenario


def make_client(name: str, live: RunningPlatform) -> Any:
    """An SDK-shaped client: the official one, or evalkit's own."""
    if name == "sdk":
        return SdkClient(api_key=API_KEY, base_url=live.base_url)
    return EvalkitClient(api_key=API_KEY, base_url=live.base_url)


CLIENTS = ("evalkit", "sdk")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    root = tmp_path_factory.mktemp("conformance")
    flows = root / "workflows"
    flows.mkdir()
    for name, text in WORKFLOW_FILES.items():
        (flows / name).write_text(text)
    config = PlatformConfig(data_dir=root / "state", api_keys=(API_KEY,), workflows_dir=flows)
    with start_platform(config) as running:
        yield running


@pytest.fixture
def env(live: RunningPlatform) -> Iterator[Env]:
    with httpx.Client(base_url=live.base_url, headers=AUTH, timeout=60) as http:
        assert http.post("/_emulator/reset").status_code == 200
        live.platform.faults.reconfigure(FaultConfig())
        yield Env(http, live)


@pytest.mark.parametrize("client_name", CLIENTS)
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_scenario(client_name: str, scenario: str, env: Env) -> None:
    run: Scenario = SCENARIOS[scenario]
    with make_client(client_name, env.live) as client:
        run(client, env)


@pytest.fixture
def sdk(env: Env) -> Iterator[SdkClient]:
    with SdkClient(api_key=API_KEY, base_url=env.live.base_url) as client:
        yield client


def test_sdk_not_found_keeps_the_request_id(sdk: SdkClient) -> None:
    with pytest.raises(EigenpalNotFoundError) as caught:
        sdk.agents.get("missing-agent")
    assert caught.value.request_id
    assert caught.value.request_id.startswith("req_")
    assert "missing-agent" in str(caught.value)


def test_sdk_validation_error_names_the_field(sdk: SdkClient) -> None:
    with pytest.raises(EigenpalValidationError) as caught:
        sdk.agents.list(limit=500)
    assert str(caught.value).startswith("limit: ")
    assert caught.value.issues[0]["code"] == "invalid_value"


def test_sdk_auth_error(env: Env) -> None:
    with (
        SdkClient(api_key="eg_wrong", base_url=env.live.base_url) as wrong,
        pytest.raises(EigenpalAuthError) as caught,
    ):
        wrong.agents.list()
    assert caught.value.status == 401
    assert "eg_wrong" not in str(caught.value.envelope)


def test_sdk_reads_an_agent_created_without_config(sdk: SdkClient) -> None:
    created = sdk.agents.create(name="Bare", slug="bare")
    assert created.agent.slug == "bare"
    assert sdk.agents.get("bare").agent.name == "Bare"
    assert [agent.slug for agent in sdk.agents.list().data if agent.slug == "bare"] == ["bare"]


def test_sdk_forbidden_when_the_api_trigger_is_off(sdk: SdkClient) -> None:
    sdk.agents.create(name="Off", slug="off", config={"triggers": {"api": {"enabled": False}}})
    with pytest.raises(EigenpalForbiddenError) as caught:
        sdk.agents.run("off", {"x": 1})
    assert caught.value.envelope is not None
    assert caught.value.envelope["issues"][0]["code"] == "api_trigger_disabled"


def test_sdk_rate_limit_carries_retry_after(sdk: SdkClient, env: Env) -> None:
    env.live.platform.faults.reconfigure(
        FaultConfig(rate_limit_per_second=0.2, rate_limit_burst=1, path_pattern="/agents$")
    )
    sdk.agents.list()
    with pytest.raises(EigenpalRateLimitError) as caught:
        sdk.agents.list()
    assert caught.value.retry_after == 5


def test_sdk_server_error(sdk: SdkClient, env: Env) -> None:
    env.live.platform.faults.reconfigure(FaultConfig(error_rate=1.0, error_statuses=(503,)))
    with pytest.raises(EigenpalServerError) as caught:
        sdk.agents.list()
    assert caught.value.status == 503


def test_sdk_hold_timeout_status(sdk: SdkClient, env: Env) -> None:
    sdk.agents.create(
        name="S", slug="slow", config={"runtime": {"builtin": "echo", "delayMs": 30000}}
    )
    answer = sdk.agents.run("slow", {}, wait_for_completion=1)
    assert answer.status == "timeout"
    sdk.agents.executions.cancel(answer.execution_id)
