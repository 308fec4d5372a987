"""The local EigenPal platform: the v1 API on loopback, SQLite state, agents really executed.

The emulator imports ``evalkit.api`` and never the client. The names below are loaded on first
use, so that importing a submodule (e.g. the agent runtime) does not pull in the web stack.

    start_platform(config) -> RunningPlatform   serve on 127.0.0.1 from a background thread
    create_app(config) -> FastAPI               the app alone (e.g. for an in-process client)
    PlatformConfig, FaultConfig                 how it is set up; which faults it injects
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evalkit.lazy_names import lazy_names

if TYPE_CHECKING:
    from evalkit.emulator.app import create_app
    from evalkit.emulator.config import PlatformConfig, generate_api_key
    from evalkit.emulator.faults import FaultConfig
    from evalkit.emulator.server import RunningPlatform, start_platform

__all__ = [
    "FaultConfig",
    "PlatformConfig",
    "RunningPlatform",
    "create_app",
    "generate_api_key",
    "start_platform",
]

_HOMES = {
    "FaultConfig": "evalkit.emulator.faults",
    "PlatformConfig": "evalkit.emulator.config",
    "RunningPlatform": "evalkit.emulator.server",
    "create_app": "evalkit.emulator.app",
    "generate_api_key": "evalkit.emulator.config",
    "start_platform": "evalkit.emulator.server",
}


__getattr__ = lazy_names(__name__, _HOMES)
