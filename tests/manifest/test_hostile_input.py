"""Hostile files through ``evalkit validate`` (the CLI group, as a user runs it): whatever the
manifest, an included file or an example's JSON holds, the command exits 0, or 2 with every
problem at a file and line. Never a traceback, never minutes of work."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.cli.main import cli
from evalkit.manifest.limits import MAX_DEPTH, MAX_INT_DIGITS, MAX_JSON_BYTES
from tests.manifest.project_files import write_files

EXAMPLE = "examples/case"


def validate(manifest: Path) -> Result:
    return CliRunner().invoke(cli, ["-m", str(manifest), "--json", "validate"])


def problems_of(result: Result) -> list[dict[str, object]]:
    """The problems of a run that must have ended cleanly: exit 0, or 2 with located problems."""
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}"
    )
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2), result.output[:2000]
    data = json.loads(result.stdout)
    assert data["valid"] is (result.exit_code == 0)
    problems: list[dict[str, object]] = data.get("problems", [])
    assert problems or result.exit_code == 0
    return problems


def assert_located(problems: list[dict[str, object]], root: Path) -> None:
    for problem in problems:
        assert problem["message"]
        assert isinstance(problem["line"], int)
        assert problem["line"] >= 1, problem
        assert (root / str(problem["file"])).exists() or Path(str(problem["file"])).exists()


def project(root: Path, manifest: str | bytes, expected: str | bytes = "{}") -> Path:
    write_files(
        root,
        {
            "evalkit.yaml": manifest,
            f"{EXAMPLE}/input.json": '{"doc": "a"}',
            f"{EXAMPLE}/expected.json": expected,
            "workspace/input-schema.json": expected,
        },
    )
    return root / "evalkit.yaml"


MANIFEST = """version: 1
agents:
  - slug: fuzz
    workspace: workspace
    config: {CONFIG}
    examples: examples
"""

# --- generated nasty text -----------------------------------------------------------------


def nested(opening: str, closing: str, depth: int, inner: str = "1") -> str:
    return opening * depth + inner + closing * depth


def bomb(levels: int, width: int) -> str:
    aliases = [f"&a0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        aliases.append(f"&a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    return "[" + ", ".join(aliases) + "]"


depths = st.sampled_from([MAX_DEPTH - 5, MAX_DEPTH, MAX_DEPTH + 1, 1_000, 20_000])
digits = st.sampled_from([MAX_INT_DIGITS, MAX_INT_DIGITS + 1, 10_000])
yaml_values = st.one_of(
    depths.map(lambda d: nested("[", "]", d)),
    depths.map(lambda d: nested("{a: ", "}", d)),
    digits.map(lambda n: "9" * n),
    digits.map(lambda n: "-" + "1" * n + ".5"),
    st.tuples(st.integers(1, 12), st.integers(1, 12)).map(lambda lw: bomb(*lw)),
    st.sampled_from(
        [
            "{x: 1, x: 2}",
            "&r [*r]",
            "*undefined",
            "{<<: *nope}",
            "{<<: [1, 2]}",
            '"\\ud800"',
            '"\\ud83d\\ude00"',
            ".nan",
            "-.inf",
            "1e999",
            "0x" + "f" * 6000,
            "!!python/object:os.system {}",
            "{evalkit: {lastApplied: {}}}",
            "[1,",
            "'unterminated",
            "{? [a]: b}",
        ]
    ),
    st.text(max_size=20),
)
noise = st.sampled_from(["\x00", "\x07", "\x1b", "\t", "\r", "\u2028", "\ufeff", "\ufffe", "é"])
bad_bytes = st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xe2\x82"])


@st.composite
def nasty_manifests(draw: st.DrawFn) -> bytes:
    text = MANIFEST.replace("{CONFIG}", "{v: " + draw(yaml_values) + "}")
    for _ in range(draw(st.integers(0, 2))):  # a stray character anywhere
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(noise) + text[at:]
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    if draw(st.integers(0, 4)) == 0:  # now and then, bytes that are not UTF-8
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(bad_bytes) + data[at:]
    return data


json_values = st.one_of(
    depths.map(lambda d: nested("[", "]", d)),
    depths.map(lambda d: nested('{"a": ', "}", d)),
    depths.map(lambda d: nested('{"not": ', "}", d, "{}")),  # schemas recurse as deep as they nest
    depths.map(lambda d: nested('{"items": [', "]}", d // 2, "{}")),
    digits.map(lambda n: "9" * n),
    st.sampled_from(
        [
            '{"a": 1, "a": 2}',
            "NaN",
            "-Infinity",
            "1e999",
            '"\\ud800"',
            '"\\ud83d\\ude00"',
            '"\\\\ud800"',
            '{"type": "string"}',
            '{"type": 12}',
            "[1,",
            '{"a" 1}',
            "\ufeff{}",
            "",
        ]
    ),
)


@st.composite
def nasty_json(draw: st.DrawFn) -> bytes:
    text: str = draw(json_values)
    if draw(st.booleans()):
        text = '{"answer": ' + text + "}"
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(noise) + text[at:]
    data = text.encode("utf-8")
    if draw(st.integers(0, 4)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(bad_bytes) + data[at:]
    return data


FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(nasty_manifests())
def test_no_manifest_text_makes_validate_crash(manifest: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        assert_located(problems_of(validate(project(root, manifest))), root)


@FUZZ
@given(nasty_json())
def test_no_example_or_schema_json_makes_validate_crash(expected: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        manifest = MANIFEST.replace("{CONFIG}", "{}")
        assert_located(problems_of(validate(project(root, manifest, expected))), root)


@FUZZ
@given(nasty_manifests())
def test_no_included_file_makes_validate_crash(included: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        manifest = project(root, "version: 1\ninclude: [more.yaml]\n")
        (root / "more.yaml").write_bytes(included)
        assert_located(problems_of(validate(manifest)), root)


# --- hand-written cases (the issue's), end to end -------------------------------------------


def test_an_alias_bomb_exits_2_at_the_alias(tmp_path: Path) -> None:
    manifest = project(tmp_path, MANIFEST.replace("{CONFIG}", "{v: " + bomb(10, 10) + "}"))
    [problem] = problems_of(validate(manifest))
    assert problem["file"] == "evalkit.yaml" or str(problem["file"]).endswith("/evalkit.yaml")
    assert problem["line"] == 5
    assert "expands the file past" in str(problem["message"])


@pytest.mark.parametrize("deep_file", [f"{EXAMPLE}/expected.json", "workspace/input-schema.json"])
def test_json_nested_100_000_deep_exits_2_at_its_place(tmp_path: Path, deep_file: str) -> None:
    manifest = project(tmp_path, MANIFEST.replace("{CONFIG}", "{}"))
    (tmp_path / deep_file).write_text(nested("[", "]", 100_000))
    [problem] = problems_of(validate(manifest))
    assert str(problem["file"]).endswith(deep_file)
    assert (problem["line"], problem["column"]) == (1, MAX_DEPTH + 1)
    assert problem["message"] == f"lists and objects nested more than {MAX_DEPTH} deep"


def test_a_json_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    manifest = project(tmp_path, MANIFEST.replace("{CONFIG}", "{}"))
    with (tmp_path / EXAMPLE / "expected.json").open("wb") as out:
        out.truncate(MAX_JSON_BYTES + 1)  # sparse, and not JSON: it must not be read at all
    [problem] = problems_of(validate(manifest))
    assert str(problem["file"]).endswith("expected.json")
    assert (
        problem["message"]
        == "the file is 50.0 MB; a JSON file evalkit reads may hold at most 50 MB"
    )


@pytest.mark.parametrize("folder", ["expected", "input"])
def test_an_example_folder_linked_outside_the_project_is_refused_once_unwalked(
    tmp_path: Path, folder: str
) -> None:
    outside = tmp_path / "outside"
    for index in range(5):
        write_files(outside, {f"deep/er/secret-{index}.json": {}, f"secret-{index}.txt": "x"})
    root = tmp_path / "project"
    manifest = project(root, MANIFEST.replace("{CONFIG}", "{}"))
    (root / EXAMPLE / f"{folder}.json").unlink()
    os.symlink(outside, root / EXAMPLE / folder)
    result = validate(manifest)
    problems = problems_of(result)
    assert [(p["file"], p["message"]) for p in problems] == [
        (f"{EXAMPLE}/{folder}", f"{folder} folder {folder!r} links outside the project")
    ] or [Path(str(p["file"])).name for p in problems] == [folder]
    assert "secret" not in result.output


def test_a_folder_linked_inside_expected_is_refused_and_linked_files_still_count(
    tmp_path: Path,
) -> None:
    manifest = project(tmp_path, MANIFEST.replace("{CONFIG}", "{}"))
    write_files(tmp_path, {"shared/out.csv": "a\n1\n", "shared/more/x.txt": "x"})
    expected = tmp_path / EXAMPLE / "expected"
    expected.mkdir()
    os.symlink(tmp_path / "shared", expected / "linked-folder")
    os.symlink(tmp_path / "shared" / "out.csv", expected / "out.csv")
    [problem] = problems_of(validate(manifest))
    assert problem["message"] == "expected/linked-folder is a link to a folder"
    assert str(problem["file"]).endswith(f"{EXAMPLE}/expected/linked-folder")


def test_a_nul_byte_is_reported_at_its_line_and_column(tmp_path: Path) -> None:
    manifest = project(tmp_path, MANIFEST.replace("{CONFIG}", "{v: a\x00b}"))
    [problem] = problems_of(validate(manifest))
    assert (problem["line"], problem["column"]) == (5, 18)
    assert problem["message"] == "the character U+0000 is not allowed in YAML"


def test_the_reserved_config_key_is_refused_by_validate_at_its_line(tmp_path: Path) -> None:
    manifest = project(tmp_path, MANIFEST.replace("{CONFIG}", "{evalkit: {x: 1}}"))
    [problem] = problems_of(validate(manifest))
    assert (problem["line"], problem["column"]) == (5, 14)
    assert "reserved for evalkit's last-applied record" in str(problem["message"])
