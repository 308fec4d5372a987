"""A SOCKS5 proxy for tests (RFC 1928, with RFC 1929's user name and password): it records
where each connection asked to go and who asked, and joins every one to one real server."""

from __future__ import annotations

import select
import socket
import socketserver
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

_VERSION, _USER_PASSWORD, _CONNECT = 5, 2, 1
_IPV4, _DOMAIN, _IPV6 = 1, 3, 4


@dataclass
class SocksProxy:
    """Connections seen (``user host:port``); every one goes to ``upstream`` (host, port)."""

    upstream: tuple[str, int]
    user: str
    password: str
    seen: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _read(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionError("the client went away")
        data += chunk
    return data


def _greet(sock: socket.socket, proxy: SocksProxy) -> str | None:
    """The user who logged in, None when the client offered no login or a wrong one."""
    _version, count = _read(sock, 2)
    if _USER_PASSWORD not in _read(sock, count):
        sock.sendall(bytes([_VERSION, 0xFF]))
        return None
    sock.sendall(bytes([_VERSION, _USER_PASSWORD]))
    _auth_version, user_length = _read(sock, 2)
    user = _read(sock, user_length).decode()
    password = _read(sock, _read(sock, 1)[0]).decode()
    accepted = (user, password) == (proxy.user, proxy.password)
    sock.sendall(bytes([1, 0 if accepted else 1]))
    return user if accepted else None


def _destination(sock: socket.socket) -> str:
    _version, command, _reserved, kind = _read(sock, 4)
    assert command == _CONNECT
    if kind == _DOMAIN:
        host = _read(sock, _read(sock, 1)[0]).decode()
    else:
        host = socket.inet_ntop(
            socket.AF_INET if kind == _IPV4 else socket.AF_INET6,
            _read(sock, 4 if kind == _IPV4 else 16),
        )
    (port,) = struct.unpack("!H", _read(sock, 2))
    return f"{host}:{port}"


def _relay(one: socket.socket, other: socket.socket) -> None:
    ends = [one, other]
    while True:
        readable, _, _ = select.select(ends, [], [], 60)
        if not readable:
            return
        for end in readable:
            data = end.recv(65536)
            if not data:
                return
            (other if end is one else one).sendall(data)


@contextmanager
def socks_proxy(
    upstream: tuple[str, int], *, user: str, password: str
) -> Iterator[tuple[int, SocksProxy]]:
    """A SOCKS5 proxy on loopback for ``upstream`` that wants ``user`` and ``password``: its
    port and what it saw."""
    proxy = SocksProxy(upstream, user, password)

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            client: socket.socket = self.request
            user = _greet(client, proxy)
            if user is None:
                return
            target = _destination(client)
            with proxy.lock:
                proxy.seen.append(f"{user} {target}")
            with socket.create_connection(proxy.upstream, timeout=60) as server:
                # succeeded, bound to 0.0.0.0:0 (the client does not use it)
                client.sendall(bytes([_VERSION, 0, 0, _IPV4, 0, 0, 0, 0, 0, 0]))
                _relay(client, server)

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], proxy
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
