from __future__ import annotations

import os
from pathlib import Path

import pytest

from evalkit.report import RunResults
from tests.report.sample_runs import ROOT, failing_variant, hostile_run, large_run


@pytest.fixture(scope="session")
def failing_run(tmp_path_factory: pytest.TempPathFactory) -> RunResults:
    return failing_variant(tmp_path_factory.mktemp("failing"))


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> RunResults:
    return hostile_run(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="session")
def large() -> RunResults:
    return large_run(10_000)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where tests leave files for people to look at (screenshots): kept after the run."""
    folder = Path(os.environ.get("EVALKIT_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "report"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def near_pass(tmp_path_factory: pytest.TempPathFactory) -> RunResults:
    from tests.report.near_pass import near_pass_run

    return near_pass_run(tmp_path_factory.mktemp("near-pass"))


@pytest.fixture(scope="session")
def repeated(tmp_path_factory: pytest.TempPathFactory) -> RunResults:
    """A --confirm run with repeats against a baseline with repeats (issue 12)."""
    from tests.report.sample_runs import repeated_run

    return repeated_run(tmp_path_factory.mktemp("repeated"))
