"""The pure comparison: desired + live + last-applied record -> one agent's changes.

Each file and field is classified from three values: desired D (manifest), live L, recorded R
(what evalkit last wrote). L == D: nothing. L != D and (no record, or L == R): an update from the
manifest (~). L != R: the platform moved since evalkit wrote it, drift (!), which the apply sets
back to D. A file or field the platform lacks is a create (+) when evalkit never wrote it.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from evalkit.sync.desired import DesiredAgent, DesiredFile
from evalkit.sync.jsondiff import diff_values, json_equal, managed_view, pointer, value_at
from evalkit.sync.paths import example_name
from evalkit.sync.plan import (
    Action,
    AgentChange,
    ConfigChange,
    DesiredSnapshot,
    FieldChange,
    FileChange,
    FileFacts,
    LiveFingerprint,
    OrphanFile,
    shared_fields_set,
)
from evalkit.sync.state import TEXT_DIFF_LIMIT, LiveAgent, LiveFile, decode_text

MAX_DIFF_LINES = 200


def classify_files(
    desired: Mapping[str, str],
    live: Mapping[str, str | None],
    recorded: Mapping[str, str] | None,
) -> tuple[list[tuple[str, Action]], list[tuple[str, bool]]]:
    """Changed files ``(path, action)`` and orphans ``(path, was_managed)``, both by path.

    ``live`` maps every listed path to its hash (``None`` when unknown, allowed only for paths
    the manifest does not have: an orphan needs no hash).
    """
    changed: list[tuple[str, Action]] = []
    for path in sorted(desired):
        want, have = desired[path], live.get(path)
        known = recorded.get(path) if recorded is not None else None
        if path not in live:
            changed.append((path, Action.DRIFT if known is not None else Action.CREATE))
        elif have is None:
            raise ValueError(f"live hash of desired path {path!r} is unknown")
        elif have != want:
            drifted = known is not None and have != known
            changed.append((path, Action.DRIFT if drifted else Action.UPDATE))
    orphans = [
        (path, recorded is not None and path in recorded)
        for path in sorted(live)
        if path not in desired
    ]
    return changed, orphans


def classify_value(live: tuple[bool, Any], recorded: tuple[bool, Any] | None) -> Action:
    """Update or drift for a value known to differ from the manifest."""
    if recorded is None:
        return Action.UPDATE
    same = live[0] == recorded[0] and (not live[0] or json_equal(live[1], recorded[1]))
    return Action.UPDATE if same else Action.DRIFT


def diff_config(
    desired: Mapping[str, Any], live: Mapping[str, Any], recorded: Mapping[str, Any] | None
) -> list[ConfigChange]:
    """Field-level config changes; keys the manifest never managed are left out."""
    view = managed_view(live, desired, recorded)
    changes = []
    for change in diff_values(view, desired):
        recorded_value = value_at(recorded, change.path) if recorded is not None else None
        action = classify_value(value_at(view, change.path), recorded_value)
        if change.kind == "add" and action is Action.UPDATE:
            action = Action.CREATE  # a key the platform does not have yet, as a new file
        changes.append(
            ConfigChange(
                pointer=pointer(change.path),
                kind=change.kind,
                action=action,
                before=change.before,
                after=change.after,
            )
        )
    return changes


def snapshot_of(desired: DesiredAgent) -> DesiredSnapshot:
    """What a plan records of the agent the manifest declares (and what apply writes)."""
    return DesiredSnapshot(
        name=desired.name,
        description=desired.description,
        config=dict(desired.config),
        files=desired.hashes,
        manifest_slug=desired.manifest_slug,
    )


def diff_agent(desired: DesiredAgent, live: LiveAgent | None) -> AgentChange:
    """One agent's plan entry. ``live`` is None when the agent does not exist yet."""
    snapshot = snapshot_of(desired)
    if live is None:
        return AgentChange(
            slug=desired.slug,
            desired=snapshot,
            live=LiveFingerprint(exists=False),
            fields=tuple(_new_fields(desired)),
            config=tuple(
                c.model_copy(update={"action": Action.CREATE})
                for c in diff_config(desired.config, {}, None)
            ),
            files=tuple(_file_change(desired.files[p], None, Action.CREATE) for p in desired.files),
        )
    record = live.record
    live_hashes = {path: _hash_of(live.known.get(path)) for path in live.listed}
    changed, orphans = classify_files(desired.hashes, live_hashes, record.files if record else None)
    files = tuple(_file_change(desired.files[p], live.known.get(p), a) for p, a in changed)
    fields = tuple(_field_changes(desired, live))
    config = tuple(diff_config(desired.config, live.config, record.config if record else None))
    change = AgentChange(
        slug=desired.slug,
        desired=snapshot,
        live=LiveFingerprint(
            exists=True, latest_commit=live.latest_commit, updated_at=live.updated_at
        ),
        fields=fields,
        config=config,
        files=files,
        orphan_files=tuple(
            OrphanFile(path=p, was_managed=m, example=example_name(p)) for p, m in orphans
        ),
        compared_by=live.compared_by,
    )
    if not change.has_changes:
        stale = _record_is_stale(snapshot, live) or _origin_is_stale(desired, live)
        change = change.model_copy(update={"refresh_record": stale})
    return change


def _hash_of(known: LiveFile | None) -> str | None:
    return known.sha256 if known else None


def _new_fields(desired: DesiredAgent) -> list[FieldChange]:
    fields = [FieldChange(field="name", action=Action.CREATE, after=desired.name)]
    if desired.description:
        fields.append(
            FieldChange(field="description", action=Action.CREATE, after=desired.description)
        )
    return fields


def _field_changes(desired: DesiredAgent, live: LiveAgent) -> list[FieldChange]:
    record = live.record
    pairs = [
        ("name", desired.name, live.name, record.name if record else None),
        (
            "description",
            desired.description or None,
            live.description or None,
            (record.description or None) if record else None,
        ),
    ]
    changes = []
    for field_name, want, have, known in pairs:
        if want == have:
            continue
        drifted = record is not None and have != known
        changes.append(
            FieldChange.model_validate(
                {
                    "field": field_name,
                    "action": Action.DRIFT if drifted else Action.UPDATE,
                    "before": have,
                    "after": want,
                }
            )
        )
    return changes


def _record_is_stale(snapshot: DesiredSnapshot, live: LiveAgent) -> bool:
    """True when the agent already matches but its record would not spare the next downloads."""
    record = live.record
    if record is None or not live.record_is_current:
        return True
    return (
        dict(record.files) != snapshot.files
        or not json_equal(record.config, snapshot.config)
        or record.name != snapshot.name
        or (record.description or None) != (snapshot.description or None)
    )


def _origin_is_stale(desired: DesiredAgent, live: LiveAgent) -> bool:
    """True when the record does not say (or says wrongly) which manifest agent and environment
    the agent belongs to: the next plans need that to tell a copy from an orphan."""
    record = live.record
    if desired.manifest_slug is None or record is None:
        return False
    return (record.manifest_slug, record.environment) != (
        desired.manifest_slug,
        desired.environment,
    )


def _file_change(desired: DesiredFile, live: LiveFile | None, action: Action) -> FileChange:
    text_diff = None
    if desired.size > TEXT_DIFF_LIMIT or desired.is_text is False:
        binary = True
    elif desired.is_text and (live is None or live.text is None):
        binary = False  # no diff to show: its bytes are not made again
    else:
        text = decode_text(desired.read())
        binary = text is None
        if text is not None and live is not None and live.text is not None:
            text_diff = unified_diff(desired.path, live.text, text)
    return _trusted(
        FileChange,
        path=desired.path,
        action=action,
        after=_trusted(FileFacts, sha256=desired.sha256, size=desired.size),
        before=_trusted(FileFacts, sha256=live.sha256, size=live.size) if live else None,
        source=str(desired.source) if desired.source is not None else None,
        binary=binary,
        text_diff=text_diff,
        example=example_name(desired.path),
    ).with_maker(desired.made)


_Model = TypeVar("_Model", bound=BaseModel)


def _trusted(model: type[_Model], **values: Any) -> _Model:
    """``model(**values)``, of values made here (not validated again: 40,000 files planned),
    its set of given fields shared as validation would (``shared_fields_set``)."""
    return model.model_construct(shared_fields_set(values), **values)


def unified_diff(path: str, before: str, after: str) -> str:
    """A unified diff from the live text to the manifest's, capped at ``MAX_DIFF_LINES``."""
    lines = list(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"live/{path}",
            tofile=f"manifest/{path}",
        )
    )
    no_newline = "\n\\ No newline at end of file\n"
    lines = [line if line.endswith("\n") else line + no_newline for line in lines]
    if len(lines) > MAX_DIFF_LINES:
        hidden = len(lines) - MAX_DIFF_LINES
        lines = [*lines[:MAX_DIFF_LINES], f"... {hidden} more diff lines not shown\n"]
    return "".join(lines)
