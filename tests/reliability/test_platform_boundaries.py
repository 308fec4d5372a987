"""The local platform's boundaries, tried from outside and from inside, on a real ``evalkit serve``.

From outside: it listens on loopback only; every endpoint but the health probe wants the key
(none, a wrong one, an empty one, the right one in another case); keys are compared in constant
time; workspace paths that try to leave their folder (URL-encoded, backslashes, Unicode
look-alikes) are refused.

From inside: an agent program tries what a careless or hostile one could: read the platform's
SQLite file, another agent's workspace files and run inputs, its own expected outputs through the
blob store, the API key from its parents' ``/proc/<pid>/environ``, and a daemon (fork + setsid)
that outlives the run. Each claim is asserted for the isolation the platform reports; a claim
the machine's isolation does not make is skipped with the reason, never passed.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import re
import shutil
import socket
import tempfile
import textwrap
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from evalkit.emulator.app import create_app
from evalkit.emulator.auth import key_is_valid
from evalkit.emulator.config import PlatformConfig

from .processes import Served, serve

KEY = "eg_local_BOUNDARY_0123456789abcdef"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def outside_tmp() -> Iterator[Path]:
    """A folder outside /tmp (which the strongest isolation hides whole), open to every user,
    so that what keeps a program out is the isolation itself and not a closed parent folder."""
    folder = Path(tempfile.mkdtemp(prefix="evalkit-boundaries-", dir="/var/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Platform:
    served: Served
    #: what ``evalkit serve`` said about agent isolation
    isolation: str

    def client(self, headers: dict[str, str] | None = None) -> httpx.Client:
        return httpx.Client(base_url=self.served.base_url, headers=headers or {}, timeout=60)


@pytest.fixture(scope="module")
def platform(outside_tmp: Path) -> Iterator[Platform]:
    with serve(outside_tmp / "platform", KEY) as served:
        said = served.wait_for_log("Ctrl-C to stop")  # said before serving
        isolation = next((line for line in said if line.startswith("agent isolation:")), "")
        assert isolation, f"serve did not say what isolation agents get: {said}"
        yield Platform(served, isolation.strip())


# -- from outside: the network and the key -------------------------------------------------


def test_it_listens_on_loopback_only(platform: Platform) -> None:
    assert platform.served.base_url.startswith("http://127.0.0.1:")
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to try")
    port = platform.served.base_url.rsplit(":", 1)[1]
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://{address}:{port}/_emulator/health", timeout=5)


def _non_loopback_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET: no packet is sent for a UDP connect
        except OSError:
            return None
        address: str = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def every_route() -> list[tuple[str, str]]:
    """(method, path) of every endpoint of the platform, with placeholders filled in."""
    app = create_app(PlatformConfig(api_keys=(KEY,), isolation="process-group"))
    try:
        paths: dict[str, dict[str, Any]] = app.openapi()["paths"]
    finally:
        app.state.platform.close()
    return [
        (method.upper(), re.sub(r"\{[^}]*\}", "x", path))
        for path, operations in sorted(paths.items())
        for method in sorted(operations)
    ]


ROUTES = every_route()
WITHOUT_A_GOOD_KEY = {
    "none": {},
    "wrong": {"Authorization": "Bearer eg_local_WRONG_0123456789abcdef"},
    "empty": {"Authorization": "Bearer"},  # httpx strips nothing: "Bearer " is refused by it
    "empty header": {"Authorization": ""},
    "other case": {"Authorization": f"Bearer {KEY.upper()}"},
    "no scheme": {"Authorization": KEY},
    "basic": {"Authorization": "Basic " + base64.b64encode(f"x:{KEY}".encode()).decode()},
    "prefix": {"Authorization": f"Bearer {KEY[:-1]}"},
}


def test_there_are_endpoints_to_try() -> None:
    assert len(ROUTES) >= 30
    assert ("GET", "/_emulator/health") in ROUTES


@pytest.mark.parametrize("variant", sorted(WITHOUT_A_GOOD_KEY))
def test_every_endpoint_but_health_wants_the_key(platform: Platform, variant: str) -> None:
    headers = WITHOUT_A_GOOD_KEY[variant]
    with platform.client(headers) as http:
        for method, path in ROUTES:
            response = http.request(method, path, json={})
            if path == "/_emulator/health":
                assert response.status_code == 200
                continue
            assert response.status_code == 401, f"{method} {path} with {variant} key"
            assert response.json()["issues"][0]["code"] == "unauthorized"
            assert KEY not in response.text


def test_the_key_opens_the_door(platform: Platform) -> None:
    with platform.client(AUTH) as http:
        assert http.get("/api/v1/agents").status_code == 200


def test_keys_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every accepted key is compared with ``hmac.compare_digest``, whether an earlier one
    matched or not and whatever the lengths, so the time taken says nothing about the keys."""
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)  # the module auth.py calls it through
    keys = (b"eg_first", b"eg_second_longer", b"eg_third")
    assert key_is_valid("eg_first", keys)
    assert [b for _, b in compared] == list(keys), "stopped at the first match"
    compared.clear()
    assert not key_is_valid("x", keys)
    assert [b for _, b in compared] == list(keys), "a short key skipped the comparison"


# -- from outside: workspace paths ----------------------------------------------------------

#: raw query strings, sent as they are (the server decodes them once)
ESCAPING_QUERIES = [
    "path=../outside.txt",
    "path=%2e%2e%2foutside.txt",
    "path=%2E%2E/outside.txt",
    "path=..%2F..%2Foutside.txt",
    "path=%252e%252e%252foutside.txt",  # encoded twice
    "path=a%5c..%5c..%5coutside.txt",  # backslashes
    "path=..%5coutside.txt",
    "path=%2Fetc%2Fpasswd",
    "path=C:%5Cwindows",
    "path=%EF%BC%8E%EF%BC%8E/outside.txt",  # fullwidth full stops
    "path=a%EF%BC%8Fb",  # fullwidth solidus
    "path=a%E2%88%95b",  # division slash
    "path=%E2%80%A5/outside.txt",  # two dot leader
    "path=a%00b",
]


@pytest.fixture(scope="module")
def target_agent(platform: Platform) -> str:
    with platform.client(AUTH) as http:
        created = http.post(
            "/api/v1/agents",
            json={"name": "Paths", "slug": "paths", "config": {"runtime": {"builtin": "echo"}}},
        )
        assert created.status_code == 201, created.text
    return "paths"


@pytest.mark.parametrize("query", ESCAPING_QUERIES)
def test_escaping_workspace_paths_are_refused(
    platform: Platform, target_agent: str, query: str, outside_tmp: Path
) -> None:
    url = f"{platform.served.base_url}/api/v1/agents/{target_agent}/files?{query}"
    with platform.client(AUTH) as http:
        put = http.put(url, json={"content": "escaped"})
        get = http.get(url)
    assert put.status_code == 400, put.text
    assert put.json()["issues"][0]["field"] == "query.path"
    assert get.status_code == 400, get.text
    assert not list(outside_tmp.rglob("*outside.txt")), "a file was written outside"


@pytest.mark.parametrize(
    "name", ["../x", "a\\b", "\uff0e\uff0e/x", "%2e%2e/x", "a\u2215b", "/abs", "a/./b"]
)
def test_escaping_paths_in_an_upload_are_refused(
    platform: Platform, target_agent: str, name: str
) -> None:
    with platform.client(AUTH) as http:
        response = http.post(
            f"/api/v1/agents/{target_agent}/files",
            json={"files": [{"path": "ok.txt", "content": "1"}, {"path": name, "content": "2"}]},
        )
        listed = http.get(f"/api/v1/agents/{target_agent}/files").json()["files"]
    assert response.status_code == 400, response.text
    assert response.json()["issues"][0]["field"] == "body.files[1].path"
    assert "ok.txt" not in listed, "a refused upload wrote part of its files"


# -- from inside: what an agent program can reach ------------------------------------------

SECRETS = {
    "another agent's workspace file": f"VICTIM-WORKSPACE-{uuid.uuid4().hex}",
    "another agent's run input": f"VICTIM-INPUT-{uuid.uuid4().hex}",
    "another agent's expected output": f"VICTIM-EXPECTED-{uuid.uuid4().hex}",
    "its own expected output": f"OWN-EXPECTED-{uuid.uuid4().hex}",
}

PROBE = """
    import json, os, pathlib, sys, time

    given = json.loads(pathlib.Path("input.json").read_text())
    # Given reversed, so that the probe's own input (stored by the platform) never matches.
    wanted = {label: text[::-1] for label, text in given["reversed"].items()}
    wanted["the API key"] = "EVALKIT_SERVE_API_KEY="
    found = {}

    def look(where, path):
        try:
            with open(path, "rb") as handle:
                text = handle.read(64 * 1024 * 1024).decode("latin-1")
        except OSError:
            return
        for label, secret in wanted.items():
            if secret in text:
                found.setdefault(label, []).append(where)

    def walk(where, folder):
        for root, _, names in os.walk(folder):
            for name in names:
                look(where, os.path.join(root, name))

    walk("the data folder", given["data"])
    for up in range(1, 8):  # climbing out of the working directory
        look("a relative path", "../" * up + "platform.sqlite3")
        walk("a relative path", "../" * up + "blobs")
    pids = [str(os.getppid())] + [p for p in os.listdir("/proc") if p.isdigit()]
    for pid in pids:
        look(f"/proc/{pid}/environ", f"/proc/{pid}/environ")

    if os.fork() == 0:  # a daemon: fork, setsid, fork, stdio closed, parent gone
        os.setsid()
        if os.fork() == 0:
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            code = (
                "import pathlib, sys, time; pathlib.Path('daemon-ready').touch(); time.sleep(3);"
                "pathlib.Path(sys.argv[1], 'daemon-was-here').write_text('!')"
            )
            os.execv(sys.executable, [sys.executable, "-c", code, given["drop"], given["token"]])
        os._exit(0)
    for _ in range(400):
        if pathlib.Path("daemon-ready").exists():
            break
        time.sleep(0.025)
    print(json.dumps({"found": found, "daemon": pathlib.Path("daemon-ready").exists()}))
"""


@dataclass
class Probed:
    isolation: str
    found: dict[str, list[str]]
    daemon_started: bool
    daemon_survived: bool


@pytest.fixture(scope="module")
def probed(platform: Platform, outside_tmp: Path) -> Iterator[Probed]:
    drop = outside_tmp / "drop"
    drop.mkdir()
    drop.chmod(0o777)  # any user may write here: only the isolation can stop the daemon
    token = f"evalkit-boundary-daemon-{uuid.uuid4().hex}"
    with platform.client(AUTH) as http:
        _agent(http, "victim", {"main.py": "print('{}')"}, SECRETS, victim=True)
        run = http.post(
            "/api/v1/agents/victim/run",
            params={"wait_for_completion": 60},
            json={"input": {"note": SECRETS["another agent's run input"]}},
        )
        assert run.json()["status"] == "completed", run.text
        _agent(http, "prober", {"main.py": textwrap.dedent(PROBE)}, SECRETS, victim=False)
        given = {
            "data": str(platform.served.data_dir),
            "drop": str(drop),
            "token": token,
            "reversed": {label: text[::-1] for label, text in SECRETS.items()},
        }
        answer = http.post(
            "/api/v1/agents/prober/run",
            params={"wait_for_completion": 120},
            json={"input": given},
        ).json()
    assert answer["status"] == "completed", answer
    output: dict[str, Any] = answer["output"]
    time.sleep(4)  # the daemon writes its mark 3 s after it starts, if it still lives
    alive = _processes_with(token)
    yield Probed(
        isolation=platform.isolation,
        found=output["found"],
        daemon_started=output["daemon"],
        daemon_survived=bool(alive) or (drop / "daemon-was-here").exists(),
    )
    for pid in alive:
        os.kill(pid, 9)


def _agent(
    http: httpx.Client, slug: str, files: dict[str, str], secrets: dict[str, str], *, victim: bool
) -> None:
    created = http.post("/api/v1/agents", json={"name": slug, "slug": slug, "config": {}})
    assert created.status_code == 201, created.text
    if victim:
        files = {
            **files,
            "notes/secret.txt": secrets["another agent's workspace file"],
            "examples/one/expected.json": json.dumps(secrets["another agent's expected output"]),
        }
    else:
        files = {
            **files,
            "examples/one/expected.json": json.dumps(secrets["its own expected output"]),
        }
    body = {"files": [{"path": path, "content": content} for path, content in files.items()]}
    uploaded = http.post(f"/api/v1/agents/{slug}/files", json=body)
    assert uploaded.status_code == 200, uploaded.text


def _processes_with(token: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if token.encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                    found.append(int(entry))
            except OSError:
                continue
    return found


def _claims(isolation: str) -> set[str]:
    """What the isolation ``evalkit serve`` reported promises (docs/agent-runtime.md)."""
    if isolation.startswith("agent isolation: namespaces."):
        return {"data", "environ", "leftovers"}
    if isolation.startswith("agent isolation: subreaper."):
        as_nobody = "run as user " in isolation
        return {"leftovers"} | ({"data", "environ"} if as_nobody else set())
    return set()


def _claimed_or_skip(probed: Probed, claim: str) -> None:
    if claim not in _claims(probed.isolation):
        pytest.skip(f"not promised on this machine, where the platform reports: {probed.isolation}")


@pytest.mark.slow
@pytest.mark.parametrize(
    "secret",
    [
        "another agent's workspace file",
        "another agent's run input",
        "another agent's expected output",
        "its own expected output",
    ],
)
def test_an_agent_cannot_read_what_the_platform_stores(probed: Probed, secret: str) -> None:
    _claimed_or_skip(probed, "data")
    assert secret not in probed.found, f"read {secret} through {probed.found[secret]}"


@pytest.mark.slow
def test_an_agent_cannot_read_the_api_key_from_a_parents_environment(probed: Probed) -> None:
    _claimed_or_skip(probed, "environ")
    assert "the API key" not in probed.found, probed.found["the API key"]


@pytest.mark.slow
def test_a_daemonised_grandchild_does_not_survive_the_run(probed: Probed) -> None:
    assert probed.daemon_started, "the daemon never started: nothing was tested"
    _claimed_or_skip(probed, "leftovers")
    assert not probed.daemon_survived
