from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.sync.desired import Source, build_desired_agent
from evalkit.sync.diff import classify_files, classify_value, diff_agent, diff_config, unified_diff
from evalkit.sync.plan import Action, FileChange
from evalkit.sync.state import TEXT_DIFF_LIMIT

from .helpers import desired, live, record, sha

relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
paths = st.sampled_from(["a", "b", "c/d", "examples/x/input.json", "e"])
hashes = st.sampled_from(["h1", "h2", "h3"])
trees = st.dictionaries(paths, hashes, max_size=5)


@relaxed
@given(trees, st.none() | trees)
def test_a_tree_has_no_diff_with_itself(
    tree: dict[str, str], recorded: dict[str, str] | None
) -> None:
    changed, orphans = classify_files(tree, dict(tree), recorded)
    assert changed == []
    assert orphans == []


@relaxed
@given(trees, trees, st.none() | trees)
def test_applying_the_file_diff_gives_the_desired_tree_plus_orphans(
    live_tree: dict[str, str], want: dict[str, str], recorded: dict[str, str] | None
) -> None:
    changed, orphans = classify_files(want, dict(live_tree), recorded)
    applied = {**live_tree, **{path: want[path] for path, _ in changed}}
    assert {p: applied[p] for p in want} == want
    assert {p for p, _ in orphans} == set(applied) - set(want)
    assert [p for p, _ in changed] == sorted(p for p, _ in changed)


@pytest.mark.parametrize(
    ("want", "have", "known", "expected"),
    [
        ("D", "D", "R", []),  # live already as the manifest wants
        ("D", "L", None, [("f", Action.UPDATE)]),  # no record: the manifest changed it
        ("D", "R", "R", [("f", Action.UPDATE)]),  # live as evalkit left it: an update
        ("D", "L", "R", [("f", Action.DRIFT)]),  # live moved since evalkit wrote it
        ("D", None, None, [("f", Action.CREATE)]),  # new file
        ("D", None, "R", [("f", Action.DRIFT)]),  # evalkit wrote it, someone deleted it
    ],
)
def test_file_classification(
    want: str, have: str | None, known: str | None, expected: list[tuple[str, Action]]
) -> None:
    live_tree = {} if have is None else {"f": have}
    recorded = None if known is None else {"f": known}
    changed, _ = classify_files({"f": want}, live_tree, recorded)
    assert changed == expected


def test_orphans_say_whether_evalkit_wrote_them() -> None:
    _, orphans = classify_files({}, {"old.md": "h", "manual.md": None}, {"old.md": "h"})
    assert orphans == [("manual.md", False), ("old.md", True)]


def test_value_classification() -> None:
    assert classify_value((True, 1), None) is Action.UPDATE
    assert classify_value((True, 1), (True, 1.0)) is Action.UPDATE
    assert classify_value((True, 2), (True, 1)) is Action.DRIFT
    assert classify_value((False, None), (True, 1)) is Action.DRIFT


def test_config_drift_is_told_apart_from_manifest_changes() -> None:
    recorded = {"model": "m1", "temperature": 0.1}
    live_config = {"model": "m1", "temperature": 0.9, "serverAdded": True}
    want = {"model": "m2", "temperature": 0.1}
    changes = {
        c.pointer: (c.action, c.before, c.after) for c in diff_config(want, live_config, recorded)
    }
    assert changes == {
        "/model": (Action.UPDATE, "m1", "m2"),
        "/temperature": (Action.DRIFT, 0.9, 0.1),
    }


def test_a_config_key_the_platform_lacks_is_a_create_or_drift_when_it_was_there() -> None:
    want = {"model": "large", "temperature": 0.1}
    new_key = diff_config(want, {"temperature": 0.1}, {"temperature": 0.1})
    assert [(c.pointer, c.kind, c.action) for c in new_key] == [("/model", "add", Action.CREATE)]
    removed_live = diff_config(want, {"temperature": 0.1}, want)
    assert [(c.pointer, c.kind, c.action) for c in removed_live] == [
        ("/model", "add", Action.DRIFT)
    ]


def test_new_agent_is_all_creates(tmp_path: Path) -> None:
    agent = desired(
        tmp_path,
        "bot",
        {"AGENT.md": b"hi\n", "examples/one/input.json": b"{}"},
        config={"model": "m"},
        description="d",
    )
    change = diff_agent(agent, None)
    assert change.creates_agent
    assert [f.path for f in change.files] == ["AGENT.md", "examples/one/input.json"]
    assert {f.action for f in change.files} == {Action.CREATE}
    assert [(c.pointer, c.action) for c in change.config] == [("/model", Action.CREATE)]
    assert [(f.field, f.after) for f in change.fields] == [("name", "bot"), ("description", "d")]
    assert change.count(Action.CREATE) == 5  # name, description, model, AGENT.md, example one


def test_file_changes_are_as_validated_and_share_their_set_of_fields(tmp_path: Path) -> None:
    # a plan of 40,000 files held as many equal sets of field names: half of its memory
    agent = desired(tmp_path, "bot", {"a.md": b"a\n", "b.md": b"b\n"})
    first, second = diff_agent(agent, None).files
    assert first.model_fields_set is second.model_fields_set
    assert first.after.model_fields_set is second.after.model_fields_set
    for made in (first, second):
        assert FileChange.model_validate(made.model_dump()) == made
        given = {name: getattr(made, name) for name in made.model_fields_set}
        assert FileChange(**given).model_fields_set is made.model_fields_set
    # so do those read from a saved plan (the report of a run reads its plan again)
    read = [FileChange.model_validate(f.model_dump(by_alias=True)) for f in (first, second)]
    assert read[0].model_fields_set is read[1].model_fields_set
    assert read[0].after.model_fields_set is first.after.model_fields_set


def test_unchanged_agent_with_a_current_record_has_nothing_to_do(tmp_path: Path) -> None:
    files = {"AGENT.md": b"hi\n"}
    agent = desired(tmp_path, "bot", files, name="bot", config={"m": 1})
    current = live("bot", files, config={"m": 1}, last=record(files, config={"m": 1}))
    change = diff_agent(agent, current)
    assert not change.has_changes
    assert not change.refresh_record


def test_matching_agent_without_record_gets_its_record_refreshed(tmp_path: Path) -> None:
    files = {"AGENT.md": b"hi\n"}
    change = diff_agent(desired(tmp_path, "bot", files), live("bot", files))
    assert not change.has_changes
    assert change.refresh_record
    assert change.needs_write


def test_text_files_get_a_unified_diff_and_binaries_their_hashes(tmp_path: Path) -> None:
    old = {"AGENT.md": b"line one\nline two\n", "logo.png": b"\x89PNG\x00old"}
    new = {"AGENT.md": b"line one\nline 2\n", "logo.png": b"\x89PNG\x00new!"}
    change = diff_agent(desired(tmp_path, "bot", new), live("bot", old, last=record(old)))
    text, image = change.files
    assert text.action is Action.UPDATE
    assert not text.binary
    assert text.text_diff is not None
    assert "-line two\n+line 2\n" in text.text_diff
    assert image.binary
    assert image.text_diff is None
    assert image.before is not None
    assert image.before.sha256 == sha(old["logo.png"])
    assert image.after.sha256 == sha(new["logo.png"])


def test_name_and_description_drift(tmp_path: Path) -> None:
    files: dict[str, bytes] = {}
    last = record(files, name="Bot", description="old")
    current = live("bot", files, name="Renamed in the dashboard", description="old", last=last)
    change = diff_agent(desired(tmp_path, "bot", files, name="Bot", description="new"), current)
    assert [(f.field, f.action) for f in change.fields] == [
        ("name", Action.DRIFT),
        ("description", Action.UPDATE),
    ]


def test_unified_diff_is_capped() -> None:
    before = "".join(f"{i}\n" for i in range(500))
    after = "".join(f"{i}!\n" for i in range(500))
    text = unified_diff("big.txt", before, after)
    assert text.count("\n") == 201
    assert text.endswith("more diff lines not shown\n")


def test_a_platform_without_latest_commit_never_spares_a_file_read(tmp_path: Path) -> None:
    files = {"AGENT.md": b"hi\n"}
    silent = live("bot", files, last=record(files, commit=None), commit=None)
    assert not silent.record_is_current
    empty = live("bot", {}, last=record({}, commit=None), commit=None)
    assert empty.record_is_current
    assert not diff_agent(desired(tmp_path, "bot", {}), empty).needs_write


def test_inline_files_made_once_to_plan_them_unless_a_live_text_is_compared() -> None:
    """A first sync planned 40,000 inline files and made each one's bytes twice: to hash it,
    and again to tell text from binary; only a unified diff needs them again."""
    made: list[str] = []

    def maker(content: bytes) -> Callable[[], bytes]:
        def make() -> bytes:
            made.append(content.decode(errors="replace")[:4])
            return content

        return make

    sources: dict[str, Source] = {
        "examples/a/input.json": maker(b'{"a": 1}'),
        "examples/a/expected.json": maker(b"\x00binary"),
        "big.txt": maker(b"x" * (TEXT_DIFF_LIMIT + 1)),
        "notes.md": maker(b"new\n"),
    }
    want = build_desired_agent(
        slug="bot", name="bot", description=None, config={}, workspace={}, examples=sources
    )
    assert len(made) == 4
    created = {f.path: f for f in diff_agent(want, None).files}
    assert len(made) == 4  # told at build: nothing made again
    assert {path: f.binary for path, f in created.items()} == {
        "big.txt": True,
        "examples/a/expected.json": True,
        "examples/a/input.json": False,
        "notes.md": False,
    }
    changed = diff_agent(want, live("bot", {"notes.md": b"old\n"}))
    notes = next(f for f in changed.files if f.path == "notes.md")
    assert notes.text_diff is not None
    assert "-old" in notes.text_diff
    assert "+new" in notes.text_diff
    assert made[4:] == ["new\n"]  # made again for its diff only
