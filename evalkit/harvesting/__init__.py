"""Executions on the platform become examples in git: ``promote`` one, ``harvest`` many.

    entry.promote / entry.harvest      the library calls (``evalkit.promote``, ``evalkit.harvest``)
    promote.promote_execution          one execution into an example, on an open client
    promote.harvest_executions         the executions the filters select, each once
    draft.draft_example                what an example made from an execution holds (pure)
    writing.write_example              an example folder written whole, or not at all
    render                             what the CLI prints, as text and as JSON data

The example records the execution it came from in its ``source.json``
(``evalkit.manifest.models.ExampleSource``): that is how a second harvest skips it.
"""

from __future__ import annotations

from evalkit.harvesting.draft import HarvestError, NotPromotable
from evalkit.harvesting.filters import HarvestFilters
from evalkit.harvesting.promote import (
    HarvestResult,
    Promoted,
    Skipped,
    harvest_executions,
    promote_execution,
)

__all__ = [
    "HarvestError",
    "HarvestFilters",
    "HarvestResult",
    "NotPromotable",
    "Promoted",
    "Skipped",
    "harvest_executions",
    "promote_execution",
]
