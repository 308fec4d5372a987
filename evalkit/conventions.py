"""Names evalkit gives things on the platform: the manifest refuses them in a user's config,
sync writes them. Declared here, at the bottom of the import graph, so both read one fact."""

from __future__ import annotations

#: the agent config key under which sync keeps its last-applied record (``evalkit.sync.record``)
RESERVED_CONFIG_KEY = "evalkit"
