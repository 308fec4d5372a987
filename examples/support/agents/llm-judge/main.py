"""llm-judge: grade a value with any OpenAI-compatible chat model (not used by default).

Same contract as reply-judge: reads evalkit's judge request from input.json
(``{"rubric", "expected", "actual", "pointer", "input"}``) and writes
``{"score": 0..1, "passed": bool, "reason": "..."}`` to output.json.

It needs, from its environment (pass them with ``evalkit serve --pass-env NAME`` or the
manifest's ``local_platform: {pass_env: [...]}``; agent programs get nothing else):

    OPENAI_API_KEY    the key (required)
    JUDGE_MODEL       the model name, e.g. gpt-4o-mini (required)
    OPENAI_BASE_URL   the API's base URL (default https://api.openai.com/v1); any
                      OpenAI-compatible server: Azure OpenAI, vLLM, Ollama, LiteLLM, ...
    JUDGE_PASS_SCORE  the score from which the value passes when the model does not say
                      (default 0.7)

Standard library only (urllib). The key is sent only to OPENAI_BASE_URL and never printed.
The model is asked for a JSON object; an answer that is not one is a failed run whose error
shows the answer, which evalkit reports as the judge's error.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

DEFAULT_BASE_URL = "https://api.openai.com/v1"
TIMEOUT_SECONDS = 120
SYSTEM = (
    "You grade one value produced by an AI agent against a rubric. Compare the actual value "
    "with the expected (reference) value and the task input, apply the rubric strictly, and "
    'answer with a JSON object only: {"score": <number from 0 to 1>, "passed": <true or '
    'false>, "reason": "<one or two sentences naming what decided it>"}.'
)


class JudgeError(Exception):
    """The judge cannot give a verdict; the message says why (never the key)."""


def settings(environ: dict[str, str]) -> tuple[str, str, str, float]:
    key = environ.get("OPENAI_API_KEY", "")
    model = environ.get("JUDGE_MODEL", "")
    missing = [
        name for name, value in (("OPENAI_API_KEY", key), ("JUDGE_MODEL", model)) if not value
    ]
    if missing:
        raise JudgeError(
            f"{' and '.join(missing)} not set: the platform passes only the variables it is "
            f"told to (evalkit serve --pass-env {missing[0]})"
        )
    base_url = environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
    try:
        pass_score = float(environ.get("JUDGE_PASS_SCORE") or 0.7)
    except ValueError:
        raise JudgeError("JUDGE_PASS_SCORE must be a number from 0 to 1") from None
    return key, model, base_url.rstrip("/"), pass_score


def messages(request: dict[str, Any]) -> list[dict[str, str]]:
    shown = {name: request.get(name) for name in ("rubric", "pointer", "input", "expected")}
    user = (
        f"Rubric:\n{shown['rubric']}\n\n"
        f"Task input:\n{json.dumps(shown['input'], ensure_ascii=False)}\n\n"
        f"Expected (reference) value at {shown['pointer']}:\n"
        f"{json.dumps(shown['expected'], ensure_ascii=False)}\n\n"
        f"Actual value to grade:\n{json.dumps(request.get('actual'), ensure_ascii=False)}"
    )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def ask(key: str, model: str, base_url: str, request: dict[str, Any]) -> str:
    body = {
        "model": model,
        "messages": messages(request),
        "temperature": 0,
        "response_format": {"type": "json_object"},
    }
    http = urllib.request.Request(
        f"{base_url}/chat/completions",
        data=json.dumps(body).encode("utf-8"),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(http, timeout=TIMEOUT_SECONDS) as response:
            answer = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as err:
        detail = err.read(500).decode("utf-8", "replace")
        raise JudgeError(f"{base_url} answered {err.code}: {detail}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        raise JudgeError(f"cannot reach {base_url}: {getattr(err, 'reason', err)}") from None
    except ValueError:
        raise JudgeError(f"{base_url} did not answer JSON") from None
    try:
        return str(answer["choices"][0]["message"]["content"])
    except (KeyError, IndexError, TypeError):
        raise JudgeError(f"unexpected answer from {base_url}: {str(answer)[:300]}") from None


def verdict(content: str, pass_score: float) -> dict[str, Any]:
    """The model's answer as evalkit's judge output; a clear error when it is not one."""
    try:
        data = json.loads(content)
        score = float(data["score"])
    except (ValueError, KeyError, TypeError):
        shown = content[:300]
        raise JudgeError(f"the model did not answer a JSON object with a score: {shown}") from None
    if not 0.0 <= score <= 1.0:
        raise JudgeError(f"the model's score {score} is not between 0 and 1")
    passed = data.get("passed")
    return {
        "score": score,
        "passed": passed if isinstance(passed, bool) else score >= pass_score,
        "reason": str(data.get("reason") or "the model gave no reason"),
    }


def main() -> int:
    try:
        request = json.loads(Path("input.json").read_text(encoding="utf-8"))
        key, model, base_url, pass_score = settings(dict(os.environ))
        answer = verdict(ask(key, model, base_url, request), pass_score)
    except (OSError, ValueError, JudgeError) as err:
        print(f"llm-judge: {err}", file=sys.stderr)
        return 1
    Path("output.json").write_text(json.dumps(answer) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
