"""After its uploads, a sync reads the agent's files back before its record may vouch for them.

The record says "at commit C the files had these hashes", and a plan that finds C still live
downloads nothing. The v1 API has no compare-and-swap, commits are opaque and an upload's answer
does not say which commit it made: when another writer (a second sync, an edit in the dashboard)
uploads between this sync's first check and its commit read, the commit read already includes
that write, and nothing in the commit tells. So after the uploads the sync reads ``C`` (one
``GET``), then downloads every file the record will list. Each download happens after ``C`` was
read, so a file read back either holds its content at ``C``, or some write came after ``C``, and
then the live commit is no longer ``C`` and the record is never trusted. Files that match the
manifest may be recorded with ``C``; files that do not were overwritten during the sync.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from evalkit.api import AgentSummary
from evalkit.errors import PlanError
from evalkit.sync.calls import SyncCalls
from evalkit.sync.live import Pool, download, get_agent

#: at most this many paths are named in the message about a sync that lost a race
NAMED_PATHS = 5


@dataclass(frozen=True)
class ReadBack:
    #: the agent as read right after the uploads: its ``latestCommit`` is ``C``
    agent: AgentSummary
    #: the wanted paths whose live content is not the wanted one (or that are missing), sorted;
    #: only these are kept: a first sync reads back every file of every example
    disagreeing: tuple[str, ...] = ()


def read_back(client: SyncCalls, slug: str, wanted: Mapping[str, str], pool: Pool) -> ReadBack:
    """The agent's commit, then every ``wanted`` path it lists, read after it and compared."""
    agent = get_agent(client, slug)
    if agent is None:
        raise PlanError(f"agent {slug!r} vanished during the sync")
    listed = set(agent.files or [])
    paths = [path for path in sorted(wanted) if path in listed]
    agrees = pool.map(
        lambda path: hashlib.sha256(download(client, slug, path)).hexdigest() == wanted[path],
        paths,
    )
    changed = [path for path, same in zip(paths, agrees, strict=True) if not same]
    missing = [path for path in wanted if path not in listed]
    return ReadBack(agent, tuple(sorted([*changed, *missing])))


def overwritten_error(slug: str, paths: list[str]) -> PlanError:
    """Why a sync stops without saving its record: someone else wrote files meanwhile."""
    named = ", ".join(paths[:NAMED_PATHS])
    if len(paths) > NAMED_PATHS:
        named += f" and {len(paths) - NAMED_PATHS} more"
    verb = "matches" if len(paths) == 1 else "match"
    return PlanError(
        f"files changed on the platform during this sync (another sync, or an edit made "
        f"there): {named} no longer {verb} the manifest; the last-applied record was not "
        f"saved, so the next 'evalkit plan' of {slug} reads every file: review it before "
        "syncing again"
    )
