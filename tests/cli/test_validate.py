"""``evalkit validate`` as a user runs it: what it refuses, ``run`` refuses the same way."""

from __future__ import annotations

from pathlib import Path

from .harness import Evalkit, remote

NEVER_PASSES = """\
version: 1
agents:
  - slug: answerer
    repeat: {times: 3, pass_if: {at_least: 5}}
    examples:
      - {name: refund, input: {q: 1}, expected: {a: 1}}
"""


def test_a_pass_if_that_can_never_pass_fails_validate_and_run_at_its_line(
    evalkit: Evalkit, tmp_path: Path, closed_url: str
) -> None:
    manifest = tmp_path / "evalkit.yaml"
    manifest.write_text(NEVER_PASSES)
    validated = evalkit("-m", manifest, "validate", "--strict")
    assert validated.code == 2
    assert "evalkit.yaml:4:24: agents[0].repeat.pass_if: at_least 5 can never pass" in (
        validated.stderr
    )
    assert "Traceback" not in validated.stderr
    # refused when the manifest loads: a closed port would be exit 3 had it been contacted
    ran = evalkit(*remote(closed_url), "-m", manifest, "run", "--no-report")
    assert ran.code == 2
    assert "evalkit.yaml:4:24" in ran.stderr
    assert "expected.json" not in ran.stderr


def test_options_that_can_never_pass_are_named_by_run(
    evalkit: Evalkit, tmp_path: Path, closed_url: str
) -> None:
    manifest = tmp_path / "evalkit.yaml"
    manifest.write_text(NEVER_PASSES.replace("{at_least: 5}", "any"))
    args = ("run", "--no-report", "--repeat", "2", "--pass-if", "at_least 3")
    ran = evalkit(*remote(closed_url), "-m", manifest, *args)
    assert ran.code == 2
    assert "--pass-if 'at_least 3' can never pass with --repeat 2" in ran.stderr
    assert "declared at" not in ran.stderr
