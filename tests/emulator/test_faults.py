"""Fault configuration and the seeded decisions it draws."""

from __future__ import annotations

import pytest

from evalkit.emulator.faults import FaultConfig, FaultInjector


@pytest.mark.parametrize(
    "kwargs",
    [
        {"error_rate": 1.5},
        {"drop_rate": -0.1},
        {"execution_failure_rate": 2},
        {"latency_ms": -1},
        {"rate_limit_per_second": -1},
        {"rate_limit_burst": 0},
        {"error_statuses": (404,)},
        {"error_statuses": ()},
        {"path_pattern": "(unclosed"},
    ],
)
def test_bad_fault_settings_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="fault"):
        FaultConfig(**kwargs)  # type: ignore[arg-type]


def test_off_by_default() -> None:
    injector = FaultInjector(FaultConfig())
    assert not FaultConfig().http_enabled
    decisions = {injector.decide("/api/v1/agents") for _ in range(50)}
    assert len(decisions) == 1
    (decision,) = decisions
    assert (decision.error_status, decision.drop, decision.latency_seconds) == (None, False, 0.0)
    assert not any(injector.execution_should_fail() for _ in range(50))


def test_the_same_seed_replays_the_same_faults() -> None:
    config = FaultConfig(error_rate=0.3, drop_rate=0.2, execution_failure_rate=0.5, seed=7)
    runs = []
    for _ in range(2):
        injector = FaultInjector(config)
        runs.append(
            [injector.decide("/api/v1/x") for _ in range(40)]
            + [injector.execution_should_fail() for _ in range(10)]
        )
    assert runs[0] == runs[1]
    statuses = {d.error_status for d in runs[0][:40] if not isinstance(d, bool)}
    assert statuses - {None} <= {500, 502, 503}
    assert any(d.drop for d in runs[0][:40] if not isinstance(d, bool))


def test_rates_are_roughly_the_configured_fractions() -> None:
    injector = FaultInjector(FaultConfig(error_rate=0.25, seed=1))
    errors = sum(injector.decide("/p").error_status is not None for _ in range(4000))
    assert 800 < errors < 1200


def test_path_pattern_scopes_faults_and_the_emulator_paths_are_exempt() -> None:
    injector = FaultInjector(FaultConfig(error_rate=1.0, path_pattern=r"/run$"))
    assert injector.decide("/api/v1/agents/a/run").error_status is not None
    assert injector.decide("/api/v1/agents/a").error_status is None
    assert not FaultInjector(FaultConfig(error_rate=1.0)).matches("/_emulator/reset")


def test_latency_comes_with_every_matching_decision() -> None:
    injector = FaultInjector(FaultConfig(latency_ms=250))
    assert injector.decide("/any").latency_seconds == 0.25
