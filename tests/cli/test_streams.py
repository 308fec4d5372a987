"""A reader that goes away (``evalkit run 2>&1 | head -3``) changes nothing but what is printed:
every command, its standard output or its standard error a pipe closed before it starts, exits
with the code it has with both open, prints no traceback, and a run still writes its results
and reports."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from evalkit.cli import streams

from .harness import SMALL

ROOT = Path(__file__).resolve().parents[2]

PASSING = SMALL + "      - {name: b, expected: {ok: true}}\n"


@dataclass(frozen=True)
class Ended:
    code: int
    other: str  # what the stream left open received


def _environment() -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EIGENPAL_")}
    environment.pop("GITHUB_ACTIONS", None)
    environment["PYTHONPATH"] = str(ROOT)
    return environment


def evalkit(*args: str | Path, cwd: Path, closed: str | None) -> Ended:
    """``evalkit ARGS`` with ``closed`` ("stdout" or "stderr") a pipe nobody reads any more;
    ``None``: both open."""
    command = [sys.executable, "-m", "evalkit", *map(str, args)]
    reader, writer = os.pipe()
    os.close(reader)
    try:
        pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
        if closed is not None:
            pipes[closed] = writer
        done = subprocess.run(
            command,
            cwd=cwd,
            env=_environment(),
            text=True,
            timeout=240,
            stdout=pipes["stdout"],
            stderr=pipes["stderr"],
        )
    finally:
        os.close(writer)
    other = done.stderr if closed == "stdout" else done.stdout
    if closed is None:
        other = done.stdout + done.stderr
    return Ended(done.returncode, other or "")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("streams")
    (folder / "evalkit.yaml").write_text(PASSING, encoding="utf-8")
    return folder


@pytest.mark.parametrize("closed", ["stdout", "stderr"])
def test_a_passing_run_exits_0_and_writes_everything(project: Path, closed: str) -> None:
    out, reports = project / f"run-{closed}", project / f"reports-{closed}"
    ended = evalkit("run", "--out", out, "--report-dir", reports, cwd=project, closed=closed)
    assert ended.code == 0, ended.other
    assert "Traceback" not in ended.other
    assert len((out / "results.jsonl").read_text().splitlines()) == 2
    assert '"status": "passed"' in (out / "summary.json").read_text()
    assert {path.name for path in reports.iterdir()} >= {"report.html", "junit.xml"}
    if closed == "stderr":
        assert "passed: all gates passed" in ended.other  # the summary table still printed


def test_a_failing_run_keeps_its_1(project: Path, tmp_path: Path) -> None:
    (tmp_path / "evalkit.yaml").write_text(
        PASSING.replace("output: {ok: true}}", "output: {ok: false}}"), encoding="utf-8"
    )
    ended = evalkit("--json", "run", "--no-report", cwd=tmp_path, closed="stdout")
    assert ended.code == 1, ended.other
    assert "Traceback" not in ended.other


@pytest.fixture(scope="module")
def runs(project: Path) -> Path:
    """A folder with one run's summary, for ``history``."""
    folder = project / "history"
    ran = evalkit("run", "--no-report", "--out", folder / "one", cwd=project, closed=None)
    assert ran.code == 0, ran.other
    return folder


#: commands that print on standard output, standard error, or both
COMMANDS = [
    ["validate"],
    ["--json", "validate"],
    ["-m", "missing.yaml", "validate"],
    ["--json", "-m", "missing.yaml", "validate"],
    ["plan"],
    ["--json", "plan"],
    ["history", "{runs}"],
    ["--json", "history", "{runs}"],
    ["schema", "--check", "--out", "missing.json"],
    ["run", "--concurrency", "0"],
    ["--help"],
]


@pytest.mark.parametrize("closed", ["stdout", "stderr"])
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_closed_stream_never_changes_the_exit_code(
    project: Path, runs: Path, args: list[str], closed: str
) -> None:
    filled = [arg.format(runs=runs) for arg in args]
    expected = evalkit(*filled, cwd=project, closed=None)
    ended = evalkit(*filled, cwd=project, closed=closed)
    assert ended.code == expected.code, (expected, ended)
    assert "Traceback" not in ended.other
    assert "BrokenPipe" not in ended.other


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_writes_to_a_closed_pipe_are_dropped_while_the_command_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    closed = _ClosedPipe()
    monkeypatch.setattr(sys, "stdout", closed)  # (here: pytest sets its own after fixtures)
    with streams.readers_may_leave():
        assert sys.stdout.write("dropped\n") == len("dropped\n")
        sys.stdout.flush()
        print("dropped too")
    assert sys.stdout is closed  # given back as it was


def test_other_errors_of_a_stream_are_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    class Full(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(sys, "stdout", Full())
    with streams.readers_may_leave(), pytest.raises(OSError, match="No space"):
        sys.stdout.write("x")
