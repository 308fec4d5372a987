"""Bearer-key authentication (contract A1, A2)."""

from __future__ import annotations

import logging

import pytest

from evalkit.emulator.auth import key_is_valid

from .conftest import ClientFactory
from .helpers import API_KEY, TestClient, issue


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {API_KEY}"},
        {"Authorization": "Bearer "},
        {"Authorization": API_KEY},
    ],
)
def test_requests_without_a_valid_key_get_401(client: TestClient, headers: dict[str, str]) -> None:
    client.headers.pop("Authorization")
    response = client.get("/api/v1/agents", headers=headers)
    assert response.status_code == 401
    assert issue(response)["code"] == "unauthorized"
    assert API_KEY not in response.text


def test_unknown_routes_need_a_key_too(client: TestClient) -> None:
    client.headers.pop("Authorization")
    assert client.get("/api/v1/nothing").status_code == 401


def test_health_needs_no_key(client: TestClient) -> None:
    client.headers.pop("Authorization")
    response = client.get("/_emulator/health")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_any_configured_key_is_accepted(make_client: ClientFactory) -> None:
    client = make_client(api_keys=("eg_first", "eg_second"))
    for key in ("eg_first", "eg_second"):
        response = client.get("/api/v1/agents", headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 200


def test_key_comparison() -> None:
    keys = (b"eg_a", b"eg_bb")
    assert key_is_valid("eg_bb", keys)
    assert not key_is_valid("eg_b", keys)
    assert not key_is_valid("", keys)
    assert not key_is_valid("é", keys)


def test_keys_never_reach_the_log(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client.get("/api/v1/agents", headers={"Authorization": "Bearer eg_presented_wrong_key"})
    client.get("/api/v1/agents")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "eg_presented_wrong_key" not in logged
    assert API_KEY not in logged


@pytest.mark.parametrize("key", ["", " eg_padded_key", "eg_key\n", "eg_kéy"])
def test_a_platform_does_not_accept_a_key_no_client_can_send(key: str) -> None:
    """The client's rule (``evalkit.api.keys``): a platform accepting only such a key would
    answer 401 to every request. The key is not quoted."""
    from evalkit.emulator.config import PlatformConfig

    with pytest.raises(ValueError, match="api_keys") as caught:
        PlatformConfig(api_keys=("eg_fine", key))
    assert (key.strip() or "<none>") not in str(caught.value)
