from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.errors import SourceMark
from evalkit.manifest.yaml_source import loc_text, read_yaml


def parse(tmp_path: Path, text: str) -> tuple[object, list[str]]:
    path = tmp_path / "m.yaml"
    path.write_text(text)
    source, problems = read_yaml(path, "m.yaml")
    return (source.data if source else None), [str(p) for p in problems]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("on", "on"),
        ("yes", "yes"),
        ("NO", "NO"),
        ("off", "off"),
        ("true", True),
        ("False", False),
        ("null", None),
        ("~", None),
        ("", None),
        ("2026-01-31", "2026-01-31"),
        ("12", 12),
        ("012", 12),
        ("0x1F", 31),
        ("0o17", 15),
        ("1.50", 1.5),
        ("-2e3", -2000.0),
        ("1_000", "1_000"),
        ("'12'", "12"),
        ("3:45", "3:45"),
    ],
)
def test_scalars_follow_the_yaml_1_2_core_schema(tmp_path: Path, text: str, value: object) -> None:
    data, problems = parse(tmp_path, f"key: {text}\n")
    assert problems == []
    assert data == {"key": value}
    assert type(data["key"]) is type(value)


def test_keys_are_strings_even_when_they_look_like_other_types(tmp_path: Path) -> None:
    data, problems = parse(tmp_path, "on: 1\n2: b\ntrue: c\n")
    assert problems == []
    assert data == {"on": 1, "2": "b", "true": "c"}


def test_marks_point_at_keys_and_values(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("version: 1\nagents:\n  - slug: a\n    config: {x: [1, 2]}\n")
    source, problems = read_yaml(path, "m.yaml")
    assert source is not None
    assert problems == []
    assert source.mark(("agents", 0, "slug"), key=True) == SourceMark("m.yaml", 3, 5)
    assert source.mark(("agents", 0, "slug")) == SourceMark("m.yaml", 3, 11)
    assert source.mark(("agents", 0, "config", "x", 1)) == SourceMark("m.yaml", 4, 21)
    # a place that does not exist falls back to its nearest parent
    assert source.mark(("agents", 0, "missing")) == SourceMark("m.yaml", 3, 5)


def test_duplicate_keys_are_reported_at_the_second_with_the_first_line(tmp_path: Path) -> None:
    data, problems = parse(tmp_path, "a: 1\nb:\n  c: 1\n  c: 2\n")
    assert problems == [
        "m.yaml:4:3: duplicate key 'c' (first defined at line 3) "
        "(each key may appear once per mapping; remove or rename one)"
    ]
    assert data == {"a": 1, "b": {"c": 1}}


def test_anchors_and_merge_keys_fill_in_only_missing_keys(tmp_path: Path) -> None:
    text = "base: &base {a: 1, b: 2}\nitem:\n  <<: *base\n  b: 3\n"
    data, problems = parse(tmp_path, text)
    assert problems == []
    assert data == {"base": {"a": 1, "b": 2}, "item": {"a": 1, "b": 3}}


def test_recursive_alias_is_a_problem_not_a_hang(tmp_path: Path) -> None:
    _, problems = parse(tmp_path, "a: &x [1, *x]\n")
    assert len(problems) == 1
    assert "refers to itself" in problems[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: !!python/object:os.system {}\n", "unsupported YAML tag"),
        ("a: .nan\n", "is not a JSON number"),
        ("? [1, 2]\n: x\n", "a mapping key must be a plain string"),
        ("a: [1\n", "malformed YAML"),
        ("a: 1\n---\nb: 2\n", "malformed YAML"),
    ],
)
def test_unusable_yaml_is_reported(tmp_path: Path, text: str, expected: str) -> None:
    _, problems = parse(tmp_path, text)
    assert len(problems) == 1
    assert expected in problems[0]


def test_text_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_bytes(b"a: 1\nb: \xff\xfe\n")
    source, problems = read_yaml(path, "m.yaml")
    assert source is None
    problem = problems[0]
    assert "not UTF-8 text: byte 0xff" in problem.message
    assert (problem.mark.line, problem.mark.column) == (2, 4)
    assert "save the file as UTF-8" in problem.hint


@pytest.mark.parametrize(
    ("loc", "text"),
    [
        ((), ""),
        (("agents", 0, "slug"), "agents[0].slug"),
        (("defaults", "compare", "rules", "/total"), 'defaults.compare.rules["/total"]'),
        (("files", "a.csv"), 'files["a.csv"]'),
    ],
)
def test_loc_text(loc: tuple[str | int, ...], text: str) -> None:
    assert loc_text(loc) == text
