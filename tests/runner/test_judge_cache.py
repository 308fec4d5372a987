"""The judgement cache: keyed by the judge's version, the rubric and the exact values; written
atomically; a damaged file is a miss."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evalkit.compare.judges import JudgeAnswer, JudgeRequest
from evalkit.runner.judge_cache import JudgeCache, cache_key

REQUEST = JudgeRequest("tone-judge", "polite", "/reply", "We refund.", "Refund sent!")
INPUT = {"ticket": 7}
ANSWER = JudgeAnswer(score=0.8, passed=True, reason="polite")


def test_a_judgement_written_is_read_back(tmp_path: Path) -> None:
    cache = JudgeCache(tmp_path / "judgements")
    key = cache_key("digest-1", REQUEST, INPUT)
    assert cache.read(key) is None
    cache.write(key, ANSWER, "exec_1")
    found = cache.read(key)
    assert found is not None
    assert (found.answer, found.execution_id) == (ANSWER, "exec_1")
    assert [p.suffix for p in (tmp_path / "judgements").rglob("*") if p.is_file()] == [".json"]


@pytest.mark.parametrize(
    "change",
    [
        {"digest": "digest-2"},
        {"request": JudgeRequest("tone-judge", "polite!", "/reply", "We refund.", "Refund sent!")},
        {"request": JudgeRequest("tone-judge", "polite", "/reply", "We refund.", "Refund sent")},
        {"request": JudgeRequest("tone-judge", "polite", "/reply", "We refund", "Refund sent!")},
        {"request": JudgeRequest("tone-judge", "polite", "/answer", "We refund.", "Refund sent!")},
        {"request": JudgeRequest("other-judge", "polite", "/reply", "We refund.", "Refund sent!")},
        {"input": {"ticket": 8}},
    ],
)
def test_the_key_changes_with_the_judge_the_rubric_and_every_value(change: dict[str, Any]) -> None:
    base = cache_key("digest-1", REQUEST, INPUT)
    changed = cache_key(
        change.get("digest", "digest-1"), change.get("request", REQUEST), change.get("input", INPUT)
    )
    assert changed != base


def test_the_key_ignores_the_time_limit_and_key_order() -> None:
    slower = JudgeRequest("tone-judge", "polite", "/reply", "We refund.", "Refund sent!", 5.0)
    assert cache_key("d", slower, {"a": 1, "b": 2}) == cache_key("d", REQUEST, {"b": 2, "a": 1})


@pytest.mark.parametrize(
    "content",
    ["", "{half", "[]", '{"format": 99, "answer": {}}', '{"format": 1, "answer": "yes"}'],
)
def test_a_damaged_file_is_a_miss(tmp_path: Path, content: str) -> None:
    cache = JudgeCache(tmp_path)
    key = cache_key("d", REQUEST, INPUT)
    cache.write(key, ANSWER, None)
    (path,) = tmp_path.rglob("*.json")
    path.write_text(content)
    assert cache.read(key) is None


def test_a_cache_that_cannot_be_written_is_skipped(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    cache = JudgeCache(blocked / "judgements")
    key = cache_key("d", REQUEST, INPUT)
    cache.write(key, ANSWER, None)  # no exception: the run goes on
    assert cache.read(key) is None


def test_a_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    cache = JudgeCache(tmp_path)
    for index in range(3):
        cache.write(cache_key("d", REQUEST, {"i": index}), ANSWER, None)
    assert sorted(p.suffix for p in tmp_path.rglob("*") if p.is_file()) == [".json"] * 3
