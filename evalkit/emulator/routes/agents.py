"""``/agents``: list, create, get, update (contract A5; B1, B2)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from evalkit.api import AGENT_LIST_QUERY, CreateAgentBody, UpdateAgentBody
from evalkit.emulator.paging import page_from_query
from evalkit.emulator.platform import Platform
from evalkit.emulator.problems import invalid
from evalkit.emulator.render import AGENT_INCLUDES, AnswerResponse, agent_wire, page_wire
from evalkit.emulator.routes.common import (
    API,
    PlatformDep,
    parse_include,
    parse_json_object,
    validation_problem,
)
from evalkit.emulator.routes.query import parse_query
from evalkit.emulator.runtime.program import nul_in_command
from evalkit.emulator.runtime.sandbox_env import nul_in_variable
from evalkit.emulator.store.agents import AgentRecord

router = APIRouter()
MAX_NAME = 200
MAX_DESCRIPTION = 4000


def agent_answer(
    platform: Platform, agent: AgentRecord, include: frozenset[str] = frozenset()
) -> dict[str, Any]:
    return agent_wire(
        agent, platform.agents.stats(agent.id), platform.agents.file_paths(agent.id), include
    )


@router.get(f"{API}/agents")
def list_agents(platform: PlatformDep, request: Request) -> AnswerResponse:
    params = parse_query(AGENT_LIST_QUERY, request.query_params)
    page = page_from_query(params.get("limit"), params.get("offset"))
    search = params.get("search")
    agents, total = platform.agents.find_all(search=search, limit=page.limit, offset=page.offset)
    data = [agent_answer(platform, agent) for agent in agents]
    return AnswerResponse(page_wire(data, total, page))


@router.post(f"{API}/agents", status_code=201)
def create_agent(platform: PlatformDep, body: CreateAgentBody) -> AnswerResponse:
    _check_texts(body.name, body.description)
    _check_runtime(body.config)
    agent = platform.agents.create(
        name=body.name, slug=body.slug, description=body.description, config=body.config
    )
    return AnswerResponse({"agent": agent_answer(platform, agent)}, status_code=201)


# async: a few reads by key (the drift check of every run). A plain function went to the thread
# pool, whose first use on a fresh platform (the one a run embeds) imports anyio's asyncio
# backend and starts a thread: ~30 ms before the run's first start.
@router.get(f"{API}/agents/{{agent_ref}}")
async def get_agent(
    platform: PlatformDep, agent_ref: str, include: Annotated[str | None, Query()] = None
) -> AnswerResponse:
    asked = parse_include(include, AGENT_INCLUDES)
    agent = platform.agents.get(agent_ref)
    return AnswerResponse({"agent": agent_answer(platform, agent, asked)})


@router.patch(f"{API}/agents/{{agent_ref}}")
async def update_agent(platform: PlatformDep, agent_ref: str, request: Request) -> AnswerResponse:
    # Read by hand: "description": null (clear it) must differ from leaving it out.
    raw = parse_json_object(await request.body(), "body")
    try:
        body = UpdateAgentBody.model_validate(raw)
    except ValidationError as err:
        raise validation_problem(err, "body") from err
    if "name" in body.model_fields_set and body.name is None:
        raise invalid("body.name", "name cannot be null")
    _check_texts(body.name, body.description)
    _check_runtime(body.config)
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    del raw, body  # the parsed body lives on in ``changes`` only

    def apply() -> dict[str, Any]:
        agent = platform.agents.update(agent_ref, changes)
        # Stored: the parsed config (a synced one is 400 KB of text, twice that parsed) goes
        # before its text is read back and answered, not on top of them.
        changes.clear()
        return {"agent": agent_answer(platform, agent)}

    return AnswerResponse(await run_in_threadpool(apply))


def _check_texts(name: str | None, description: str | None) -> None:
    if name is not None and not name.strip():
        raise invalid("body.name", "name cannot be empty")
    if name is not None and len(name) > MAX_NAME:
        raise invalid("body.name", f"name is longer than {MAX_NAME} characters")
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise invalid(
            "body.description", f"description is longer than {MAX_DESCRIPTION} characters"
        )


def _check_runtime(config: Any) -> None:
    """Refuse a NUL in ``config.runtime.env`` or ``command``: no process can be given one,
    so every run of the agent would fail (other bad runtime values fail the run, saying why)."""
    runtime = config.get("runtime") if isinstance(config, dict) else None
    if not isinstance(runtime, dict):
        return
    where = "body.config.runtime"
    env = runtime.get("env")
    if isinstance(env, dict):
        for name, value in env.items():
            nul = nul_in_variable(name, value)
            if nul is not None:
                raise invalid(f"{where}.env.{name}", nul)
    command = runtime.get("command")
    parts = [command] if isinstance(command, str) else command
    nul = nul_in_command(parts) if isinstance(parts, list) else None
    if nul is not None:
        raise invalid(f"{where}.command", nul)
