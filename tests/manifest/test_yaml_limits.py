"""Hostile YAML read by ``read_yaml`` (evalkit/manifest/yaml_source.py): every limit of
``evalkit.manifest.limits`` ends in one problem at its line and column, never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.errors import ManifestProblem
from evalkit.manifest import yaml_source
from evalkit.manifest.limits import MAX_DEPTH, MAX_MANIFEST_BYTES, MAX_MANIFEST_VALUES
from evalkit.manifest.yaml_source import read_yaml


def read(tmp_path: Path, text: str | bytes) -> tuple[object, list[ManifestProblem]]:
    path = tmp_path / "m.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    source, problems = read_yaml(path, "m.yaml")
    return (source.data if source else None), problems


def where(problem: ManifestProblem) -> tuple[int, int]:
    return problem.mark.line, problem.mark.column


def bomb(levels: int, width: int) -> str:
    """``levels`` anchors, each a list of ``width`` aliases of the one before:
    width ** levels values once expanded."""
    lines = ["a0: &a0 [lol]"]
    for level in range(1, levels + 1):
        aliases = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_at_the_alias_that_crosses_the_limit(tmp_path: Path) -> None:
    # 10 ** 30 values: refused from the measures of the anchors, never expanded (it could not be)
    data, problems = read(tmp_path, bomb(30, 10))
    assert data is None
    [problem] = problems
    assert f"expands the file past {MAX_MANIFEST_VALUES:,} keys and values" in problem.message
    assert problem.message.startswith("alias *a")
    line = bomb(30, 10).splitlines()[problem.mark.line - 1]
    assert line[problem.mark.column - 1 :].startswith("*a")
    assert "each alias counts as a copy" in problem.hint


def test_aliases_within_the_limit_are_expanded_as_before(tmp_path: Path) -> None:
    data, problems = read(tmp_path, bomb(3, 10))  # 1,000 values
    assert problems == []
    assert isinstance(data, dict)
    assert len(data["a3"]) == 10
    assert data["a3"][9][9][9] == ["lol"]


def test_a_large_file_without_aliases_is_refused_past_the_value_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(yaml_source, "MAX_MANIFEST_VALUES", 1000)  # the same rule, sooner
    _, problems = read(tmp_path, "a: 1\nb:\n" + "  - x\n" * 1000)
    [problem] = problems
    assert problem.message == "the file holds more than 1,000 keys and values"
    # the root, 'a', 1, 'b' and its list are 5 values: item 996 (line 2 + 996) is the 1,001st
    assert where(problem) == (2 + 996, 5)
    assert "include" in problem.hint


@pytest.mark.parametrize("depth", [MAX_DEPTH, MAX_DEPTH + 1, 20_000])
def test_nesting_is_read_up_to_the_limit_and_refused_past_it(tmp_path: Path, depth: int) -> None:
    data, problems = read(tmp_path, "x: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n")
    if depth <= MAX_DEPTH:
        assert problems == []
        assert isinstance(data, dict)
        return
    [problem] = problems
    assert problem.message == f"lists and mappings nested more than {MAX_DEPTH} deep"
    # the root mapping is level 1: the 64th '[' is level 65
    assert where(problem) == (1, 4 + MAX_DEPTH - 1)


def test_an_alias_that_makes_the_nesting_too_deep_is_refused_at_the_alias(tmp_path: Path) -> None:
    half = MAX_DEPTH // 2
    text = f"a: &deep {'[' * half}1{']' * half}\nb: {'[' * half}*deep{']' * half}\n"
    _, problems = read(tmp_path, text)
    [problem] = problems
    assert problem.message == f"alias *deep nests lists and mappings more than {MAX_DEPTH} deep"
    assert where(problem) == (2, 4 + half)


def test_a_number_too_long_to_convert_is_a_problem_at_the_number(tmp_path: Path) -> None:
    _, problems = read(tmp_path, "a: 1\nb: " + "9" * 5000 + "\n")
    [problem] = problems
    assert problem.message == "a number of 5,000 digits (at most 4,300 are read)"
    assert where(problem) == (2, 4)
    assert "quote it" in problem.hint


def test_a_hexadecimal_number_is_read_while_it_can_be_written_in_decimal(tmp_path: Path) -> None:
    data, problems = read(tmp_path, "a: 0x" + "f" * 3000 + "\nb: 0x" + "f" * 6000 + "\n")
    assert isinstance(data, dict)
    assert data["a"] == 16**3000 - 1  # 3,613 decimal digits
    [problem] = problems
    assert problem.message == "a number of 7,225 digits (at most 4,300 are read)"
    assert where(problem) == (2, 4)


@pytest.mark.parametrize(
    ("text", "position", "code"),
    [
        ("a: 1\nb: x\x00y\n", (2, 5), "U+0000"),
        ("a: 1\n  \x07\n", (2, 3), "U+0007"),
        ("a: \ufffe\n", (1, 4), "U+FFFE"),
    ],
)
def test_a_character_yaml_forbids_is_reported_at_its_line_and_column(
    tmp_path: Path, text: str, position: tuple[int, int], code: str
) -> None:
    _, problems = read(tmp_path, text)
    [problem] = problems
    assert problem.message == f"the character {code} is not allowed in YAML"
    assert where(problem) == position


def test_a_surrogate_escape_is_a_problem_yaml_has_no_surrogate_pairs(tmp_path: Path) -> None:
    data, problems = read(tmp_path, 'a: "\\U0001F600"\nb: "x\\udc00"\nc: "\\ud83d\\ude00"\n')
    assert [(p.message, where(p)) for p in problems] == [
        ("\\udc00 is a UTF-16 surrogate, not a character", (2, 4)),
        ("\\ud83d is a UTF-16 surrogate, not a character", (3, 4)),
    ]
    assert "\\U0001f600" in problems[0].hint
    assert isinstance(data, dict)
    assert data["a"] == "\U0001f600"


def test_a_surrogate_in_a_key_is_a_problem(tmp_path: Path) -> None:
    _, problems = read(tmp_path, '"k\\ud800": 1\n')
    assert [p.message for p in problems] == ["\\ud800 is a UTF-16 surrogate, not a character"]


def test_a_file_over_the_size_limit_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    with path.open("wb") as out:
        out.truncate(MAX_MANIFEST_BYTES + 1)  # sparse: nothing is written
    source, problems = read_yaml(path, "m.yaml")
    assert source is None
    [problem] = problems
    assert problem.message == "the file is 10.0 MB; a manifest file may hold at most 10 MB"
    assert problem.mark.file == "m.yaml"


def test_a_folder_given_as_a_manifest_file_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").mkdir()
    source, problems = read_yaml(tmp_path / "m.yaml", "m.yaml")
    assert source is None
    assert problems[0].message.startswith("cannot read the file: ")


def test_an_alias_value_is_marked_where_the_alias_is_written(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("base: &b {x: 1}\nuse: *b\n")
    source, problems = read_yaml(path, "m.yaml")
    assert problems == []
    assert source is not None
    assert (source.mark(("use",)).line, source.mark(("use",)).column) == (2, 6)
    assert (source.mark(("use", "x")).line, source.mark(("use", "x")).column) == (1, 14)


TEXTS = [
    "version: 1\nagents:\n  - slug: a\n    config: {x: [1, 2.5, true, null, 'é😀']}\n",
    "a: &x {k: [1, 2]}\nb: *x\nc: {<<: *x, d: 1}\n",
    "k: |\n  literal é\n  two\nz: >-\n  folded\n  text\n",
    "a: b\r\nc: d\r\n",
    "\ufeffa: 1\n",
    "a: b\u2028c: d\n",
    "? complex\n: v\n",
    "a: !!str 1\n",
    "a: &r [1, *r]\n",
    "a: 1\na: 2\n",
]


@pytest.mark.skipif(yaml_source._FAST_LOADER is None, reason="PyYAML without libyaml")
@pytest.mark.parametrize("text", TEXTS)
def test_libyaml_events_give_the_same_data_marks_and_problems_as_pyyaml(
    tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8", newline="")
    fast, fast_problems = read_yaml(path, "m.yaml")
    monkeypatch.setattr(yaml_source, "_FAST_LOADER", None)
    slow, slow_problems = read_yaml(path, "m.yaml")
    assert fast is not None
    assert slow is not None
    assert fast.data == slow.data
    assert fast.marks == slow.marks
    assert fast_problems == slow_problems


@pytest.mark.parametrize(
    "text",
    ["a: [1\n", "a: 1\n---\nb: 2\n", "a:\n\t- b\n", "a: *nope\n", "a: &x 1\nb: &x 2\n"],
)
def test_malformed_yaml_is_worded_by_pyyaml_whichever_parser_ran(
    tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, fast = read(tmp_path, text)
    monkeypatch.setattr(yaml_source, "_FAST_LOADER", None)
    _, slow = read(tmp_path, text)
    assert fast == slow
    [problem] = fast
    assert problem.mark.line >= 1
