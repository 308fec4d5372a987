"""Multipart bodies: parts to file inputs (base names that never carry a path, content types),
and no upload left open whatever happens to the request."""

from __future__ import annotations

import anyio
import pytest
from starlette.requests import Request
from starlette.types import Message, Scope

from evalkit.emulator.multipart import FormFile, input_file, read_form, safe_basename

from .helpers import SPOOLED_TO_DISK, no_unclosed_files


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("march.pdf", "march.pdf"),
        ("dir/sub/march.pdf", "march.pdf"),
        ("C:\\Users\\me\\march.pdf", "march.pdf"),
        ("../../etc/passwd", "passwd"),
        ("bad\x00\x1f\x7fname.txt", "badname.txt"),
        ("", "doc field"),
        ("x/..", "doc field"),
        ("\x01", "doc field"),
        # stored as an input file's name, it could not be downloaded (a disguised '..')
        ("%2e%2e", "doc field"),
    ],
)
def test_safe_basename(sent: str, kept: str) -> None:
    fallback = safe_basename(sent, fallback="doc field")
    assert fallback == kept.replace("doc field", "doc_field")


def test_input_file_keeps_the_declared_type_and_guesses_a_missing_one() -> None:
    declared = input_file("doc", FormFile("a/scan.pdf", "image/png", b"x"))
    assert (declared.field, declared.filename, declared.content_type) == (
        "doc",
        "scan.pdf",
        "image/png",
    )
    guessed = input_file("doc", FormFile("scan.pdf", None, b"x"))
    assert guessed.content_type == "application/pdf"
    unknown = input_file("blob", FormFile("", None, b"\x00"))
    assert (unknown.filename, unknown.content_type) == ("blob", "application/octet-stream")
    assert unknown.content == b"\x00"


def test_a_form_read_as_its_request_is_cancelled_leaves_no_file_open() -> None:
    """Cancelled after the body arrived (a server stopping, a client gone), a request must not
    leave its uploads open: Starlette spools a part over 1 MiB to a temp file, read and closed in
    worker threads, and a cancelled task starts no more threads, so those files stayed open."""
    boundary = "b0undary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}.bin"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + SPOOLED_TO_DISK
        + b"\r\n"
        for name in ("doc", "other")
    ]
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    messages: list[Message] = [
        {"type": "http.request", "body": body, "more_body": True},
        {"type": "http.request", "body": b"", "more_body": False},
    ]
    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "query_string": b"",
        "headers": [(b"content-type", f"multipart/form-data; boundary={boundary}".encode())],
    }

    async def read_while_cancelled() -> None:
        with anyio.CancelScope() as cancel_scope:

            async def receive() -> Message:
                message = messages.pop(0)
                if not messages:
                    cancel_scope.cancel()  # the end of the body arrives as the request is cancelled
                return message

            await read_form(Request(scope, receive), max_part_size=len(body))

    with no_unclosed_files():
        anyio.run(read_while_cancelled)
    assert not messages
