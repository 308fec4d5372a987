"""``apply`` while someone else writes the same agent: another checkout's sync, or an edit on
the platform, forced in at each step of the apply (real HTTP, no mock of the platform).

Whatever the moment, the last-applied record left on the agent never vouches for files that
are not live: ``plan`` trusting the record says exactly what ``plan --refresh`` says, for both
checkouts, and a sync run again converges.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from evalkit.client import EigenpalClient
from evalkit.sync.apply import AgentOutcome, apply
from evalkit.sync.plan import Plan
from evalkit.sync.planner import plan

from .local import API_KEY, Counted, LocalPlatform
from .project import load, write_project
from .races import Interleaved, Moment, Seen, uploads

SLUG = "bot"
BASE = {"AGENT.md": b"v1\n", "notes.md": b"n1\n", "skills/s.md": b"s1\n"}
#: the first checkout changes two files (two uploads), the second one file of those and another
FIRST = {"AGENT.md": b"first v2\n", "notes.md": b"first n2\n"}
SECOND = {"AGENT.md": b"second v2\n", "skills/s.md": b"second\n"}


def write(
    root: Path, model: str, changed: dict[str, bytes] | None = None, *, name: str = "Bot"
) -> Path:
    files = BASE | (changed or {})
    write_project(root, {SLUG: {"name": name, "config": {"model": model}, "files": files}})
    return root


@pytest.fixture
def one_file_per_upload(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each changed file is its own upload request, so there is a moment between two."""
    module = importlib.import_module("evalkit.sync.apply")  # the package exports apply()
    monkeypatch.setattr(module, "BATCH_FILES", 1)


def view(made: Plan) -> list[tuple[Any, ...]]:
    """What a plan says changes (the live hashes it read or trusted included)."""
    return [
        (
            agent.slug,
            [(f.path, f.action, f.before.sha256 if f.before else None) for f in agent.files],
            [(c.pointer, c.action, c.before, c.after) for c in agent.config],
            [(c.field, c.action, c.before, c.after) for c in agent.fields],
        )
        for agent in made.agents
    ]


def assert_record_tells_the_truth(root: Path, client: EigenpalClient) -> None:
    trusted = plan(load(root), client)
    refreshed = plan(load(root), client, refresh=True)
    assert view(trusted) == view(refreshed), f"{root.name}: the record disagrees with the files"


def last(check: Callable[[Seen], bool]) -> Moment:
    """The moment right after the last of the two uploads, once ``check`` holds."""
    return lambda seen: uploads(seen, SLUG) == 2 and check(seen[-1])


def read_back(seen: Sequence[Seen]) -> int:
    """How many files were read since the last of the two uploads (the plan reads some too)."""
    ends = [index for index, item in enumerate(seen) if item.is_upload(SLUG)]
    if len(ends) < 2:
        return 0
    return sum(1 for item in seen[ends[1] :] if item.is_file_read(SLUG))


#: the race is applied with concurrency 1: the files are read back one by one, in path order
MOMENTS: dict[str, Moment] = {
    "between two uploads": lambda seen: uploads(seen, SLUG) == 1 and seen[-1].is_upload(SLUG),
    "after the last upload": last(lambda s: s.is_upload(SLUG)),
    "after the commit read": last(lambda s: s.is_agent_read(SLUG)),
    "during the read-back": last(lambda s: s.is_file_read(SLUG)),
    "after the read-back": lambda seen: read_back(seen) == len(BASE),
    "after the record write": lambda seen: seen[-1].is_patch(SLUG),
}
#: the sync is done reading when the other writer comes: it saves a record whose commit the
#: other writer's upload then moves on, so the next plan does not trust it
TOO_LATE_TO_SEE = ("after the read-back", "after the record write")


@pytest.fixture
def racing(
    tmp_path: Path, platform: LocalPlatform, counted: Counted, one_file_per_upload: None
) -> tuple[Path, Path]:
    """Both checkouts of the agent: ``first`` synced, then both edited differently."""
    first = write(tmp_path / "first", "a")
    assert apply(plan(load(first), counted.client), counted.client).state == "converged"
    write(first, "a", FIRST)
    second = write(tmp_path / "second", "b", SECOND)
    return first, second


def race(
    platform: LocalPlatform, first: Path, moment: Moment, strike: Callable[[], None]
) -> AgentOutcome:
    transport = Interleaved(moment, strike)
    with EigenpalClient(
        api_key=API_KEY, base_url=platform.base_url, max_retries=0, transport=transport
    ) as racer:
        (outcome,) = apply(plan(load(first), racer), racer, concurrency=1).outcomes
    assert transport.struck, "the other writer never got its turn"
    return outcome


def assert_lost_cleanly(outcome: AgentOutcome, paths: Sequence[str]) -> None:
    assert outcome.status == "partial"
    assert outcome.error is not None
    assert "changed on the platform during this sync" in outcome.error
    for path in paths:
        assert path in outcome.error
    assert not any("record" in step for step in outcome.done), "the loser saved its record"


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_another_sync_at_any_moment_never_leaves_a_record_that_disagrees(
    racing: tuple[Path, Path], platform: LocalPlatform, counted: Counted, moment: str
) -> None:
    first, second = racing

    def second_sync() -> None:
        result = apply(plan(load(second), counted.client), counted.client)
        assert result.state == "converged"

    outcome = race(platform, first, MOMENTS[moment], second_sync)

    if moment in TOO_LATE_TO_SEE:
        assert outcome.status == "applied"
    else:
        assert_lost_cleanly(outcome, ["skills/s.md"])
    for root in (first, second):
        assert_record_tells_the_truth(root, counted.client)
    assert apply(plan(load(first), counted.client), counted.client).state == "converged"
    assert not plan(load(first), counted.client, refresh=True).has_changes


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_an_edit_on_the_platform_at_any_moment_never_leaves_a_record_that_disagrees(
    racing: tuple[Path, Path], platform: LocalPlatform, counted: Counted, moment: str
) -> None:
    first, _ = racing

    def edit() -> None:
        counted.client.agents.put_file(SLUG, "skills/s.md", content="edited on the platform\n")

    outcome = race(platform, first, MOMENTS[moment], edit)

    if moment in TOO_LATE_TO_SEE:
        assert outcome.status == "applied"
    else:
        assert_lost_cleanly(outcome, ["skills/s.md"])
    assert_record_tells_the_truth(first, counted.client)
    (agent,) = plan(load(first), counted.client).agents
    assert [(f.path, f.action.value) for f in agent.files] == [("skills/s.md", "drift")]


def test_the_same_changes_synced_twice_at_once_are_no_conflict(
    racing: tuple[Path, Path], platform: LocalPlatform, counted: Counted
) -> None:
    first, _ = racing
    twin = write(first.parent / "twin", "a", FIRST)

    def twin_sync() -> None:
        assert apply(plan(load(twin), counted.client), counted.client).state == "converged"

    outcome = race(platform, first, MOMENTS["after the last upload"], twin_sync)

    assert outcome.status == "applied", outcome.error
    for root in (first, twin):
        assert_record_tells_the_truth(root, counted.client)
        assert not plan(load(root), counted.client).has_changes


def test_the_last_settings_write_wins_whole(
    racing: tuple[Path, Path], platform: LocalPlatform, counted: Counted
) -> None:
    """The second checkout renames the agent and changes its config, between the first's
    read-back and its PATCH: the first PATCH comes last and sets its name back too, so the
    settings live are one checkout's, and so is the record that describes them."""
    first, _ = racing
    renamed = write(first.parent / "renamed", "b", SECOND, name="Bot (renamed)")

    def rename() -> None:
        assert apply(plan(load(renamed), counted.client), counted.client).state == "converged"

    race(platform, first, MOMENTS["after the read-back"], rename)

    agent = counted.client.agents.get(SLUG).agent
    assert (agent.name, (agent.config or {})["model"]) == ("Bot", "a")
    (change,) = plan(load(first), counted.client).agents
    assert not change.fields
    assert not change.config
