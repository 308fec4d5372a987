"""Inline ``expected:`` values edited in their manifest file: comments and layout kept, only
the values that change are written, and a file that cannot be edited so is refused whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.manifest import load_manifest
from evalkit.runner.inline_expected import InlineRefused, NewExpected, edit_expected

MANIFEST = """\
# top comment
version: 1
agents:
  - slug: tiny   # the agent
    config: {runtime: {builtin: echo}}
    examples:
      - name: a
        input: {x: 1}
        expected:
          ok: false    # was false
          total: 10.50
          gone: 1
      - {name: b, input: {x: 1}, expected: {ok: true}}
"""


def edits(path: Path, values: dict[str, object]) -> list[NewExpected]:
    manifest = load_manifest(path)
    return [
        NewExpected(example.mark, example.name, values[example.name])
        for example in manifest.examples()
        if example.name in values
    ]


def test_only_the_changed_values_are_written_comments_kept(tmp_path: Path) -> None:
    path = tmp_path / "evalkit.yaml"
    path.write_text(MANIFEST, encoding="utf-8")
    new = {"a": {"ok": True, "total": 10.5, "added": "yes"}, "b": {"ok": False}}
    edit = edit_expected(path, edits(path, new))
    assert edit.before == MANIFEST
    assert edit.after == (
        MANIFEST.replace("ok: false    # was false", "ok: true     # was false")
        .replace("          gone: 1\n", "          added: yes\n")
        .replace("expected: {ok: true}}", "expected: {ok: false}}")
    )
    assert path.read_text(encoding="utf-8") == MANIFEST  # nothing written here
    path.write_text(edit.after, encoding="utf-8")
    examples = {example.name: example for example in load_manifest(path).examples()}
    assert examples["a"].expected_json == new["a"]
    assert examples["b"].expected_json == new["b"]


#: what ruamel.yaml does not write back as it stands: an escape, an anchor no alias uses,
#: odd spacing
UNREPRODUCED = (
    MANIFEST.replace("version: 1", "version:    1")
    .replace("config: {runtime", "config: &unused {runtime")
    .replace(
        "      - {name: b,",
        '      - {name: c, input: {t: "H\\u00c9"}, expected: {t: "H\\u00c9"}}\n      - {name: b,',
    )
)


def test_what_cannot_be_written_back_elsewhere_in_the_file_stays_as_written(
    tmp_path: Path,
) -> None:
    path = tmp_path / "evalkit.yaml"
    path.write_text(UNREPRODUCED, encoding="utf-8")
    edit = edit_expected(path, edits(path, {"a": {"ok": True, "total": 10.5}, "b": {"ok": 1}}))
    assert edit.after == (
        UNREPRODUCED.replace("ok: false    # was false", "ok: true     # was false")
        .replace("          gone: 1\n", "")
        .replace("expected: {ok: true}}", "expected: {ok: 1}}")
    )


def test_what_cannot_be_written_back_on_an_edited_line_is_refused_with_its_place(
    tmp_path: Path,
) -> None:
    path = tmp_path / "evalkit.yaml"
    path.write_text(UNREPRODUCED, encoding="utf-8")
    with pytest.raises(InlineRefused, match=r"evalkit\.yaml:13:32: the escape \\u00c9"):
        edit_expected(path, edits(path, {"c": {"t": "x"}}))


def test_an_expected_value_an_alias_shares_is_refused_at_the_shared_line(tmp_path: Path) -> None:
    path = tmp_path / "evalkit.yaml"
    shared = MANIFEST.replace("input: {x: 1}\n", "input: &same {ok: true}\n", 1).replace(
        "expected: {ok: true}}", "expected: *same}"
    )
    path.write_text(shared, encoding="utf-8")
    with pytest.raises(InlineRefused, match=r"evalkit\.yaml:8: the new expected value would"):
        edit_expected(path, edits(path, {"b": {"ok": False}}))


def test_an_expected_value_a_merge_key_brings_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evalkit.yaml"
    merged = MANIFEST.replace("      - name: a\n", "      - &first\n        name: a\n").replace(
        "      - {name: b, input: {x: 1}, expected: {ok: true}}",
        "      - {<<: *first, name: b}",
    )
    path.write_text(merged, encoding="utf-8")
    with pytest.raises(InlineRefused, match="a merge key '<<' brings it"):
        edit_expected(path, edits(path, {"b": {"ok": False}}))


def test_interpolated_values_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHO", "x")
    path = tmp_path / "evalkit.yaml"
    path.write_text(MANIFEST.replace("gone: 1", "gone: ${WHO}"), encoding="utf-8")
    with pytest.raises(InlineRefused, match="interpolation"):
        edit_expected(path, edits(path, {"a": {"ok": True}}))
