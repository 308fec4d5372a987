"""Real processes for the reliability suite: ``evalkit serve`` on loopback, ``evalkit`` commands.

Everything here runs the command a user runs (``python -m evalkit ...``) in its own process, so
that what is measured includes start-up, signal handling and the process boundary.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parents[2]
INVOICES = ROOT / "examples" / "invoices"
#: soak mode multiplies sizes and durations (``EVALKIT_SOAK=5 pytest tests/reliability``)
SOAK = max(1, int(os.environ.get("EVALKIT_SOAK", "1") or "1"))


@dataclass(frozen=True)
class Finished:
    code: int
    stdout: str
    stderr: str

    @property
    def printed(self) -> str:
        return self.stdout + self.stderr


def clean_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The test process's environment without any platform settings, plus ``extra``."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("EIGENPAL_", "EVALKIT_SERVE_", "GITHUB_"))
    }
    environment.update({"PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", "COLUMNS": "200"})
    environment.update(extra or {})
    return environment


def evalkit(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 300
) -> Finished:
    """Run one ``evalkit`` command to its end."""
    done = subprocess.run(
        [sys.executable, "-m", "evalkit", *args],
        cwd=cwd,
        env=clean_environment(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Finished(done.returncode, done.stdout, done.stderr)


@dataclass
class Served:
    """A running ``evalkit serve`` process; ``log`` collects what it says on standard error."""

    process: subprocess.Popen[str]
    base_url: str
    api_key: str
    data_dir: Path
    log: list[str] = field(default_factory=list)

    def wait_for_log(self, text: str, timeout: float = 60) -> list[str]:
        """The lines said so far, once one of them holds ``text``."""
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.log):
            assert time.monotonic() < deadline, f"serve never said {text!r}: {self.log}"
            time.sleep(0.02)
        return list(self.log)

    def env(self) -> dict[str, str]:
        return {"EIGENPAL_BASE_URL": self.base_url, "EIGENPAL_API_KEY": self.api_key}


@contextmanager
def serve(
    data_dir: Path, api_key: str, *flags: str, port: int = 0, ready_timeout: float = 60
) -> Iterator[Served]:
    """``evalkit serve`` in the background until the block ends (SIGINT, then SIGKILL)."""
    command = [sys.executable, "-m", "evalkit", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--data", str(data_dir), *flags],
        env=clean_environment({"EVALKIT_SERVE_API_KEY": api_key}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+", first)
        assert found, f"serve printed {first!r}"
        served = Served(process, found.group(0), api_key, data_dir)
        # Both pipes are read to the end: a server whose log fills a pipe nobody reads stops
        # answering (a long run under faults logs every fault it injects).
        for stream, keep in ((process.stdout, None), (process.stderr, served.log)):
            threading.Thread(target=_drain, args=(stream, keep), daemon=True).start()
        wait_until_healthy(served, ready_timeout)
        yield served
    finally:
        stop(process)


def _drain(stream: IO[str] | None, keep: list[str] | None) -> None:
    if stream is None:
        return
    try:
        for line in stream:
            if keep is not None:
                keep.append(line)
    except ValueError:  # closed by stop()
        return


def wait_until_healthy(served: Served, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        assert served.process.poll() is None, "evalkit serve exited early"
        try:
            if httpx.get(f"{served.base_url}/_emulator/health", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "evalkit serve did not become healthy"
        time.sleep(0.05)


def stop(process: subprocess.Popen[str], grace: float = 30) -> None:
    if process.poll() is None:
        process.send_signal(2)  # SIGINT, as Ctrl-C
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def copy_invoices(destination: Path) -> Path:
    """A copy of the example project; returns its manifest."""
    shutil.copytree(INVOICES, destination, ignore=shutil.ignore_patterns(".evalkit"))
    return destination / "evalkit.yaml"


def files_below(folder: Path, *, skip: Sequence[Path] = ()) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not any(path.is_relative_to(other) for other in skip):
            yield path
