"""Where a JSON pointer is written in a JSON text, and where a failing example points
(evalkit/report/locations.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from evalkit.report import RunResults
from evalkit.report.locations import (
    Location,
    difference_position,
    example_location,
    pointer_position,
)
from tests.report.sample_runs import ROOT

DOCUMENT = """{
  "a": {"total": 1, "x": [1, {"total": 3}]},
  "k\\u00e9y": [10, 20,
     {"q/r": {"m~n": true, "say \\"hi\\"": 0}}],
  "note": "\\"total\\": 9",
  "empty": {}, "none": [],
  "total": 2
}"""


@pytest.mark.parametrize(
    ("pointer", "position"),
    [
        ("", (1, 1)),
        ("/total", (7, 3)),  # the top-level key, not the nested one nor the one in a string
        ("/a", (2, 3)),
        ("/a/total", (2, 9)),
        ("/a/x/0", (2, 27)),
        ("/a/x/1", (2, 30)),
        ("/a/x/1/total", (2, 31)),
        ("/kéy", (3, 3)),  # the key is written with a JSON escape
        ("/kéy/1", (3, 20)),
        ("/kéy/2/q~1r/m~0n", (4, 15)),  # ~1 is "/", ~0 is "~"
        ('/kéy/2/q~1r/say "hi"', (4, 28)),
        ("/empty", (6, 3)),
    ],
)
def test_pointer_positions(pointer: str, position: tuple[int, int]) -> None:
    assert pointer_position(DOCUMENT, pointer) == position


@pytest.mark.parametrize(
    "pointer",
    [
        "/nope",
        "/a/missing",
        "/kéy/3",  # past the end
        "/kéy/-",  # RFC 6901's "after the last element"
        "/kéy/01",  # not an index
        "/kéy/x",
        "/total/deeper",  # inside a number
        "/empty/x",
        "/none/0",
        "/note/total",  # a key-looking string is a string
        "a",  # not a pointer
        "/bad~2",
    ],
)
def test_pointers_that_are_not_in_the_text(pointer: str) -> None:
    assert pointer_position(DOCUMENT, pointer) is None


def test_malformed_or_empty_text_gives_no_position() -> None:
    assert pointer_position("", "") is None
    assert pointer_position("{", "/a") is None
    assert pointer_position('{"a" 1}', "/a") is None
    assert pointer_position('{"a": 1,}', "/b") is None


def test_a_key_written_twice_points_at_the_value_json_keeps() -> None:
    assert pointer_position('{"a": 1,\n "a": 2}', "/a") == (2, 2)


def test_agrees_with_json_on_every_path_of_a_real_document() -> None:
    path = ROOT / "examples/invoices/agents/invoice-extractor/examples/thames-uk-pipe-table"
    text = (path / "expected.json").read_text()
    document = json.loads(text)

    def pointers(value: Any, prefix: str) -> list[str]:
        found = [prefix]
        if isinstance(value, dict):
            for key, child in value.items():
                escaped = key.replace("~", "~0").replace("/", "~1")
                found += pointers(child, f"{prefix}/{escaped}")
        elif isinstance(value, list):
            for index, child in enumerate(value):
                found += pointers(child, f"{prefix}/{index}")
        return found

    for pointer in pointers(document, ""):
        position = pointer_position(text, pointer)
        assert position is not None, pointer
        line, column = position
        written = text.splitlines()[line - 1][column - 1 :]
        key = pointer.rsplit("/", 1)[-1]
        if pointer and not key.isdigit():
            assert written.startswith(json.dumps(key)), pointer


def test_the_first_difference_in_the_expected_document_wins() -> None:
    differences = [
        {"pointer": "/extra", "kind": "unexpected", "actual": 1},  # only in the actual output
        {"pointer": "/a/total", "kind": "changed", "expected": 1, "actual": 2},
    ]
    assert difference_position(DOCUMENT, differences) == (2, 9)
    # unexpected alone: placed at the object that should not have it
    assert difference_position(DOCUMENT, differences[:1]) == (1, 1)
    unexpected = [{"pointer": "/a/x/1/surprise", "kind": "unexpected"}]
    assert difference_position(DOCUMENT, unexpected) == (2, 30)
    assert difference_position(DOCUMENT, [{"kind": "changed"}, "junk"]) is None


def test_a_failing_example_points_at_its_first_difference(
    failing_run: RunResults, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    thames = next(r for r in failing_run.results if r.example == "thames-uk-pipe-table")
    assert thames.mark is not None
    assert thames.mark.endswith("expected.json:1:1")
    location = example_location(thames)
    assert location is not None
    assert location.file == thames.mark.rsplit(":", 2)[0]
    line = Path(location.file).read_text().splitlines()[location.line - 1]
    assert line[location.column - 1 :].startswith('"currency": "GBP"')
    # a passing example, or an error, stays at its mark
    passing = next(r for r in failing_run.results if r.verdict.value == "pass")
    assert example_location(passing) == Location(
        location.file.replace("thames-uk-pipe-table", passing.example), 1, 1
    )


def test_an_unreadable_expected_file_leaves_the_mark(
    failing_run: RunResults, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the report is rendered away from the project
    thames = next(r for r in failing_run.results if r.example == "thames-uk-pipe-table")
    location = example_location(thames)
    assert location is not None
    assert (location.line, location.column) == (1, 1)
    assert example_location(thames.model_copy(update={"mark": None})) is None
    assert example_location(thames.model_copy(update={"mark": "evalkit.yaml:12:5"})) == Location(
        "evalkit.yaml", 12, 5
    )


def test_a_mark_naming_a_file_outside_the_current_folder_is_never_read(
    failing_run: RunResults, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16: a mark is data from a results file; it moved to a line of any JSON file."""
    outside = tmp_path / "outside" / "expected.json"
    outside.parent.mkdir()
    outside.write_text('{\n\n  "currency": "GBP"\n}\n')
    (tmp_path / "project").mkdir()
    monkeypatch.chdir(tmp_path / "project")
    thames = next(r for r in failing_run.results if r.example == "thames-uk-pipe-table")
    for mark in (f"{outside}:1:1", "../outside/expected.json:1:1"):
        located = example_location(thames.model_copy(update={"mark": mark}))
        assert located is not None
        assert (located.line, located.column) == (1, 1), mark
    inside = tmp_path / "project" / "expected.json"
    inside.write_text(outside.read_text())
    located = example_location(thames.model_copy(update={"mark": "expected.json:1:1"}))
    assert located is not None
    assert located.line == 3  # the same file inside is read
    os.mkfifo(tmp_path / "project" / "pipe.json")  # would block a read forever
    assert example_location(thames.model_copy(update={"mark": "pipe.json:1:1"})) == Location(
        "pipe.json", 1, 1
    )


def test_a_mark_naming_a_link_that_leads_out_of_the_current_folder_is_never_read(
    failing_run: RunResults, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside" / "expected.json"
    outside.parent.mkdir()
    outside.write_text('{\n\n  "currency": "GBP"\n}\n')
    project = tmp_path / "project"
    project.mkdir()
    (project / "expected.json").symlink_to(outside)
    (project / "cases").symlink_to(outside.parent)
    (project / "real.json").write_text(outside.read_text())
    (project / "alias.json").symlink_to(project / "real.json")  # stays inside: read
    monkeypatch.chdir(project)
    thames = next(r for r in failing_run.results if r.example == "thames-uk-pipe-table")
    for mark in ("expected.json:1:1", "cases/expected.json:1:1"):
        located = example_location(thames.model_copy(update={"mark": mark}))
        assert located is not None
        assert (located.line, located.column) == (1, 1), mark
    located = example_location(thames.model_copy(update={"mark": "alias.json:1:1"}))
    assert located is not None
    assert located.line == 3
