"""The platform a command talks to, from the global options (``evalkit.connection``)."""

from __future__ import annotations

from pathlib import Path

import click
from click.core import ParameterSource

from evalkit.cli.context import GlobalOptions
from evalkit.connection import BASE_URL_VARIABLE, Connection


def connection_of(options: GlobalOptions) -> Connection:
    """``--base-url``/``--api-key`` (or their environment variables) and ``--local``."""
    return Connection(
        base_url=options.base_url,
        api_key=options.api_key,
        local=options.local,
        base_url_source=_base_url_source(),
    )


def _base_url_source() -> str:
    """Whether ``--base-url`` was typed or read from its variable, for messages about it."""
    context = click.get_current_context(silent=True)
    if context is None:
        return "--base-url"
    source = context.find_root().get_parameter_source("base_url")
    return BASE_URL_VARIABLE if source is ParameterSource.ENVIRONMENT else "--base-url"


def project_root(options: GlobalOptions) -> Path:
    """The manifest's folder, where the local platform keeps its state."""
    return options.manifest.resolve().parent
