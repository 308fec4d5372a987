"""A listener that accepts connections and never answers: a platform that is not there, on a
port that is."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class BlackHole:
    base_url: str
    #: connections accepted so far (each attempt of a client opens one)
    accepted: list[socket.socket] = field(default_factory=list)


@contextmanager
def black_hole() -> Iterator[BlackHole]:
    listener = socket.create_server(("127.0.0.1", 0))
    hole = BlackHole(f"http://127.0.0.1:{listener.getsockname()[1]}")

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:  # closed: the block ended
                return
            hole.accepted.append(connection)

    thread = threading.Thread(target=accept, name="black-hole", daemon=True)
    thread.start()
    try:
        yield hole
    finally:
        listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        thread.join(timeout=10)
        for connection in hole.accepted:
            connection.close()
