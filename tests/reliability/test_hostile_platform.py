"""A remote platform that answers badly, met through the CLI (``evalkit run --no-sync
--allow-drift``, ``evalkit plan``): a clear message and exit 3 for an answer that stops the
command, an ``error`` verdict naming the problem for one that spoils an example, never a
traceback, nothing written outside ``.evalkit/``, and the platform is served on as before.

The platform is the local one on loopback behind ``tests/client/hostile.py``, which answers
chosen requests with login pages, broken or huge JSON, wrong shapes and hostile file names.
Answers that only a long timeout can end (headers then silence, a byte at a time) are the
client's tests' (``tests/client/test_hostile_answers.py``): the CLI waits 60 s for them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.client.hostile import (
    LOGIN_PAGE,
    Answer,
    Endless,
    Hostile,
    fixed,
    json_answer,
    rewritten,
    start_hostile,
)

from .processes import Finished, evalkit
from .projects import write_echo_project

pytestmark = pytest.mark.slow

OCTETS = "application/octet-stream"
AGENT = r"^/api/v1/agents/echo$"
EXECUTION = r"^/api/v1/agents/executions/[^/]+$"
DOWNLOAD = r"^/api/v1/agents/executions/[^/]+/files/output/"
DEEP = b"[" * 100_000 + b"]" * 100_000
ESCAPED = "escaped-by-a-hostile-name.txt"

#: (method, path regex, answer) rules for one scenario
Rules = list[tuple[str, str, Answer]]


@dataclass
class Project:
    root: Path
    manifest: Path
    hostile: Hostile

    def evalkit(self, *args: str) -> Finished:
        env = {"EIGENPAL_BASE_URL": self.hostile.base_url, "EIGENPAL_API_KEY": self.hostile.api_key}
        return evalkit("-m", str(self.manifest), *args, cwd=self.root, env=env, timeout=300)

    def run(self) -> Finished:
        return self.evalkit("run", "--no-sync", "--allow-drift")

    def scripted(self, rules: Rules) -> None:
        self.hostile.script.clear()
        for method, path, answer in rules:
            self.hostile.script.answer(method, path, answer)

    def latest_result(self) -> dict[str, Any]:
        runs = sorted((self.root / ".evalkit" / "runs").iterdir(), key=lambda p: p.stat().st_mtime)
        (line,) = (runs[-1] / "results.jsonl").read_text().splitlines()
        result: dict[str, Any] = json.loads(line)
        return result


def snapshot(folder: Path, skip: Path) -> dict[Path, int | None]:
    """Every file (with its mtime) and folder below ``folder`` but those in ``skip``."""
    return {
        path: None if path.is_dir() else path.lstat().st_mtime_ns
        for path in folder.rglob("*")
        if not path.is_relative_to(skip)
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("hostile") / "project"
    root.mkdir()
    manifest = write_echo_project(root, 1, delay_ms=0)
    with start_hostile() as hostile:
        made = Project(root, manifest, hostile)
        synced = made.evalkit("sync", "--yes")
        assert synced.code == 0, synced.printed
        yield made


@pytest.fixture
def untouched(project: Project) -> Iterator[None]:
    """Nothing outside ``.evalkit/`` is written, and no file escaped anywhere."""
    outside = project.root.parent
    before = snapshot(outside, project.root / ".evalkit")
    yield
    assert snapshot(outside, project.root / ".evalkit") == before
    assert not list(outside.rglob(ESCAPED))
    assert not Path("/tmp", ESCAPED).exists()
    project.hostile.script.clear()


def assert_clear(done: Finished) -> None:
    assert "Traceback" not in done.printed, done.printed
    assert "\x1b[" not in done.printed


# -- answers that stop the command: exit 3 before any example runs ------------------------------

STOPPING: dict[str, tuple[Rules, str]] = {
    "proxy-login-page": ([("*", r"^/api/", fixed(200, LOGIN_PAGE, "text/html"))], "not JSON"),
    "broken-json": ([("GET", AGENT, fixed(200, b'{"agent": {', x_request_id="req_x"))], "req_x"),
    "deeply-nested": ([("GET", AGENT, fixed(200, DEEP))], "nested too deeply"),
    "null-agent": ([("GET", AGENT, json_answer(200, {"agent": None}))], "the API's shape: agent"),
    "endless": ([("GET", AGENT, Endless())], "larger than 128 MiB"),
}


@pytest.mark.parametrize("scenario", STOPPING)
@pytest.mark.usefixtures("untouched")
def test_an_answer_that_stops_run_and_plan(project: Project, scenario: str) -> None:
    rules, said = STOPPING[scenario]
    project.scripted(rules)
    for command in (project.run, lambda: project.evalkit("plan")):
        done = command()
        assert_clear(done)
        assert done.code == 3, done.printed
        assert said in done.printed


# -- answers that spoil one example: an error verdict that says what was wrong -----------------


def output_names(names: list[str]) -> Callable[[Any], None]:
    """The execution's answer with these output file names."""

    def change(value: Any) -> None:
        execution = value.get("execution") or {}
        if "resultFiles" in execution:
            execution["resultFiles"] = [{"name": name} for name in names]

    return change


SPOILING: dict[str, tuple[Rules, str]] = {
    "null-run-answer": ([("POST", r"/run$", json_answer(200, None))], "the API's shape: <root>"),
    "null-execution": (
        [("GET", EXECUTION, json_answer(200, {"execution": None}))],
        "the API's shape: execution",
    ),
    "download-page": ([("GET", DOWNLOAD, fixed(200, LOGIN_PAGE, "text/html"))], "text/html"),
    "download-huge": (
        [("GET", DOWNLOAD, Endless(OCTETS, length=4 * 1024**3))],
        "larger than 1 GiB",
    ),
}


@pytest.mark.parametrize("scenario", SPOILING)
@pytest.mark.usefixtures("untouched")
def test_an_answer_that_spoils_an_example(project: Project, scenario: str) -> None:
    rules, said = SPOILING[scenario]
    project.scripted(rules)
    done = project.run()
    assert_clear(done)
    result = project.latest_result()
    assert result["verdict"] == "error", result
    assert said in result["error"]["message"], result["error"]


@pytest.mark.usefixtures("untouched")
def test_a_garbled_answer_on_every_example_exits_3(project: Project) -> None:
    project.scripted(SPOILING["null-execution"][0])
    done = project.run()
    assert done.code == 3, done.printed


HOSTILE_NAMES = {
    "parent": "../" * 8 + ESCAPED,
    "absolute": "/tmp/" + ESCAPED,
    "nul": "doc\x00.txt",
    "10-kB": "n" * 10_000,
    "backslash": "..\\..\\" + ESCAPED,
}


@pytest.mark.parametrize("name", HOSTILE_NAMES)
@pytest.mark.usefixtures("untouched")
def test_a_hostile_output_file_name_is_refused(project: Project, name: str) -> None:
    project.scripted(
        [
            ("GET", EXECUTION, rewritten(output_names([HOSTILE_NAMES[name]]))),
            ("GET", DOWNLOAD, fixed(200, b"planted", OCTETS)),
        ]
    )
    done = project.run()
    assert_clear(done)
    assert done.code == 1, done.printed
    result = project.latest_result()
    assert result["verdict"] == "error", result
    assert "output file refused" in result["error"]["message"]
    downloads = [path for _, path in project.hostile.script.hits if "/files/output/" in path]
    assert not downloads, "a hostile name was downloaded"


@pytest.mark.usefixtures("untouched")
def test_a_huge_count_of_output_files_is_refused_at_once(project: Project) -> None:
    names = [f"f{index:06d}" for index in range(100_000)]
    project.scripted([("GET", EXECUTION, rewritten(output_names(names)))])
    project.run()
    result = project.latest_result()
    assert result["verdict"] == "error", result
    assert "100000 output files" in result["error"]["message"], result["error"]


@pytest.mark.usefixtures("untouched")
def test_an_output_file_listed_twice_is_refused(project: Project) -> None:
    project.scripted([("GET", EXECUTION, rewritten(output_names(["doc.txt", "doc.txt"])))])
    project.run()
    result = project.latest_result()
    assert result["verdict"] == "error", result
    assert "doc.txt" in result["error"]["message"], result["error"]


def test_the_platform_keeps_serving(project: Project) -> None:
    project.hostile.script.clear()
    done = project.run()
    assert done.code == 0, done.printed
    assert project.latest_result()["verdict"] == "pass"
