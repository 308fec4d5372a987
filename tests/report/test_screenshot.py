from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.report.screenshot import main
from tests.report.sample_runs import write_failing_variant

PNG = b"\x89PNG\r\n\x1a\n"


def test_screenshot_of_the_failing_variant_from_its_results(
    tmp_path: Path, artifacts: Path
) -> None:
    """What docs/images/report.png is made with (see docs/reports.md)."""
    folder = write_failing_variant(tmp_path / "run")
    out = artifacts / "report-top.png"
    assert main([str(folder), str(out), "--open-first-problem", "--height", "1500"]) == 0
    assert out.read_bytes().startswith(PNG)


def test_a_missing_chromium_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_failing_variant(tmp_path / "run")
    monkeypatch.setenv("EVALKIT_CHROMIUM", str(tmp_path / "no-chromium"))
    assert main([str(folder), str(tmp_path / "x.png")]) == 2
    message = capsys.readouterr().err
    assert "no Chromium at" in message
    assert "install Debian's 'chromium' package or set EVALKIT_CHROMIUM" in message
    assert not (tmp_path / "x.png").exists()
