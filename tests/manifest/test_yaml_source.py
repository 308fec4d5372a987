from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.errors import ManifestProblem, SourceMark
from evalkit.manifest import yaml_source
from evalkit.manifest.yaml_source import YamlSource, loc_text, read_yaml


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


# The event reader (libyaml events straight to data) and the composer path must agree on
# everything: data and its types, every mark in reading order, every problem.

PLAIN = [
    "version: 1\nagents:\n  - slug: a\n    config: {x: [1, 2.5, true, null, 'é😀']}\n",
    "k: |\n  literal é\n  two\nz: >-\n  folded\n  text\n",
    "a: b\r\nc: d\r\n",
    "\ufeffa: 1\n",
    "---\na: 1\n...\n",
    "# only a comment\n",
    "[1, [2, [3, {a: [4]}]]]\n",
    "? complex\n: v\n",
    "1: one\n1.5: x\ntrue: y\n'null': z\n",
    'q: "tab\\there \\u00e9"\ne: ""\nn: ~\nf: -.5e3\nh: 0x1F\no: 0o17\n',
    "a:\n  b:\n    c:\n      d:\n        e:\n          f: [deep, {g: 1}]\n",
    "- - - x\n  - y\n- {}\n- []\n",
]


def read_both(
    tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch, compose: object = None
) -> tuple[tuple[YamlSource | None, list[ManifestProblem]], ...]:
    """``text`` read as evalkit reads it (``_compose`` replaced when given), and by PyYAML."""
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8", newline="")
    with monkeypatch.context() as patched:
        if compose is not None:
            patched.setattr(yaml_source, "_compose", compose)
        fast = read_yaml(path, "m.yaml")
    with monkeypatch.context() as patched:
        patched.setattr(yaml_source, "_FAST_LOADER", None)  # PyYAML alone: the reference
        slow = read_yaml(path, "m.yaml")
    return fast, slow


def assert_same(fast: YamlSource | None, slow: YamlSource | None) -> None:
    assert (fast is None) == (slow is None)
    if fast is None or slow is None:
        return
    assert repr(fast.data) == repr(slow.data)  # types too: 1 is not 1.0 nor True
    assert list(fast.marks.items()) == list(slow.marks.items())


@pytest.mark.skipif(yaml_source._FAST_LOADER is None, reason="PyYAML without libyaml")
@pytest.mark.parametrize("text", PLAIN)
def test_plain_yaml_is_read_from_events_without_composing_nodes(
    tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_composing(text: str) -> None:
        raise AssertionError("composed nodes for plain YAML")

    (fast, fast_problems), (slow, slow_problems) = read_both(
        tmp_path, text, monkeypatch, no_composing
    )
    assert fast_problems == slow_problems == []
    assert_same(fast, slow)


UNUSUAL = [
    "a: &x {k: [1, 2]}\nb: *x\nc: {<<: *x, d: 1}\n",
    "a: &x 1\n",
    "a: !!str 1\n",
    "a: ! 1\n",
    "a: &r [1, *r]\n",
    "a: 1\nb: {c: 1, c: 2}\n",
    "? [1]\n: v\n",
    "~: v\n",
    "a: .nan\nb: -.inf\n",
    "a: " + "9" * 5000 + "\n",
    'a: "\\ud800"\n',
    "a: <<\n",
    "a: 1\n---\nb: 2\n",
    "a: [1\n",
    "a: " + "[" * 70 + "]" * 70 + "\n",
]


@pytest.mark.skipif(yaml_source._FAST_LOADER is None, reason="PyYAML without libyaml")
@pytest.mark.parametrize("text", UNUSUAL)
def test_what_the_event_reader_leaves_is_read_and_worded_by_the_composer_path(
    tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    composed: list[str] = []
    compose = yaml_source._compose

    def counting(text: str) -> object:
        composed.append(text)
        return compose(text)

    (fast, fast_problems), (slow, slow_problems) = read_both(tmp_path, text, monkeypatch, counting)
    assert composed  # the event reader left it to the composer path
    assert fast_problems == slow_problems
    assert_same(fast, slow)


def big_manifest(examples: int) -> str:
    lines = ["version: 1", "agents:", "  - slug: big", "    examples:"]
    for index in range(examples):
        lines += [
            f"      - name: ex{index}",
            "        input:",
            f"          invoice: INV-{index}",
            "          lines:",
            "            - {sku: a, price: 1.5}",
            f"            - {{sku: b, price: {index}}}",
            "        expected: {total: 1}",
        ]
    return "\n".join(lines) + "\n"


def test_deep_marks_of_a_large_file_are_exact_down_to_its_last_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = 3000
    text = big_manifest(count)
    (fast, _), (slow, _) = read_both(tmp_path, text, monkeypatch)
    assert fast is not None
    assert slow is not None
    lines = text.splitlines()
    last = lines.index(f"      - name: ex{count - 1}") + 1
    example = ("agents", 0, "examples", count - 1)
    assert fast.mark(example) == SourceMark("m.yaml", last, 9)
    price = (*example, "input", "lines", 1, "price")
    written = lines[last + 4]
    assert written == f"            - {{sku: b, price: {count - 1}}}"
    column = written.index("price") + 1
    assert fast.mark(price, key=True) == SourceMark("m.yaml", last + 5, column)
    assert fast.mark(price) == SourceMark("m.yaml", last + 5, column + len("price: "))
    assert fast.existing((*price, "missing")) == price
    assert fast.has(price)
    assert not fast.has((*example, "input", "missing"))
    assert_same(fast, slow)
