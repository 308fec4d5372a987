"""Identifiers in the platform's shapes: ``awf_...`` agents, ``exec_...`` executions, ``req_...``
requests.

Ids are unique, not secret (a key guards every call), so they come from a generator seeded once
from the system's randomness (again in a forked child) instead of ``os.urandom`` per id: that
call lets go of the GIL, and under load every such call is a chance of a thread switch.
"""

from __future__ import annotations

import os
import random

_random = random.Random()  # seeded from os.urandom
os.register_at_fork(after_in_child=_random.seed)


def random_hex(nbytes: int) -> str:
    """``nbytes`` random bytes as hexadecimal (``secrets.token_hex``'s shape)."""
    return _random.getrandbits(nbytes * 8).to_bytes(nbytes, "big").hex()


def new_agent_id() -> str:
    return "awf_" + random_hex(12)


def new_execution_id() -> str:
    return "exec_" + random_hex(12)


def new_request_id() -> str:
    return "req_" + random_hex(8)


def new_commit() -> str:
    return "c_" + random_hex(16)
