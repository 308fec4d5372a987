"""How long a client's calls have waited without an answer, and the notes said meanwhile."""

from __future__ import annotations

import threading

from evalkit.client._request import ApiRequest, raw
from evalkit.client.silence import Silence, notes_while_silent

from .conftest import Sleeps

READ: ApiRequest[bytes] = ApiRequest("GET", "/api/v1/agents", raw)
HELD: ApiRequest[bytes] = ApiRequest("POST", "/api/v1/agents/a/run", raw, hold_seconds=60)


def test_silence_counts_while_calls_wait_and_ends_with_any_answer() -> None:
    clock = Sleeps()
    silence = Silence(clock.clock)
    first, second = silence.call(READ), silence.call(READ)
    assert silence.seconds() == 0
    first.sending()
    clock.now += 5
    second.sending()
    clock.now += 5
    assert silence.seconds() == 10  # since the first was sent
    second.answered()  # the platform is there: the first waits from now on
    clock.now += 3
    assert silence.seconds() == 3
    first.sending()  # its next attempt: still the same wait
    clock.now += 2
    assert silence.seconds() == 5
    with first:  # the call ends without an answer: nothing waits any more
        pass
    assert silence.seconds() == 0


def test_a_held_request_is_not_silence() -> None:
    clock = Sleeps()
    silence = Silence(clock.clock)
    silence.call(HELD).sending()  # the platform holds it open on purpose
    clock.now += 50
    assert silence.seconds() == 0


def test_a_silence_is_noted_once_when_it_lasts() -> None:
    clock = Sleeps()
    silence = Silence(clock.clock)
    call = silence.call(READ)
    call.sending()
    clock.now += 9
    assert silence.unnoted(after=10) is None
    clock.now += 1
    assert silence.unnoted(after=10) == 10
    clock.now += 20
    assert silence.unnoted(after=10) is None  # once per silence
    call.answered()
    call.sending()  # a new silence
    clock.now += 12
    assert silence.unnoted(after=10) == 12


def test_notes_are_said_while_a_call_waits_in_vain() -> None:
    clock = Sleeps()
    silence = Silence(clock.clock)
    heard: list[str] = []
    said = threading.Event()

    def note(line: str) -> None:
        heard.append(line)
        said.set()

    with notes_while_silent(silence, "http://x", note, patience=60, after=10, every=0.01):
        silence.call(READ).sending()
        clock.now += 10
        assert said.wait(30)
    assert heard == ["no answer from http://x for 10 s; still waiting (up to 60 s)"]


def test_nothing_is_noted_while_the_platform_answers() -> None:
    silence = Silence(Sleeps().clock)
    heard: list[str] = []
    with notes_while_silent(silence, "http://x", heard.append, patience=60, after=10, every=0.001):
        call = silence.call(READ)
        for _ in range(50):
            call.sending()
            call.answered()
    assert heard == []
