"""Identifiers in the platform's shapes: ``awf_...`` agents, ``exec_...`` executions."""

from __future__ import annotations

import secrets


def new_agent_id() -> str:
    return "awf_" + secrets.token_hex(12)


def new_execution_id() -> str:
    return "exec_" + secrets.token_hex(12)


def new_commit() -> str:
    return "c_" + secrets.token_hex(16)
