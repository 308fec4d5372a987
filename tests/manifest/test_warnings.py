"""``validate`` warnings (issue 10 items 4 and 5): one small YAML file per case
(``warning_cases/*.yaml``), each naming in ``# warn: LINE:COLUMN: MESSAGE | HINT`` header lines
every warning it must give, exactly, like the error cases (``test_bad_manifests``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.manifest import load_manifest
from evalkit.manifest.checks import validate_manifest
from tests.manifest.test_bad_manifests import expectations

CASES = Path(__file__).parent / "warning_cases"


def case_files() -> list[Path]:
    return sorted(CASES.glob("*.yaml"))


def test_every_case_declares_its_warnings() -> None:
    assert all(expectations(case, "warn") for case in case_files())
    assert len(case_files()) >= 5


@pytest.mark.parametrize("case", case_files(), ids=lambda p: p.stem)
def test_case_warns_exactly_as_declared(case: Path) -> None:
    load_manifest(case, env={})  # warnings, not errors: the manifest loads
    warnings = validate_manifest(case, env={}).warnings
    expected = expectations(case, "warn")
    unmatched = [e for e in expected if not any(e.matches(w) for w in warnings)]
    report = "\n".join(f"  {w} [hint: {w.hint}]" for w in warnings)
    assert not unmatched, f"missing {unmatched}\nwarnings:\n{report}"
    assert len(warnings) == len(expected), f"unexpected extra warnings:\n{report}"
