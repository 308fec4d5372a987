"""A plan as data: what a sync would change, per agent, and why.

The same ``Plan`` object is printed as text or Markdown, saved as JSON (``formatVersion``) and
applied. It carries everything the apply needs (desired values, file hashes and their sources)
plus the fingerprint of the live state it was made from, so a saved plan can refuse to apply
when the platform moved since.

Actions: ``create`` (+) and ``update`` (~) come from the manifest; ``drift`` (!) marks a live
value that changed outside git since evalkit last wrote it (the apply sets it back).

Live agents the plan does not manage are sorted out: an environment's copy of a declared agent
(``EnvironmentCopy``, not an orphan), or an orphan (``OrphanAgent``); an orphan, agent or file,
that the manifest acknowledges (``ignore_orphans``) is still listed but not counted.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_serializer, model_validator
from pydantic.alias_generators import to_camel

PLAN_FORMAT = 1


class PlanModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, extra="forbid"
    )


_FIELDS_SETS: dict[frozenset[str], set[str]] = {}


def shared_fields_set(names: Iterable[str]) -> set[str]:
    """One set object for every model given the same fields: a plan of 40,000 files held as
    many equal sets, half of its memory (a model's copy copies its set; nothing changes it)."""
    key = frozenset(names)
    return _FIELDS_SETS.setdefault(key, set(key))


class _SharedFieldsSet(PlanModel):
    """A plan model made by the thousand (files): its set of given fields is shared."""

    @model_validator(mode="after")
    def _share_fields_set(self) -> _SharedFieldsSet:
        object.__setattr__(
            self, "__pydantic_fields_set__", shared_fields_set(self.model_fields_set)
        )
        return self


class Action(str, Enum):
    CREATE = "create"
    UPDATE = "update"
    DRIFT = "drift"

    @property
    def symbol(self) -> str:
        return {"create": "+", "update": "~", "drift": "!"}[self.value]


class FieldChange(PlanModel):
    """``name`` or ``description``."""

    field: Literal["name", "description"]
    action: Action
    before: str | None = None
    after: str | None = None


class ConfigChange(PlanModel):
    """One config leaf; ``pointer`` is a JSON pointer into the config."""

    pointer: str
    kind: Literal["add", "change", "remove"]
    action: Action
    before: Any = None
    after: Any = None


class FileFacts(_SharedFieldsSet):
    sha256: str
    size: int | None = None


class FileChange(_SharedFieldsSet):
    """One workspace file to upload. ``before`` is unset when the file is not live."""

    path: str
    action: Action
    after: FileFacts
    before: FileFacts | None = None
    #: the local file whose bytes are uploaded ...
    source: str | None = None
    #: ... or the bytes themselves (base64) when made from the manifest (inline examples)
    inline_base64: str | None = None
    binary: bool = False
    #: a unified diff (live -> manifest) for small text files whose live bytes were read
    text_diff: str | None = None
    #: the dataset example this file belongs to (``examples/<name>/...``)
    example: str | None = None
    # A plan made here (not read from JSON) keeps what makes an inline file's bytes instead of
    # the bytes: they are made when applied, or written out (``inline_base64``). A slot, not a
    # pydantic private attribute: that is a dict on every change (40,000 in a first sync).
    __slots__ = ("_made",)

    def with_maker(self, made: Callable[[], bytes] | None) -> FileChange:
        """This change, its inline bytes made by ``made`` when needed (``inline_base64``
        unset)."""
        object.__setattr__(self, "_made", made)
        return self

    def _maker(self) -> Callable[[], bytes] | None:
        made: Callable[[], bytes] | None = getattr(self, "_made", None)
        return made

    def __copy__(self) -> FileChange:  # ``model_copy`` keeps the maker
        return super().__copy__().with_maker(self._maker())

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> FileChange:
        return super().__deepcopy__(memo).with_maker(self._maker())

    def inline_content(self) -> bytes | None:
        """The inline bytes (from the manifest), ``None`` for a local file's change."""
        if self.inline_base64 is not None:
            return base64.b64decode(self.inline_base64)
        made = self._maker()
        return made() if made is not None else None

    @field_serializer("inline_base64")
    def _inline_text(self, value: str | None) -> str | None:
        made = self._maker()
        if value is None and made is not None:
            return base64.b64encode(made()).decode("ascii")
        return value


class OrphanFile(_SharedFieldsSet):
    """A live workspace file the manifest does not have (the v1 API cannot delete it)."""

    path: str
    #: True when evalkit wrote it before (it was removed from the manifest)
    was_managed: bool = False
    example: str | None = None
    #: the manifest's ``ignore_orphans`` pattern that acknowledges it
    acknowledged_by: str | None = None


class LiveFingerprint(PlanModel):
    """What the plan saw live; a saved plan is refused when this has moved."""

    exists: bool
    latest_commit: str | None = None
    updated_at: str | None = None


class DesiredSnapshot(PlanModel):
    name: str
    description: str | None = None
    config: dict[str, Any]
    #: every desired file, path -> sha256 (written into the last-applied record)
    files: dict[str, str]
    #: the slug written in the manifest (differs from the agent's under an environment)
    manifest_slug: str | None = None


class AgentChange(PlanModel):
    slug: str
    desired: DesiredSnapshot
    live: LiveFingerprint
    fields: tuple[FieldChange, ...] = ()
    config: tuple[ConfigChange, ...] = ()
    files: tuple[FileChange, ...] = ()
    orphan_files: tuple[OrphanFile, ...] = ()
    #: the last-applied record is missing or out of date although nothing else changes
    refresh_record: bool = False
    #: "record" when the last-applied record spared the downloads, "full" when files were read
    compared_by: Literal["record", "full", "none"] = "none"

    @property
    def creates_agent(self) -> bool:
        return not self.live.exists

    @property
    def has_changes(self) -> bool:
        return self.creates_agent or bool(self.fields or self.config or self.files)

    @property
    def needs_write(self) -> bool:
        return self.has_changes or self.refresh_record

    def count(self, action: Action) -> int:
        items: list[Action] = [c.action for c in self.fields]
        items += [c.action for c in self.config]
        items += [f.action for f in self.files if f.example is None]
        items += [action for _, action in example_actions(self.files)]
        return sum(1 for item in items if item is action)


def example_actions(files: Iterable[FileChange]) -> list[tuple[str, Action]]:
    """Changed examples by name, each with its strongest file action (drift > create > update)."""
    rank = {Action.DRIFT: 2, Action.CREATE: 1, Action.UPDATE: 0}
    best: dict[str, Action] = {}
    for change in files:
        if change.example is None:
            continue
        seen = best.get(change.example)
        if seen is None or rank[change.action] > rank[seen]:
            best[change.example] = change.action
    return sorted(best.items())


class OrphanAgent(PlanModel):
    """A live agent the manifest does not have."""

    slug: str
    name: str
    #: True when it carries an evalkit record (it was removed from the manifest)
    was_managed: bool = False
    #: the manifest's ``ignore_orphans`` pattern that acknowledges it
    acknowledged_by: str | None = None
    #: set when it is, or is named like, a copy of ``copy_of`` for ``environment`` that the
    #: manifest no longer declares (or that evalkit never finished making)
    environment: str | None = None
    copy_of: str | None = None


class EnvironmentCopy(PlanModel):
    """A live copy of a declared agent for a declared environment (e.g. one per pull request),
    other than the agents this plan manages: not an orphan."""

    slug: str
    name: str
    environment: str
    #: the manifest slug it is a copy of
    copy_of: str
    created_at: str | None = None
    updated_at: str | None = None
    #: ``record``: evalkit's last-applied record says so; ``name``: an older record does not,
    #: and the slug fits the environment's slug template
    recognised_by: Literal["record", "name"]


class Plan(PlanModel):
    format_version: int = PLAN_FORMAT
    created_at: str
    environment: str | None = None
    #: the manifest's folder: file sources are relative to it
    base_dir: str
    agents: tuple[AgentChange, ...]
    orphan_agents: tuple[OrphanAgent, ...] = ()
    environment_copies: tuple[EnvironmentCopy, ...] = ()
    #: False when only part of the manifest was planned (``--only``): orphans were not looked for
    orphans_checked: bool = True

    @property
    def has_changes(self) -> bool:
        return any(agent.has_changes for agent in self.agents)

    @property
    def orphan_count(self) -> int:
        """Orphans the manifest does not acknowledge: what ``--fail-on-orphans`` counts."""
        return sum(1 for o in self._orphans() if o.acknowledged_by is None)

    @property
    def acknowledged_count(self) -> int:
        """Orphans listed under ``ignore_orphans`` in the manifest."""
        return sum(1 for o in self._orphans() if o.acknowledged_by is not None)

    def _orphans(self) -> list[OrphanAgent | OrphanFile]:
        return [*self.orphan_agents, *(f for a in self.agents for f in a.orphan_files)]

    def count(self, action: Action) -> int:
        return sum(agent.count(action) for agent in self.agents)
