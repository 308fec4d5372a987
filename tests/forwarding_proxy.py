"""An HTTP forward proxy for tests: it takes absolute-URI requests (as a client set up with
``http_proxy`` sends them), records each, and passes it on to one real server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import httpx

#: request headers that belong to the hop to the proxy, not to the request passed on
_HOP_HEADERS = {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "host"}
#: answer headers the proxy sets itself (the body passed on is whole and decoded)
_ANSWER_FRAMING = {"content-length", "transfer-encoding", "connection", "content-encoding"}


class ForwardingProxy:
    """Requests seen (``METHOD absolute-URI``); every one goes to ``upstream`` (a base URL)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.seen: list[str] = []
        self._lock = threading.Lock()

    def forward(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> httpx.Response:
        with self._lock:
            self.seen.append(f"{method} {target}")
        parts = urlsplit(target)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        with httpx.Client(trust_env=False, timeout=60) as client:
            return client.request(method, self.upstream + path, headers=headers, content=body)


@contextmanager
def forwarding_proxy(upstream: str) -> Iterator[tuple[str, ForwardingProxy]]:
    """A proxy on loopback for ``upstream``: its URL (for ``http_proxy``) and what it saw."""
    proxy = ForwardingProxy(upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # kept alive, as a client's pool expects

        def _pass_on(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {
                name: value
                for name, value in self.headers.items()
                if name.lower() not in _HOP_HEADERS
            }
            answer = proxy.forward(self.command, self.path, headers, body)
            self.send_response(answer.status_code)
            for name, value in answer.headers.items():
                if name.lower() not in _ANSWER_FRAMING:
                    self.send_header(name, value)
            self.send_header("content-length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _pass_on

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", proxy
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
