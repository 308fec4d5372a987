"""The machine a benchmark run names: its processor, and its single-core speed."""

from __future__ import annotations

import math
import os
import platform
from pathlib import Path

from benchmarks.machine import Calibration, cpu_model, describe, single_core_ms


def test_the_processor_is_read_from_cpuinfo_on_x86_and_arm(tmp_path: Path) -> None:
    x86 = tmp_path / "x86"
    x86.write_text("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n\n")
    arm = tmp_path / "arm"
    arm.write_text("processor\t: 0\nBogoMIPS\t: 48.00\n\nModel\t: Raspberry Pi 4\n")
    assert cpu_model(x86) == "AMD EPYC 7B13"
    assert cpu_model(arm) == "Raspberry Pi 4"


def test_no_processor_is_named_where_the_kernel_says_none(tmp_path: Path) -> None:
    empty = tmp_path / "cpuinfo"
    empty.write_text("processor\t: 0\nmodel name\t:\n")
    assert cpu_model(empty) is None
    assert cpu_model(tmp_path / "missing") is None
    assert "(" not in describe(model="")


def test_the_description_names_cores_processor_system_and_python() -> None:
    text = describe(model="Test CPU 9000")
    assert text.startswith(f"{os.cpu_count()} cores (Test CPU 9000), ")
    assert platform.system() in text
    assert text.endswith(f"Python {platform.python_version()}")


def test_the_calibration_is_a_positive_time_and_reads_before_and_after() -> None:
    measured = single_core_ms(rounds=2)
    assert math.isfinite(measured)
    assert measured > 0
    assert Calibration(41.6).text() == "a fixed single-core workload in 42 ms"
    assert Calibration(41.6, 44.2).text() == "a fixed single-core workload in 42 ms, after 44 ms"
