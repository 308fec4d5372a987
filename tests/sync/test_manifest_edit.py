"""Updating a manifest entry rewrites only what the platform changed, in the style it had."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evalkit.sync.manifest_edit import ManifestEntry, upsert_entries


def _entry(config: dict[str, Any], examples: str | None = None) -> ManifestEntry:
    return ManifestEntry("bot", "Bot", None, config, "bot/", examples)


def test_an_entry_the_platform_did_not_change_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    """Not even dumped again: a layout the editor would write otherwise stays too."""
    manifest = tmp_path / "evalkit.yaml"
    text = "version: 1\nagents:\n- slug: bot\n  name: 'Bot'\n  config: {n: 1.0, on: true}\n"
    text += "  workspace: bot/\n"
    manifest.write_text(text)
    assert not upsert_entries(manifest, [_entry({"n": 1, "on": True})])
    assert manifest.read_text() == text


def test_a_changed_config_keeps_its_style_and_what_did_not_change(tmp_path: Path) -> None:
    manifest = tmp_path / "evalkit.yaml"
    manifest.write_text(
        "version: 1\nagents:\n  - slug: bot\n    name: Bot\n    config:\n"
        "      model: m1  # the cheap one\n      tools: [search]\n      gone: 1\n"
        "    workspace: bot/\n"
    )
    upsert_entries(manifest, [_entry({"model": "m1", "tools": ["search", "mail"], "on": True})])
    assert manifest.read_text() == (
        "version: 1\nagents:\n  - slug: bot\n    name: Bot\n    config:\n"
        "      model: m1  # the cheap one\n      tools: [search, mail]\n      on: true\n"
        "    workspace: bot/\n"
    )


def test_a_true_is_not_a_one(tmp_path: Path) -> None:
    """Equal as JSON is equal, so ``1`` stays ``1.0``, but ``true`` is not ``1``."""
    manifest = tmp_path / "evalkit.yaml"
    manifest.write_text("version: 1\nagents:\n  - slug: bot\n    name: Bot\n    config: {on: 1}\n")
    upsert_entries(manifest, [_entry({"on": True})])
    assert "config: {on: true}\n" in manifest.read_text()
