"""The sync engine: the manifest in git is the truth, the platform is made to match it.

``plan(manifest, client) -> Plan`` reads the live state (cheaply, through the last-applied
record evalkit keeps on each agent) and compares; ``apply(plan, client) -> ApplyResult`` makes
it so, agent by agent; ``pull(client, slugs, manifest_path=...)`` brings live agents under git.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING

from evalkit.lazy_names import lazy_names
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
from evalkit.sync.planner import plan  # after evalkit.sync.plan: the name is the function

if TYPE_CHECKING:
    from evalkit.sync.apply import AgentOutcome, ApplyResult, apply
    from evalkit.sync.plan_file import load_plan, plan_from_data, plan_to_data, save_plan
    from evalkit.sync.pull import PulledAgent, PullResult, pull
    from evalkit.sync.render import headline, render_markdown, render_text

#: name -> the module that defines it, imported when the name is first used: a run's drift
#: check plans only, so applying, pulling (its manifest editor and ruamel.yaml), the plan
#: file and the plan's rendering load for the commands and runs that use them
_LAZY = {
    "AgentOutcome": "evalkit.sync.apply",
    "ApplyResult": "evalkit.sync.apply",
    "apply": "evalkit.sync.apply",
    "load_plan": "evalkit.sync.plan_file",
    "plan_from_data": "evalkit.sync.plan_file",
    "plan_to_data": "evalkit.sync.plan_file",
    "save_plan": "evalkit.sync.plan_file",
    "PulledAgent": "evalkit.sync.pull",
    "PullResult": "evalkit.sync.pull",
    "pull": "evalkit.sync.pull",
    "headline": "evalkit.sync.render",
    "render_markdown": "evalkit.sync.render",
    "render_text": "evalkit.sync.render",
}


__getattr__ = lazy_names(__name__, _LAZY)


class _Package(types.ModuleType):
    """The import system sets each submodule it loads as an attribute of its package: for
    ``apply`` and ``pull``, whose modules define a function of their name, the package keeps
    the function (as it did when it imported them at once), whoever loads the module first."""

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, types.ModuleType) and value.__name__ == f"{__name__}.{name}":
            value = getattr(value, name, value)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

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
