"""The official SDK and our client send the same requests for the same calls.

A small recording server on 127.0.0.1 keeps, for each request, the method, the raw path, the
query, the JSON body and the multipart layout (field names in order, filenames, part types,
the ``_json`` text), and answers a canned valid body. Both clients make the same calls and
the recordings must match (headers such as User-Agent are ignored).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import eigenpal
import pytest

from evalkit.client import EigenpalClient

from .conftest import AGENT, EXECUTION, TS, WORKFLOW

WF_STATUS = {"executionId": "wexec_1", "status": "completed", "createdAt": TS, "result": {"n": 1}}
DETAIL: dict[str, Any] = {"feedback": None, "expected": None, "expectedFiles": []}
EMPTY_PAGE: dict[str, Any] = {"data": [], "total": 0, "limit": 50, "offset": 0}
EXECUTIONS = {"executions": [EXECUTION], "total": 1, "limit": 50, "offset": 0}

# (method, path pattern) -> (status, JSON body or raw bytes); first match wins.
ROUTES: list[tuple[str, str, int, Any]] = [
    ("GET", r"/api/v1/agents", 200, {"data": [AGENT], "total": 1, "limit": 50, "offset": 0}),
    ("POST", r"/api/v1/agents", 201, {"agent": AGENT}),
    ("POST", r"/api/v1/agents/executions/[^/]+/cancel", 200, {"execution": EXECUTION}),
    (
        "POST",
        r"/api/v1/agents/executions/[^/]+/rerun",
        202,
        {"executionId": "exec_2", "sourceExecutionId": "exec_1", "status": "pending"},
    ),
    ("GET", r"/api/v1/agents/executions/[^/]+/feedback", 200, DETAIL),
    ("PATCH", r"/api/v1/agents/executions/[^/]+/feedback", 200, DETAIL),
    ("DELETE", r"/api/v1/agents/executions/[^/]+/feedback", 200, DETAIL),
    ("GET", r"/api/v1/agents/executions/[^/]+/expected", 200, {"expected": None, "files": []}),
    ("POST", r"/api/v1/agents/executions/[^/]+/expected", 201, {"name": "g.csv"}),
    ("GET", r"/api/v1/agents/executions/[^/]+/expected/[^/]+", 200, b"a,b\n"),
    ("PATCH", r"/api/v1/agents/executions/[^/]+/expected/[^/]+", 200, {"name": "h.csv"}),
    ("DELETE", r"/api/v1/agents/executions/[^/]+/expected/[^/]+", 204, None),
    ("GET", r"/api/v1/agents/executions/[^/]+/files/[^/]+/[^/]+", 200, b"out"),
    ("GET", r"/api/v1/agents/executions/[^/]+", 200, {"execution": EXECUTION}),
    ("GET", r"/api/v1/agents/[^/]+/executions", 200, EXECUTIONS),
    ("POST", r"/api/v1/agents/[^/]+/run", 202, {"executionId": "exec_1", "status": "completed"}),
    ("GET", r"/api/v1/agents/[^/]+/files", 200, {"files": ["AGENT.md"]}),
    ("PUT", r"/api/v1/agents/[^/]+/files", 200, {"ok": True, "path": "AGENT.md"}),
    ("POST", r"/api/v1/agents/[^/]+/files", 200, {"ok": True, "files": ["a.md"]}),
    ("GET", r"/api/v1/agents/[^/]+", 200, {"agent": AGENT}),
    ("PATCH", r"/api/v1/agents/[^/]+", 200, {"agent": AGENT}),
    ("GET", r"/api/v1/workflows", 200, {"data": [WORKFLOW], "total": 1, "limit": 50, "offset": 0}),
    ("GET", r"/api/v1/workflows/executions/[^/]+", 200, WF_STATUS),
    (
        "POST",
        r"/api/v1/workflows/executions/[^/]+/cancel",
        200,
        {"executionId": "wexec_1", "status": "cancelled", "wasStatus": "running"},
    ),
    ("POST", r"/api/v1/workflows/[^/]+/run", 201, {"executionId": "wexec_1", "status": "running"}),
    ("GET", r"/api/v1/workflows/[^/]+/versions", 200, EMPTY_PAGE),
    ("GET", r"/api/v1/workflows/[^/]+/executions", 200, EMPTY_PAGE),
    ("GET", r"/api/v1/workflows/[^/]+", 200, {**WORKFLOW, "yamlContent": "steps: []"}),
]  # fmt: skip

PART_HEADER = re.compile(
    rb'Content-Disposition: form-data; name="([^"]+)"(?:; filename="([^"]*)")?\r\n'
    rb"(?:Content-Type: ([^\r]+)\r\n)?\r\n"
)


@dataclass
class Recorded:
    method: str
    path: str
    query: list[tuple[str, str]]
    json: Any = None
    parts: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    json_field: Any = None


def multipart_layout(body: bytes) -> tuple[list[tuple[str, str | None, str | None]], Any]:
    parts: list[tuple[str, str | None, str | None]] = []
    json_field = None
    for match in PART_HEADER.finditer(body):
        name = match.group(1).decode()
        filename = match.group(2).decode() if match.group(2) is not None else None
        part_type = match.group(3).decode() if match.group(3) else None
        parts.append((name, filename, part_type))
        if name == "_json":
            rest = body[match.end() :]
            json_field = json.loads(rest[: rest.index(b"\r\n--")])
    return parts, json_field


class Recorder(BaseHTTPRequestHandler):
    records: list[Recorded]

    def _handle(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        record = Recorded(self.command, split.path, sorted(parse_qsl(split.query)))
        content_type = self.headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):
            record.parts, record.json_field = multipart_layout(body)
        elif body:
            record.json = json.loads(body)
        self.server.records.append(record)  # type: ignore[attr-defined]
        status, answer = self._route(self.command, split.path, split.query)
        self.send_response(status)
        if isinstance(answer, bytes):
            self.send_header("content-type", "application/octet-stream")
            payload = answer
        elif answer is None:
            payload = b""
        else:
            self.send_header("content-type", "application/json")
            payload = json.dumps(answer).encode()
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    @staticmethod
    def _route(method: str, path: str, query: str) -> tuple[int, Any]:
        if method == "GET" and path.endswith("/files") and "path=" in query:
            return 200, {"path": "AGENT.md", "contentBase64": "aGk=", "contentType": "text/plain"}
        for route_method, pattern, status, answer in ROUTES:
            if route_method == method and re.fullmatch(pattern, path):
                return status, answer
        return 404, {"issues": [{"field": "<root>", "message": path, "code": "not_found"}]}

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass


class RecordingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Recorder)
        self.records: list[Recorded] = []

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


@pytest.fixture(scope="module")
def server() -> Iterator[RecordingServer]:
    made = RecordingServer()
    thread = threading.Thread(target=made.serve_forever, daemon=True)
    thread.start()
    yield made
    made.shutdown()
    made.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def clients(server: RecordingServer) -> Iterator[tuple[Any, EigenpalClient]]:
    sdk = eigenpal.EigenpalClient(api_key="eg_parity", base_url=server.url, timeout_seconds=10)
    ours = EigenpalClient(api_key="eg_parity", base_url=server.url, timeout_seconds=10)
    with sdk, ours:
        yield sdk, ours


@pytest.fixture(scope="module")
def upload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("parity") / "invoice.pdf"
    path.write_bytes(b"%PDF-1.4 parity")
    return path


Scenario = Callable[[Any, Path], Any]

SCENARIOS: dict[str, Scenario] = {
    "agents.list": lambda c, f: c.agents.list(search="inv", limit=5, offset=0),
    "agents.get": lambda c, f: c.agents.get("inv", include="files,dataset"),
    "agents.create": lambda c, f: c.agents.create(
        name="Inv", slug="inv", description="d", config={"triggers": {"api": {"enabled": True}}}
    ),
    "agents.update": lambda c, f: c.agents.update("inv", name="New", config={"k": 1}),
    "agents.run.json": lambda c, f: c.agents.run("inv", {"a": 1, "b": [1]}, wait_for_completion=5),
    "agents.run.empty": lambda c, f: c.agents.run("inv"),
    "agents.run.multipart": lambda c, f: c.agents.run("inv", {"doc": f, "lang": "en"}),
    "agents.run.files_only": lambda c, f: c.agents.run(
        "inv", {"doc": {"content": b"x", "filename": "b.json"}}
    ),
    "agents.list_files": lambda c, f: c.agents.list_files("inv", prefix="skills/"),
    "agents.list_files.path": lambda c, f: c.agents.list_files("inv", path="AGENT.md"),
    "agents.put_file": lambda c, f: c.agents.put_file("inv", "AGENT.md", content_base64="aGk="),
    "agents.upload_files": lambda c, f: c.agents.upload_files(
        "inv", [{"path": "a.md", "content": "A"}, {"path": "b.bin", "contentBase64": "Yg=="}]
    ),
    "executions.list": lambda c, f: c.agents.executions.list(
        "inv",
        status="completed",
        batch_id="b1",
        example_name_contains="ex",
        has_feedback=True,
        no_feedback=False,
        feedback_rating="pass",
        feedback_status="open",
        since_last_resolved=True,
        include="feedback,expected",
        sort="createdAt",
        order="desc",
        scan_limit=500,
        limit=5,
        offset=10,
    ),
    "executions.get": lambda c, f: c.agents.executions.get("exec_1", include="files"),
    "executions.cancel": lambda c, f: c.agents.executions.cancel("exec_1"),
    "executions.rerun": lambda c, f: c.agents.executions.rerun("exec_1"),
    "executions.get_feedback": lambda c, f: c.agents.executions.get_feedback("exec_1"),
    "executions.update_feedback": lambda c, f: c.agents.executions.update_feedback(
        "exec_1", body="ok", rating="pass", feedback_status="resolved", expected={"t": 1}
    ),
    "executions.update_feedback.null": lambda c, f: c.agents.executions.update_feedback(
        "exec_1", expected=None
    ),
    "executions.clear_feedback": lambda c, f: c.agents.executions.clear_feedback("exec_1"),
    "executions.list_expected": lambda c, f: c.agents.executions.list_expected("exec_1"),
    "executions.copy_output_to_expected": lambda c, f: c.agents.executions.copy_output_to_expected(
        "exec_1", output_file_name="o.csv", expected_name="g.csv"
    ),
    "executions.upload_expected": lambda c, f: c.agents.executions.upload_expected(
        "exec_1", file=b"a,b\n", filename="g.csv", name="gold/g.csv"
    ),
    "executions.download_expected": lambda c, f: c.agents.executions.download_expected(
        "exec_1", "dir/g.csv"
    ),
    "executions.rename_expected": lambda c, f: c.agents.executions.rename_expected(
        "exec_1", "g.csv", name="h.csv"
    ),
    "executions.delete_expected": lambda c, f: c.agents.executions.delete_expected(
        "exec_1", "g.csv"
    ),
    "executions.download_file": lambda c, f: c.agents.executions.download_file(
        "exec_1", "output", "report 1.csv"
    ),
    "workflows.list": lambda c, f: c.workflows.list(
        search="f", name="flow", kind="workflow", limit=3, offset=1
    ),
    "workflows.get": lambda c, f: c.workflows.get("flow"),
    "workflows.run": lambda c, f: c.workflows.run(
        "flow",
        {"a": 1},
        version="latest",
        wait_for_completion=10,
        overrides={"steps": {"s1": {"x": 1}}},
        trigger="api",
    ),
    "workflows.run.multipart": lambda c, f: c.workflows.run(
        "flow", {"doc": f, "a": 1}, overrides={"steps": {}}, trigger="cli"
    ),
    "workflows.versions": lambda c, f: c.workflows.versions("flow", limit=2, offset=0),
    "workflows.executions.list": lambda c, f: c.workflows.executions.list(
        "flow", status=["running", "completed"], from_date="now()-7d", to_date=TS, example_id="e"
    ),
    "workflows.executions.get": lambda c, f: c.workflows.executions.get("wexec_1"),
    "workflows.executions.get.steps": lambda c, f: c.workflows.executions.get(
        "wexec_1", include_steps=True
    ),
    "workflows.executions.cancel": lambda c, f: c.workflows.executions.cancel("wexec_1"),
}


def record(
    server: RecordingServer, client: Any, scenario: Scenario, upload: Path
) -> list[Recorded]:
    server.records.clear()
    scenario(client, upload)
    return list(server.records)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_same_requests_as_the_sdk(
    name: str, server: RecordingServer, clients: tuple[Any, EigenpalClient], upload: Path
) -> None:
    sdk, ours = clients
    expected = record(server, sdk, SCENARIOS[name], upload)
    assert expected, "the SDK made no request"
    assert record(server, ours, SCENARIOS[name], upload) == expected


def test_run_and_wait_without_hold_matches_the_sdk(
    server: RecordingServer, clients: tuple[Any, EigenpalClient]
) -> None:
    sdk, ours = clients
    server.records.clear()
    sdk_result = sdk.workflows.executions.run_and_wait("flow", {"a": 1}, version="v1")
    expected = list(server.records)
    server.records.clear()
    our_result = ours.workflows.executions.run_and_wait(
        "flow", {"a": 1}, version="v1", hold_seconds=0
    )
    assert list(server.records) == expected
    # The SDK leaves an absent ``error`` as its Unset marker; ours is None.
    assert our_result == {
        "executionId": sdk_result["executionId"],
        "status": str(sdk_result["status"]),
        "result": sdk_result["result"],
        "error": None,
    }
