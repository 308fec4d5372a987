"""The support project's three programs on their own: the reply agent on its tickets, the
keyword judge on its labelled requests, and the LLM judge against a stand-in
OpenAI-compatible server on loopback (the real service is never called)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from .support_harness import AGENTS, examples_of, read_json, run_program

TICKETS = examples_of("support-reply")
LABELLED = examples_of("reply-judge")
#: the labelled example the keyword judge gets wrong, on purpose (see its README)
KNOWN_MISS = "condescending"
JUDGE_ANSWER = Draft202012Validator(read_json(AGENTS / "reply-judge" / "output-schema.json"))


def test_the_datasets_are_varied_enough() -> None:
    categories = {read_json(example / "expected.json")["category"] for example in TICKETS}
    assert categories == {"refund", "account", "billing", "shipping", "other"}
    labels = [read_json(example / "expected.json")["passed"] for example in LABELLED]
    assert len(labels) >= 10
    assert 0.3 <= sum(labels) / len(labels) <= 0.7  # both verdicts, so kappa means something


@pytest.mark.parametrize("example", [*TICKETS, *LABELLED], ids=lambda path: path.name)
def test_each_example_is_complete(example: Path) -> None:
    assert (example / "README.md").read_text(encoding="utf-8").startswith(f"# {example.name}")
    assert isinstance(read_json(example / "input.json"), dict)
    assert isinstance(read_json(example / "expected.json"), dict)


@pytest.mark.parametrize("example", TICKETS, ids=lambda path: path.name)
def test_the_reply_agent_answers_each_ticket(example: Path, tmp_path: Path) -> None:
    process, output = run_program("support-reply", read_json(example / "input.json"), tmp_path)
    assert process.returncode == 0, process.stderr
    Draft202012Validator(read_json(AGENTS / "support-reply" / "output-schema.json")).validate(
        output
    )
    expected = read_json(example / "expected.json")
    assert (output["category"], output["escalate"]) == (expected["category"], expected["escalate"])
    first_name = read_json(example / "input.json")["customer"].split()[0]
    assert output["reply"].startswith(f"Hi {first_name},")


def test_a_ticket_without_a_message_fails_the_run(tmp_path: Path) -> None:
    process, output = run_program("support-reply", {"customer": "A"}, tmp_path)
    assert process.returncode == 1
    assert "no message" in process.stderr
    assert output is None


def test_the_keyword_judge_agrees_with_people_but_on_its_known_miss(tmp_path: Path) -> None:
    disagreements = []
    for example in LABELLED:
        process, answer = run_program("reply-judge", read_json(example / "input.json"), tmp_path)
        assert process.returncode == 0, process.stderr
        JUDGE_ANSWER.validate(answer)
        if answer["passed"] is not read_json(example / "expected.json")["passed"]:
            disagreements.append(example.name)
        (tmp_path / "scratch-reply-judge").rename(tmp_path / f"done-{example.name}")
    assert disagreements == [KNOWN_MISS]


def test_the_judge_checks_only_the_criteria_its_rubric_names(tmp_path: Path) -> None:
    request = read_json(AGENTS / "reply-judge" / "examples" / "promises-too-much" / "input.json")
    process, answer = run_program(
        "reply-judge", {**request, "rubric": "Check the facts."}, tmp_path
    )
    assert process.returncode == 0, process.stderr
    assert answer == {"score": 1.0, "passed": True, "reason": "meets all 1 criteria: facts"}


def test_a_rubric_naming_no_criterion_is_an_error_not_a_verdict(tmp_path: Path) -> None:
    process, answer = run_program("reply-judge", {"rubric": "Be nice.", "actual": "Hi"}, tmp_path)
    assert process.returncode == 1
    assert "names none of the criteria this judge knows: greeting, empathy" in process.stderr
    assert answer is None


def test_no_reply_fails_with_a_reason(tmp_path: Path) -> None:
    process, answer = run_program("reply-judge", {"rubric": "greeting", "actual": None}, tmp_path)
    assert process.returncode == 0
    assert answer == {"score": 0.0, "passed": False, "reason": "there is no reply to judge"}


# -- the LLM judge, against a stand-in server --------------------------------------------

SECRET = "sk-test-never-shown"


class StandIn:
    """An OpenAI-compatible ``/v1/chat/completions`` on loopback: it records each request
    and answers ``content`` (or the status ``status`` with ``body``)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], Any]] = []
        self.content = '{"score": 0.9, "passed": true, "reason": "polite and complete"}'
        self.status = 200
        self.body: Any = None

    def answer(self) -> tuple[int, bytes]:
        if self.status != 200:
            return self.status, json.dumps(self.body).encode()
        completion = {"choices": [{"message": {"role": "assistant", "content": self.content}}]}
        return 200, json.dumps(completion).encode()


@pytest.fixture
def stand_in() -> Iterator[tuple[StandIn, str]]:
    state = StandIn()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            state.requests.append((self.path, dict(self.headers.items()), body))
            status, payload = state.answer()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def _request() -> Any:
    return read_json(AGENTS / "reply-judge" / "examples" / "good-refund" / "input.json")


def _env(base_url: str) -> dict[str, str]:
    return {"OPENAI_API_KEY": SECRET, "OPENAI_BASE_URL": base_url, "JUDGE_MODEL": "tiny-judge"}


def test_the_llm_judge_asks_the_model_and_answers_the_contract(
    stand_in: tuple[StandIn, str], tmp_path: Path
) -> None:
    state, base_url = stand_in
    process, answer = run_program("llm-judge", _request(), tmp_path, _env(base_url))
    assert process.returncode == 0, process.stderr
    assert answer == {"score": 0.9, "passed": True, "reason": "polite and complete"}
    JUDGE_ANSWER.validate(answer)
    ((path, headers, body),) = state.requests
    assert path == "/v1/chat/completions"
    assert headers["Authorization"] == f"Bearer {SECRET}"
    assert body["model"] == "tiny-judge"
    assert body["response_format"] == {"type": "json_object"}
    prompt = body["messages"][1]["content"]
    request = _request()
    assert request["rubric"] in prompt
    assert json.dumps(request["actual"], ensure_ascii=False) in prompt


def test_the_llm_judge_derives_passed_from_the_score_when_the_model_omits_it(
    stand_in: tuple[StandIn, str], tmp_path: Path
) -> None:
    state, base_url = stand_in
    state.content = '{"score": 0.6, "reason": "misses the amount"}'
    process, answer = run_program("llm-judge", _request(), tmp_path, _env(base_url))
    assert process.returncode == 0, process.stderr
    assert answer == {"score": 0.6, "passed": False, "reason": "misses the amount"}


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"status": 401, "body": {"error": "invalid key"}}, "answered 401: "),
        ({"content": "I think it is fine."}, "did not answer a JSON object with a score"),
        ({"content": '{"score": 7}'}, "score 7.0 is not between 0 and 1"),
    ],
)
def test_the_llm_judge_fails_clearly_and_never_shows_the_key(
    stand_in: tuple[StandIn, str], tmp_path: Path, setup: dict[str, Any], message: str
) -> None:
    state, base_url = stand_in
    for name, value in setup.items():
        setattr(state, name, value)
    process, answer = run_program("llm-judge", _request(), tmp_path, _env(base_url))
    assert process.returncode == 1
    assert message in process.stderr
    assert SECRET not in process.stdout + process.stderr
    assert answer is None


def test_the_llm_judge_without_its_variables_says_how_to_pass_them(tmp_path: Path) -> None:
    process, answer = run_program("llm-judge", _request(), tmp_path)
    assert process.returncode == 1
    assert "OPENAI_API_KEY and JUDGE_MODEL not set" in process.stderr
    assert "evalkit serve --pass-env OPENAI_API_KEY" in process.stderr
    assert answer is None


def test_the_llm_judge_cannot_reach_a_server(tmp_path: Path) -> None:
    env = _env("http://127.0.0.1:9/v1")  # the discard port: nothing listens
    process, _answer = run_program("llm-judge", _request(), tmp_path, env)
    assert process.returncode == 1
    assert "cannot reach http://127.0.0.1:9/v1" in process.stderr
    assert SECRET not in process.stderr
