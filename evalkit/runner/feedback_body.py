"""The review evalkit writes onto each execution: rating, status, Markdown body, expected JSON.

Status rule (what a reviewer sees in the platform's queue):

- ``pass``  -> status ``resolved``: nothing to look at.
- ``partial`` / ``fail`` -> status ``open``: a reviewer should look.
- an execution that failed, was rejected or timed out -> rating ``fail``, status ``open``,
  and the body says what went wrong.

The body lists every difference with its JSON pointer, the expected and actual values, and the
rule that applied, then the file comparisons, so a reviewer does not need the CI logs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from evalkit.compare.numeric import floored
from evalkit.runner.results import ExampleError, Rating, ReviewStatus, Verdict

#: the platform stores the body as text; keep it readable and bounded
MAX_BODY_CHARS = 20_000
MAX_VALUE_CHARS = 200
MAX_ROWS = 100
MAX_DIFF_CHARS = 1500

_RATING_AND_STATUS: dict[Verdict, tuple[Rating, ReviewStatus]] = {
    Verdict.PASS: ("pass", "resolved"),
    Verdict.PARTIAL: ("partial", "open"),
    Verdict.FAIL: ("fail", "open"),
    Verdict.ERROR: ("fail", "open"),
}


@dataclass(frozen=True)
class FeedbackPlan:
    """What to write on one execution: the PATCH fields and the expected files to upload."""

    rating: Rating
    status: ReviewStatus
    body: str
    expected: Any = None
    has_expected: bool = False
    expected_files: dict[str, Any] = field(default_factory=dict)

    def patch_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``agents.executions.update_feedback``."""
        fields: dict[str, Any] = {"rating": self.rating, "status": self.status, "body": self.body}
        if self.has_expected:
            fields["expected"] = self.expected
        return fields


def rating_and_status(verdict: Verdict) -> tuple[Rating, ReviewStatus]:
    """The status rule above; ``cancelled`` examples get no feedback at all."""
    if verdict not in _RATING_AND_STATUS:
        raise ValueError(f"no feedback is written for verdict {verdict.value!r}")
    return _RATING_AND_STATUS[verdict]


#: the head of every body ``render_body`` writes, as read back (``runner.platform_baseline``,
#: and ``harvest``, which leaves evalkit's own runs alone)
BODY_HEAD = re.compile(
    r"\A\*\*evalkit: (?P<verdict>pass|partial|fail|error)\*\*"
    r"(?: \(score (?P<score>-?[0-9]+(?:\.[0-9]+)?)\))?"
)


def render_body(
    *,
    verdict: Verdict,
    score: float | None,
    example: str,
    run_id: str,
    comparison: dict[str, Any] | None,
    error: ExampleError | None,
) -> str:
    """The Markdown body for one execution."""
    head = f"**evalkit: {verdict.value}**"
    if score is not None:
        head += f" (score {floored(score, 2)})"  # floored: a partial never reads 1.00
    lines = [head, "", f"Example `{_code(example)}`, run `{_code(run_id)}`."]
    if error is not None:
        lines += ["", f"Error ({error.kind.value}): {_one_line(error.message, 2000)}"]
    if comparison:
        lines += _differences_section(_differences(comparison))
        lines += _files_section(comparison.get("files") or [])
        lines += _rules_section(_applied_rules(comparison))
        lines += _judgements_section(comparison.get("judgements") or [])
    body = "\n".join(lines) + "\n"
    if len(body) > MAX_BODY_CHARS:
        body = body[: MAX_BODY_CHARS - 40] + "\n\n_(truncated; see the run results)_\n"
    return body


def _differences_section(differences: list[Any]) -> list[str]:
    if not differences:
        return ["", "No differences in the JSON output."]
    lines = ["", f"### Differences ({len(differences)})", ""]
    lines += ["| Path | Difference | Expected | Actual | Rule |", "|---|---|---|---|---|"]
    for difference in differences[:MAX_ROWS]:
        item = difference if isinstance(difference, dict) else {"kind": str(difference)}
        path = str(item.get("pointer", item.get("path", ""))) or "(root)"
        kind = str(item.get("kind", "")).replace("_", " ")
        rule = _one_line(_text(item.get("rule") or ""), 120)
        lines.append(
            f"| `{_cell(path)}` | {_cell(kind)} | {_value_cell(item, 'expected')} "
            f"| {_value_cell(item, 'actual')} | {_cell(rule)} |"
        )
    if len(differences) > MAX_ROWS:
        lines.append(f"\n_{len(differences) - MAX_ROWS} more differences in the run results._")
    return lines


def _files_section(files: list[Any]) -> list[str]:
    if not files:
        return []
    lines = ["", "### Files", ""]
    for entry in files[:MAX_ROWS]:
        item = entry if isinstance(entry, dict) else {"name": str(entry)}
        name = _code(str(item.get("name", "?")))
        mode = f" ({_one_line(_text(item['mode']), 20)})" if item.get("mode") else ""
        status = item.get("status") or ("match" if item.get("matched") else "differs")
        line = f"- `{name}`{mode}: {_one_line(_text(status), 60)}"
        detail = item.get("problem") or item.get("message")
        if detail:
            line += f": {_one_line(_text(detail), 300)}"
        lines.append(line)
        nested = item.get("differences")
        if isinstance(nested, list) and nested:
            shown = "; ".join(_difference_line(d) for d in nested[:10])
            lines.append(f"  - {_one_line(shown, 600)}")
        diff = item.get("diff")
        if isinstance(diff, str) and diff:
            lines += _fenced(diff[:MAX_DIFF_CHARS], "diff", indent="  ")
    return lines


def _difference_line(item: Any) -> str:
    if not isinstance(item, dict):
        return _text(item)
    where = str(item.get("pointer", "")) or "(root)"
    return f"{where} {item.get('kind', '')}".strip()


def _fenced(text: str, language: str, *, indent: str = "") -> list[str]:
    """A code block whose fence no backtick run in ``text`` can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [
        f"{indent}{fence}{language}",
        *(indent + line for line in text.splitlines()),
        indent + fence,
    ]


def _rules_section(rules: list[Any]) -> list[str]:
    if not rules:
        return []
    lines = ["", "### Rules applied", ""]
    for rule in rules[:MAX_ROWS]:
        if isinstance(rule, dict):
            where = str(rule.get("pointer", "")) or "(root)"
            text = f"`{_code(where)}`: {_text(rule.get('detail') or rule.get('kind') or '')}"
        else:
            text = _text(rule)
        lines.append(f"- {_one_line(text, 200)}")
    return lines


def _judgements_section(judgements: list[Any]) -> list[str]:
    """What each judge agent said, and which execution said it (judges' reasons are the
    reason a reviewer reads this)."""
    if not judgements:
        return []
    lines = ["", "### Judgements", ""]
    for item in judgements[:MAX_ROWS]:
        if not isinstance(item, dict):
            continue
        where = _code(str(item.get("pointer", "")) or "(root)")
        judge = _code(str(item.get("agent", "?")))
        if "passed" in item and "score" in item:
            # The judge's own word: the rule's ``min`` may still fail a value it passed (the
            # differences above say so); the score floored as the differences show it.
            said = "said passed" if item["passed"] else "said failed"
            text = f"`{where}`: {judge} {said} (score {floored(float(item['score']), 2)})"
            reason = _one_line(_text(item.get("reason") or ""), 500)
            text += f": {reason}" if reason else ""
        else:
            text = f"`{where}`: {judge} {_one_line(_text(item.get('problem') or ''), 500)}"
        execution = item.get("execution_id")
        if execution:
            cached = ", an earlier run's" if item.get("cached") else ""
            text += f" (judge execution `{_code(str(execution))}`{cached})"
        lines.append(f"- {text}")
    return lines


def _differences(comparison: dict[str, Any]) -> list[Any]:
    json_part = comparison.get("json")
    nested = json_part.get("differences") if isinstance(json_part, dict) else None
    return list(comparison.get("differences") or nested or [])


def _applied_rules(comparison: dict[str, Any]) -> list[Any]:
    json_part = comparison.get("json")
    nested = json_part.get("applied") if isinstance(json_part, dict) else None
    return list(comparison.get("applied") or nested or comparison.get("rules") or [])


def _value_cell(item: dict[str, Any], key: str) -> str:
    if key not in item:
        return "_(absent)_"
    return f"`{_cell(_one_line(json.dumps(item[key], ensure_ascii=False), MAX_VALUE_CHARS))}`"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _cell(text: str) -> str:
    """Table-cell safe: a ``|`` would split the cell, a backtick would end the code span."""
    return text.replace("|", "\\|").replace("`", "'")


def _code(text: str) -> str:
    return text.replace("`", "'")
