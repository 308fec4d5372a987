"""The ``noisy`` builtin: an echo that is wrong with a seeded probability (issue 12).

It stands for a nondeterministic agent in tests of repeats and regressions. The k-th execution
(k = 1, 2, ...) of one input on one agent is wrong when ``Random(h).random() < rate``, where
``h`` is a SHA-256 of ``[seed, canonical input, k]``. So n executions of one input draw the
same n outcomes in any order and under any concurrency, on any machine. The counter k lives in
this process's memory (per agent id and input) and starts again when the platform restarts.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: the input field that sets the wrong rate of one example; never echoed back
INPUT_RATE_FIELD = "_wrongRate"
#: what a wrong answer puts in place of a value that is neither a string nor a number
WRONG_VALUE = "wrong"
#: appended to a string value in a wrong answer
WRONG_SUFFIX = " (wrong)"
#: the wrong answer to an input that has no value to change
WRONG_WHEN_EMPTY: dict[str, Any] = {"wrong": True}


class NoisyInputError(ValueError):
    """The run's input holds a bad ``_wrongRate``; the message says how."""


@dataclass(frozen=True)
class NoisyConfig:
    wrong_rate: float
    seed: int


def parse_config(runtime: Mapping[str, Any]) -> NoisyConfig:
    """``config.runtime`` of a noisy agent; ``ValueError`` says what is wrong with it."""
    if "wrongRate" not in runtime:
        raise ValueError("'wrongRate' is required for the noisy builtin (a number from 0 to 1)")
    rate = _rate(runtime["wrongRate"])
    if rate is None:
        raise ValueError(f"'wrongRate' must be a number from 0 to 1, got {runtime['wrongRate']!r}")
    seed = runtime.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"'seed' must be an integer, got {seed!r}")
    return NoisyConfig(wrong_rate=rate, seed=seed)


def answer(agent_id: str, config: NoisyConfig, input_json: Mapping[str, Any]) -> dict[str, Any]:
    """The output of the next execution of ``input_json`` on the agent ``agent_id``."""
    rate = config.wrong_rate
    if INPUT_RATE_FIELD in input_json:
        rate_or_none = _rate(input_json[INPUT_RATE_FIELD])
        if rate_or_none is None:
            raise NoisyInputError(
                f"input.{INPUT_RATE_FIELD} must be a number from 0 to 1,"
                f" got {input_json[INPUT_RATE_FIELD]!r}"
            )
        rate = rate_or_none
    canonical = canonical_json(input_json)
    k = _DRAWS.next(agent_id, canonical)
    echo = {key: value for key, value in input_json.items() if key != INPUT_RATE_FIELD}
    return wrong_answer(echo) if is_wrong(config.seed, canonical, k, rate) else echo


def is_wrong(seed: int, canonical_input: str, k: int, rate: float) -> bool:
    """The outcome of the k-th execution of an input: a pure function of its arguments."""
    key = json.dumps([seed, canonical_input, k], separators=(",", ":"))
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest, "big")).random() < rate


def wrong_answer(echo: Mapping[str, Any]) -> dict[str, Any]:
    """``echo`` with every top-level value changed so that the whole cannot equal it."""
    if not echo:
        return dict(WRONG_WHEN_EMPTY)
    return {key: _wrong_value(value) for key, value in echo.items()}


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _wrong_value(value: Any) -> Any:
    if isinstance(value, str):
        return value + WRONG_SUFFIX
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if is_number and math.isfinite(value) and value + 1 != value:  # +1 does not change 1e20
        return value + 1
    return WRONG_VALUE


def _rate(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value) or not 0 <= value <= 1:
        return None
    return float(value)


class _DrawCounter:
    """How many times each (agent, input) has been drawn in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str], int] = {}

    def next(self, agent_id: str, canonical_input: str) -> int:
        with self._lock:
            k = self._counts.get((agent_id, canonical_input), 0) + 1
            self._counts[(agent_id, canonical_input)] = k
            return k


_DRAWS = _DrawCounter()
