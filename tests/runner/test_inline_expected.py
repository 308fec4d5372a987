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


def test_a_layout_that_cannot_be_written_back_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evalkit.yaml"
    odd = MANIFEST.replace("version: 1", "version:    1")
    path.write_text(odd, encoding="utf-8")
    with pytest.raises(InlineRefused, match="layout is not one evalkit can write back"):
        edit_expected(path, edits(path, {"a": {"ok": True}}))


def test_interpolated_values_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHO", "x")
    path = tmp_path / "evalkit.yaml"
    path.write_text(MANIFEST.replace("gone: 1", "gone: ${WHO}"), encoding="utf-8")
    with pytest.raises(InlineRefused, match="interpolation"):
        edit_expected(path, edits(path, {"a": {"ok": True}}))
