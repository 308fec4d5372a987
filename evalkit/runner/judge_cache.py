"""The judgement cache: judge agents' answers kept on disk, so that a rerun whose outputs did
not change runs no judge again.

One JSON file per judgement under ``.evalkit/judgements/`` (beside the manifest), named by its
key: a digest of the judge (its slug, and the digest of its workspace files and config as the
manifest declares them, what sync puts on the platform, and a sha256 of each variable
``local_platform.pass_env`` hands it), the rubric, and the exact values judged (expected,
actual, pointer, the example's input). Change any of them (edit the judge's AGENT.md, its model
in config or in a passed variable, the rubric, or let the agent answer differently) and the key
changes. Only answers that follow the judge's contract are kept: a judge that failed, timed
out or answered nonsense is asked again next time.

Files are written to a temporary name and renamed, so a reader never sees half a file; a file
that cannot be read or parsed is a miss, never an error.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalkit.compare.judges import JudgeAnswer, JudgeRequest, digest, read_answer
from evalkit.runner.atomic import atomic_text

CACHE_FORMAT = 1

log = logging.getLogger(__name__)


def cache_key(judge_digest: str, request: JudgeRequest, example_input: Any) -> str:
    """The key of one judgement: the judge's version, the rubric and the exact values."""
    return digest(
        {
            "format": CACHE_FORMAT,
            "judge": request.agent,
            "judgeDigest": judge_digest,
            "request": request.judge_input(example_input),
        }
    )


@dataclass(frozen=True)
class CachedJudgement:
    answer: JudgeAnswer
    #: the execution that made the judgement (an earlier run's)
    execution_id: str | None


class JudgeCache:
    """Judgements by key, in ``folder`` (created when the first one is written)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def read(self, key: str) -> CachedJudgement | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
            return None
        answer = read_answer(data.get("answer"))
        if not isinstance(answer, JudgeAnswer):
            return None
        execution = data.get("execution_id")
        return CachedJudgement(answer, execution if isinstance(execution, str) else None)

    def write(self, key: str, answer: JudgeAnswer, execution_id: str | None) -> None:
        """Keep a judgement; a cache that cannot be written is skipped (the run goes on)."""
        path = self._path(key)
        data = {
            "format": CACHE_FORMAT,
            "answer": {"score": answer.score, "passed": answer.passed, "reason": answer.reason},
            "execution_id": execution_id,
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_text(path) as out:
                json.dump(data, out, ensure_ascii=False)
        except OSError as err:
            log.warning("judgement not cached in %s: %s", self.folder, err)
