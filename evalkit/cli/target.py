"""Which EigenPal platform a command talks to: a remote one, or the local one started here.

A remote platform is used when a base URL is configured (``--base-url`` or
``EIGENPAL_BASE_URL``) and ``--local`` is not given; it needs an API key. Otherwise evalkit
starts the local platform in this process, with its state in ``.evalkit/platform/`` beside
the manifest, and a key made for this process only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from evalkit.cli.context import GlobalOptions
from evalkit.errors import ConfigError

LOCAL_STATE_FOLDER = Path(".evalkit") / "platform"


@dataclass(frozen=True)
class Target:
    """A reachable platform: where it is, how to authenticate, and whether it is ours."""

    base_url: str
    api_key: str
    is_local: bool
    description: str

    def __repr__(self) -> str:  # the key never shows up in a repr or a traceback
        return f"Target(base_url={self.base_url!r}, is_local={self.is_local}, api_key='***')"


def wants_local(options: GlobalOptions) -> bool:
    return options.local or not options.base_url


def local_state_dir(options: GlobalOptions) -> Path:
    """``.evalkit/platform/`` in the manifest's folder (the project root)."""
    return options.manifest.resolve().parent / LOCAL_STATE_FOLDER


@contextmanager
def open_target(options: GlobalOptions, *, workflows_dir: Path | None = None) -> Iterator[Target]:
    """Yield the platform to talk to; a local one is stopped when the block ends."""
    if not wants_local(options):
        assert options.base_url is not None
        from evalkit.client import check_base_url

        # Checked before anything else: a key pasted into the URL must not reach a message.
        base_url = check_base_url(options.base_url)
        if not options.api_key:
            raise ConfigError(
                f"no API key for {base_url}: pass --api-key or set EIGENPAL_API_KEY "
                "(or drop --base-url/EIGENPAL_BASE_URL to use the local platform)"
            )
        yield Target(
            base_url=base_url,
            api_key=options.api_key,
            is_local=False,
            description=f"remote platform {base_url}",
        )
        return

    # Imported here so that commands talking to a remote platform never load the emulator.
    from evalkit.emulator.config import PlatformConfig, generate_api_key
    from evalkit.emulator.server import start_platform

    state_dir = local_state_dir(options)
    state_dir.mkdir(parents=True, exist_ok=True)
    key = generate_api_key()
    config = PlatformConfig(data_dir=state_dir, api_keys=(key,), workflows_dir=workflows_dir)
    with start_platform(config) as running:
        yield Target(
            base_url=running.base_url,
            api_key=running.api_key,
            is_local=True,
            description=f"local platform {running.base_url} (state in {_shown(state_dir)})",
        )


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
