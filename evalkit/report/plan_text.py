"""The sync plan a run applied, as Markdown text, when the summary carries it."""

from __future__ import annotations

from typing import Any

from evalkit.errors import PlanError
from evalkit.sync.plan_file import plan_from_data
from evalkit.sync.render import render_markdown


def plan_markdown(data: dict[str, Any] | None) -> str | None:
    """The plan's Markdown, or a note when the summary holds something that is not a plan."""
    if data is None:
        return None
    try:
        plan = plan_from_data(data, where="the summary's sync_plan")
    except PlanError as err:
        return f"(the sync plan in the summary could not be read: {err})"
    return render_markdown(plan)
