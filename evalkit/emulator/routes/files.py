"""``/agents/{agent}/files``: the workspace (contract A5, A7; B1)."""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from evalkit.api import AgentFileBody, AgentFilesBody
from evalkit.emulator.problems import invalid
from evalkit.emulator.routes.common import API, PlatformDep
from evalkit.emulator.store.agents import guess_content_type
from evalkit.emulator.store.paths import check_path

router = APIRouter()


@router.get(f"{API}/agents/{{agent_ref}}/files")
def list_or_get_files(
    platform: PlatformDep, agent_ref: str, path: str | None = None, prefix: str | None = None
) -> JSONResponse:
    agent = platform.agents.get(agent_ref)
    if path is None:
        return JSONResponse({"files": platform.agents.file_paths(agent.id, prefix)})
    check_path(path, "query.path")
    stored = platform.agents.read_file(agent.id, path)
    return JSONResponse(
        {
            "path": stored.path,
            "contentBase64": base64.b64encode(stored.content).decode("ascii"),
            "contentType": stored.content_type or guess_content_type(path),
        }
    )


@router.put(f"{API}/agents/{{agent_ref}}/files")
def put_file(platform: PlatformDep, agent_ref: str, path: str, body: AgentFileBody) -> JSONResponse:
    check_path(path, "query.path")
    agent = platform.agents.get(agent_ref)
    content = decode_content(body, "body")
    platform.agents.write_files(agent.id, [(path, content, body.content_type)], ["query.path"])
    return JSONResponse({"ok": True, "path": path})


@router.post(f"{API}/agents/{{agent_ref}}/files")
def upload_files(platform: PlatformDep, agent_ref: str, body: AgentFilesBody) -> JSONResponse:
    agent = platform.agents.get(agent_ref)
    if not body.files:
        raise invalid("body.files", "give at least one file")
    seen: set[str] = set()
    files = []
    fields = []
    for index, item in enumerate(body.files):
        field = f"body.files[{index}]"
        check_path(item.path, f"{field}.path")
        if item.path in seen:
            raise invalid(f"{field}.path", f"the path {item.path!r} appears twice in one upload")
        seen.add(item.path)
        files.append((item.path, decode_content(item, field), item.content_type))
        fields.append(f"{field}.path")
    platform.agents.write_files(agent.id, files, fields)
    return JSONResponse({"ok": True, "files": [path for path, _, _ in files]})


def decode_content(body: AgentFileBody, field: str) -> bytes:
    """Exactly one of ``content`` (text) and ``contentBase64``."""
    if (body.content is None) == (body.content_base64 is None):
        raise invalid(field, "give exactly one of 'content' (text) and 'contentBase64'")
    if body.content is not None:
        return body.content.encode("utf-8")
    try:
        return base64.b64decode(body.content_base64 or "", validate=True)
    except (binascii.Error, ValueError) as err:
        raise invalid(f"{field}.contentBase64", f"not valid base64: {err}") from err
