"""Which platform a command talks to: remote when configured, else the local one it starts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from evalkit.cli.context import GlobalOptions
from evalkit.cli.target import local_state_dir, open_target
from evalkit.client import EigenpalClient
from evalkit.errors import ConfigError


def _options(tmp_path: Path, **changes: object) -> GlobalOptions:
    base = GlobalOptions(
        manifest=tmp_path / "evalkit.yaml",
        base_url=None,
        api_key=None,
        local=False,
        verbose=0,
        json_output=False,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_no_url_starts_the_local_platform_with_state_beside_the_manifest(tmp_path: Path) -> None:
    options = _options(tmp_path)
    with open_target(options) as target:
        assert target.is_local
        assert target.base_url.startswith("http://127.0.0.1:")
        with EigenpalClient(api_key=target.api_key, base_url=target.base_url) as client:
            created = client.agents.create(name="Probe", slug="probe")
            assert created.agent.slug == "probe"
    assert local_state_dir(options) == tmp_path / ".evalkit" / "platform"
    assert any(local_state_dir(options).iterdir()), "state is kept on disk"

    # A second start finds the agent made by the first: the state survives.
    with (
        open_target(options) as target,
        EigenpalClient(api_key=target.api_key, base_url=target.base_url) as client,
    ):
        assert client.agents.get("probe").agent.name == "Probe"


def test_local_flag_wins_over_a_configured_url(tmp_path: Path) -> None:
    options = _options(tmp_path, base_url="https://app.example.invalid", local=True)
    with open_target(options) as target:
        assert target.is_local


def test_remote_without_key_is_a_config_error_naming_both_ways(tmp_path: Path) -> None:
    options = _options(tmp_path, base_url="https://app.example.invalid")
    with pytest.raises(ConfigError) as caught, open_target(options):
        pass
    assert "--api-key" in str(caught.value)
    assert "EIGENPAL_API_KEY" in str(caught.value)


def test_remote_target_keeps_the_key_out_of_its_repr(tmp_path: Path) -> None:
    options = _options(tmp_path, base_url="https://app.example.invalid", api_key="eg_topsecret")
    with open_target(options) as target:
        assert not target.is_local
        assert target.api_key == "eg_topsecret"
        assert "eg_topsecret" not in repr(target)
