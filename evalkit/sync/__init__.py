"""The sync engine: the manifest in git is the truth, the platform is made to match it.

``plan(manifest, client) -> Plan`` reads the live state (cheaply, through the last-applied
record evalkit keeps on each agent) and compares; ``apply(plan, client) -> ApplyResult`` makes
it so, agent by agent; ``pull(client, slugs, manifest_path=...)`` brings live agents under git.
"""

from __future__ import annotations

from evalkit.sync.apply import AgentOutcome, ApplyResult, apply
from evalkit.sync.plan import (
    Action,
    AgentChange,
    ConfigChange,
    FieldChange,
    FileChange,
    OrphanAgent,
    OrphanFile,
    Plan,
)
from evalkit.sync.plan_file import load_plan, plan_from_data, plan_to_data, save_plan
from evalkit.sync.planner import plan
from evalkit.sync.pull import PulledAgent, PullResult, pull
from evalkit.sync.render import headline, render_markdown, render_text

__all__ = [
    "Action",
    "AgentChange",
    "AgentOutcome",
    "ApplyResult",
    "ConfigChange",
    "FieldChange",
    "FileChange",
    "OrphanAgent",
    "OrphanFile",
    "Plan",
    "PullResult",
    "PulledAgent",
    "apply",
    "headline",
    "load_plan",
    "plan",
    "plan_from_data",
    "plan_to_data",
    "pull",
    "render_markdown",
    "render_text",
    "save_plan",
]
