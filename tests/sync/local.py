"""The local platform on loopback, restartable (e.g. with faults), and counting clients."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from evalkit.client import EigenpalClient
from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.faults import FaultConfig
from evalkit.emulator.server import RunningPlatform, start_platform

API_KEY = "eg_test_sync_0123456789"


class CountingTransport(httpx.BaseTransport):
    """Real HTTP, with every request noted as ``(method, path)``."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.seen: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.seen.append((request.method, request.url.path))
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()

    def reset(self) -> None:
        with self._lock:
            self.seen.clear()

    @property
    def writes(self) -> list[tuple[str, str]]:
        return [entry for entry in self.seen if entry[0] != "GET"]

    @property
    def reads(self) -> list[tuple[str, str]]:
        return [entry for entry in self.seen if entry[0] == "GET"]


@dataclass
class Counted:
    client: EigenpalClient
    transport: CountingTransport


@dataclass
class LocalPlatform:
    """Starts (and restarts, e.g. with faults) one platform on one data folder."""

    data_dir: Path
    running: RunningPlatform | None = None
    opened: list[Counted] = field(default_factory=list)

    faulty: bool = False

    def start(self, faults: FaultConfig | None = None) -> RunningPlatform:
        self.stop()
        self.faulty = faults is not None
        config = PlatformConfig(
            data_dir=self.data_dir, api_keys=(API_KEY,), workers=1, faults=faults or FaultConfig()
        )
        self.running = start_platform(config)
        return self.running

    def stop(self) -> None:
        if self.running is not None:
            self.running.stop()
            self.running = None

    @property
    def base_url(self) -> str:
        assert self.running is not None
        return self.running.base_url

    def reset(self) -> None:
        """A clean platform for the next test: faults off, every agent and file wiped."""
        if self.faulty or self.running is None:
            self.start()
        headers = {"Authorization": f"Bearer {API_KEY}"}
        answer = httpx.post(f"{self.base_url}/_emulator/reset", headers=headers)
        assert answer.status_code == 200, answer.text

    def close_clients(self) -> None:
        for counted in self.opened:
            counted.client.close()
        self.opened.clear()

    def client(self) -> Counted:
        """A client with retries off, so an injected fault is seen at once."""
        transport = CountingTransport()
        client = EigenpalClient(
            api_key=API_KEY, base_url=self.base_url, max_retries=0, transport=transport
        )
        counted = Counted(client, transport)
        self.opened.append(counted)
        return counted
