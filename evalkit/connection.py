"""Which EigenPal platform evalkit talks to: a remote one, or the local one it starts itself.

A ``Connection`` is the caller's choice, made once (from the CLI's global options, from the
environment, or by hand); ``open_platform`` turns it into an ``OpenPlatform`` for the length
of a ``with`` block. A remote platform is used when a base URL is given and ``local`` is not
set; it needs an API key. Otherwise evalkit starts the local platform in a child process of its
own (``evalkit.emulator.child``: the platform and the runner then use a core each instead of
sharing one interpreter lock), with its state in ``.evalkit/platform/`` under the project root
and a key made for this process only, handed to the child on a pipe. The child is stopped when
the block ends, after a Ctrl-C too (it does not get the terminal's Ctrl-C itself, so the runner
can still cancel and record its executions), and ends by itself if this process dies.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.api.urls import redact_url
from evalkit.conventions import LOCAL_STATE_FOLDER
from evalkit.errors import ConfigError

if TYPE_CHECKING:
    from evalkit.client import EigenpalClient
    from evalkit.emulator.launch import PlatformLaunch as PlatformLaunch  # (for evaluation)

#: the environment variables the CLI and ``Connection.from_env`` read
BASE_URL_VARIABLE = "EIGENPAL_BASE_URL"
API_KEY_VARIABLE = "EIGENPAL_API_KEY"
#: nothing answered for this long: say so (once per silence), and keep waiting
SILENCE_NOTE_SECONDS = 10.0


@dataclass(frozen=True)
class Connection:
    """How to reach a platform. ``Connection()`` is the local platform."""

    base_url: str | None = None
    api_key: str | None = None
    #: the local platform even when a base URL is set (the CLI's ``--local``)
    local: bool = False
    #: where ``base_url`` came from, as messages about it name it: ``--base-url``,
    #: ``EIGENPAL_BASE_URL``, or ``base_url`` (given by hand)
    base_url_source: str = field(default="base_url", compare=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Connection:
        """``EIGENPAL_BASE_URL`` and ``EIGENPAL_API_KEY``, as the CLI reads them."""
        environment = os.environ if env is None else env
        return cls(
            base_url=environment.get(BASE_URL_VARIABLE) or None,
            api_key=environment.get(API_KEY_VARIABLE) or None,
            base_url_source=BASE_URL_VARIABLE,
        )

    @property
    def is_local(self) -> bool:
        return self.local or not self.base_url

    def __repr__(self) -> str:  # the key never shows up in a repr or a traceback
        url = redact_url(self.base_url) if self.base_url else None
        key = "'***'" if self.api_key else "None"
        return f"Connection(base_url={url!r}, api_key={key}, local={self.local})"


@dataclass(frozen=True)
class OpenPlatform:
    """A reachable platform: where it is, how to authenticate, and whether it is ours."""

    base_url: str
    api_key: str
    is_local: bool
    description: str
    #: lines for the user about the platform as it started (the local one's pass_env)
    notes: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"OpenPlatform(base_url={self.base_url!r}, is_local={self.is_local}, api_key='***')"


def local_state_dir(project_root: Path) -> Path:
    """``.evalkit/platform/`` in the project root."""
    return project_root.resolve() / LOCAL_STATE_FOLDER


@contextmanager
def open_platform(
    connection: Connection,
    *,
    project_root: Path,
    workflows_dir: Path | None = None,
    workers: int | None = None,
    pass_env: tuple[str, ...] = (),
    launch: PlatformLaunch | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> Iterator[OpenPlatform]:
    """Yield the platform to talk to; a local one is stopped when the block ends.
    ``workers``: how many executions the local platform runs at once (its default if None).
    ``pass_env``: variables of this environment the local platform passes to agent programs
    (a remote platform ignores them). ``launch``: the local platform's process, started ahead
    by ``launching_platform`` (else it starts here); it is then asked to stop when this block
    ends, and waited for when the launch's block ends. ``meanwhile``: the caller's work that
    needs no platform, run once before the block: while the local platform starts, once it
    has its configuration; not held after it ran."""
    if not connection.is_local:
        remote = _remote(connection)
        if meanwhile is not None:
            meanwhile()
        meanwhile = None  # not held by the block: it may hold the caller's manifest
        yield remote
        return

    # Imported here so that talking to a remote platform never loads the local one.
    from evalkit.emulator.config import MAX_WORKERS, PlatformConfig, generate_api_key
    from evalkit.emulator.launch import PlatformLaunch

    state_dir = local_state_dir(project_root)
    state_dir.mkdir(parents=True, exist_ok=True)
    config = PlatformConfig(
        data_dir=state_dir,
        api_keys=(generate_api_key(),),
        workflows_dir=workflows_dir,
        pass_env=pass_env,
    )
    if workers is not None:
        # More than the platform's most wait in its queue, as on any platform.
        config = dataclasses.replace(config, workers=min(workers, MAX_WORKERS))
    starting = launch or PlatformLaunch()
    try:
        running = starting.start(config, meanwhile=meanwhile)
    except BaseException:
        if launch is None:  # (a launch handed in is stopped by its own block)
            starting.stop()
        raise
    meanwhile = None  # not held by the block: it may hold the caller's manifest
    try:
        yield OpenPlatform(
            base_url=running.base_url,
            api_key=running.api_key,
            is_local=True,
            description=f"local platform {running.base_url} (state in {_shown(state_dir)})",
            notes=running.notes,
        )
    finally:
        if launch is None:
            running.stop()
        else:  # the launch's block waits for it: a run writes its reports meanwhile
            running.request_stop()


@contextmanager
def launching_platform(
    connection: Connection, launch: PlatformLaunch | None = None
) -> Iterator[PlatformLaunch | None]:
    """For a local ``connection``, the local platform's process started now (or ``launch``,
    started earlier), so that its start overlaps the caller's work until
    ``open_platform(..., launch=...)``; stopped (or, once used, waited for) when the block
    ends. None for a remote platform (``launch``, unused, is then stopped at once)."""
    if not connection.is_local:
        if launch is not None:
            launch.stop()
        yield None
        return
    if launch is None:
        from evalkit.emulator.launch import PlatformLaunch

        launch = PlatformLaunch()
    with launch:
        yield launch


@contextmanager
def open_client(
    connection: Connection | None,
    *,
    project_root: Path,
    note: Callable[[str], None] = lambda line: None,
) -> Iterator[EigenpalClient]:
    """A client on the platform of ``connection`` (default: from the environment) for the
    length of a ``with`` block (``patient_client``); ``note`` hears which platform it is."""
    with open_platform(connection or Connection.from_env(), project_root=project_root) as platform:
        note(f"platform: {platform.description}")
        with patient_client(platform, note) as client:
            yield client


@contextmanager
def patient_client(
    platform: OpenPlatform, note: Callable[[str], None] = lambda line: None
) -> Iterator[EigenpalClient]:
    """The client of plan, sync, pull, harvest and the checks before a run: it waits out a
    rate limit for up to ``PLATFORM_PATIENCE_SECONDS`` per call, and gives up on a platform
    that answers nothing for that long (each request waits that long at most), telling
    ``note`` meanwhile. The run's own calls have their own client and rules (``runner``)."""
    from evalkit.client import EigenpalClient
    from evalkit.client.retry import PLATFORM_PATIENCE_SECONDS as patience
    from evalkit.client.silence import notes_while_silent

    with EigenpalClient(
        api_key=platform.api_key,
        base_url=platform.base_url,
        timeout_seconds=patience,
        patience_seconds=patience,
    ) as client:
        assert client.silence is not None  # (made with patience)
        with notes_while_silent(
            client.silence, platform.base_url, note, patience=patience, after=SILENCE_NOTE_SECONDS
        ):
            yield client


def _remote(connection: Connection) -> OpenPlatform:
    assert connection.base_url is not None
    from evalkit.client import check_base_url

    # Checked before anything else: a key pasted into the URL must not reach a message.
    base_url = check_base_url(connection.base_url, source=connection.base_url_source)
    if not connection.api_key:
        raise ConfigError(
            f"no API key for {base_url}: pass --api-key or set {API_KEY_VARIABLE} "
            f"(or drop --base-url/{BASE_URL_VARIABLE} to use the local platform)"
        )
    return OpenPlatform(
        base_url=base_url,
        api_key=connection.api_key,
        is_local=False,
        description=f"remote platform {base_url}",
    )


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
