"""The platform a command talks to, from the global options (``evalkit.connection``)."""

from __future__ import annotations

from pathlib import Path

from evalkit.cli.context import GlobalOptions
from evalkit.connection import Connection


def connection_of(options: GlobalOptions) -> Connection:
    """``--base-url``/``--api-key`` (or their environment variables) and ``--local``."""
    return Connection(base_url=options.base_url, api_key=options.api_key, local=options.local)


def project_root(options: GlobalOptions) -> Path:
    """The manifest's folder, where the local platform keeps its state."""
    return options.manifest.resolve().parent
