"""What ``evalkit promote`` and ``evalkit harvest`` print: plain text (every name from the
platform is printed as text, never as markup) and the same facts as JSON data."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from evalkit.harvesting.promote import HarvestResult, Promoted, SkipKind, Skipped

#: skips that text output counts instead of listing (a platform has many of them)
COUNTED: dict[SkipKind, str] = {
    "harvested": "harvested already",
    "evalkit-run": "started by evalkit run",
}

_ORIGIN = {"feedback": "the reviewer", "output": "the agent's output"}
_PARTS = {"json": "JSON", "files": "files"}
#: the feedback's expected output on an execution ``evalkit run`` started
_EVALKIT = "evalkit's feedback (not a reviewer's)"


def shown_path(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` when below it (as the user wrote the manifest)."""
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:  # another drive
        return path.as_posix()


def origin_text(promoted: Promoted) -> str:
    """E.g. ``JSON from the reviewer, files from the agent's output``."""
    origins = {**_ORIGIN, "feedback": _EVALKIT} if promoted.by_evalkit else _ORIGIN
    return ", ".join(
        f"{_PARTS[part]} from {origins[origin]}" for part, origin in promoted.expected_from.items()
    )


def evalkit_run_warning(promoted: Promoted) -> str | None:
    """What to know when ``evalkit run`` started the execution: nobody reviewed it."""
    if not promoted.by_evalkit:
        return None
    return (
        f"warning: evalkit run started execution {promoted.execution_id}: its feedback is "
        "evalkit's verdict (and the expected output there the example's own when it ran), "
        f"not a reviewer's; check the expected output of {promoted.name} before you commit"
    )


def wrong_answer_warning(promoted: Promoted) -> str | None:
    """What to know when a reviewer rated the answer wrong and the example expects it."""
    rating = promoted.rated_without_correction
    if rating is None:
        return None
    return (
        f"warning: execution {promoted.execution_id} was rated {rating} without a correction: "
        f"the expected output of {promoted.name} is the answer known to be wrong, so the "
        "example passes only while the bug stays; add the expected output on the platform and "
        "promote again with --force, or correct the example's expected output by hand"
    )


def promote_warnings(promoted: Promoted) -> list[str]:
    """The warnings ``promote`` prints about the example it wrote, loudest first."""
    warnings = (wrong_answer_warning(promoted), evalkit_run_warning(promoted))
    return [warning for warning in warnings if warning is not None]


def unreviewed_note(promoted: Promoted) -> str | None:
    """What to check when part of the expected output is only what the agent answered."""
    if promoted.rated_without_correction is not None:
        return None  # the warning says more
    parts = [_PARTS[part] for part, origin in promoted.expected_from.items() if origin == "output"]
    if not parts:
        return None
    return (
        f"note: the expected {' and '.join(parts)} of {promoted.name} are what the agent "
        "answered, not a reviewer's correction; check them before you commit"
    )


def render_promoted(promoted: Promoted, base: Path, *, dry_run: bool = False) -> str:
    verb = "would write" if dry_run else "wrote"
    lines = [
        f"{verb} example {promoted.name} ({shown_path(promoted.folder, base)}/) from execution "
        f"{promoted.execution_id}",
        f"  expected: {origin_text(promoted)}",
        f"  files: {', '.join(promoted.files)}",
    ]
    for note in (*promote_warnings(promoted), unreviewed_note(promoted)):
        if note is not None:
            lines.append(f"  {note}")
    return "\n".join(lines)


def render_harvest(result: HarvestResult, base: Path) -> str:
    verb = "would write" if result.dry_run else "wrote"
    folder = shown_path(result.folder, base)
    count = len(result.written)
    lines = [f"harvest of agent {result.agent} into {folder}/: {verb} {count} example(s)"]
    for promoted in result.written:
        lines.append(
            f"  + {promoted.name}  from {promoted.execution_id}  ({origin_text(promoted)})"
        )
    for kind, meaning in COUNTED.items():
        counted = sum(1 for skip in result.skipped if skip.kind == kind)
        if counted:
            lines.append(f"skipped {counted} execution(s) {meaning}")
    others = [skip for skip in result.skipped if skip.kind not in COUNTED]
    if others:
        lines.append(f"skipped {len(others)} execution(s):")
        lines += [f"  - {skip.execution_id}: {skip.reason}" for skip in others]
    unreviewed = [p.name for p in result.written if unreviewed_note(p) is not None]
    if unreviewed:
        lines.append(
            f"note: {len(unreviewed)} of them expect (in part) what the agent answered, not a "
            "reviewer's correction; check them before you commit (--has-expected: only executions "
            "with a reviewer's expected output)"
        )
    wrong = [p.name for p in result.written if p.rated_without_correction is not None]
    if wrong:
        lines.append(
            f"warning: {len(wrong)} of them were rated fail or partial without a correction "
            f"({', '.join(wrong)}): they expect the answer known to be wrong; correct their "
            "expected output before you commit"
        )
    if result.stopped_at_limit:
        lines.append(f"stopped at the limit of {count}: more executions may match (--limit)")
    if result.dry_run:
        lines.append("dry run: nothing written")
    elif count:
        lines.append(f"next: evalkit validate, evalkit run, then git add {folder}")
    return "\n".join(lines)


def promoted_data(promoted: Promoted, base: Path) -> dict[str, Any]:
    return {
        "name": promoted.name,
        "folder": shown_path(promoted.folder, base),
        "execution": promoted.execution_id,
        "files": list(promoted.files),
        "expected_from": dict(promoted.expected_from),
        "started_by_evalkit": promoted.by_evalkit,
        "rated_without_correction": promoted.rated_without_correction,
    }


def _skipped_data(skip: Skipped) -> dict[str, str]:
    return {"execution": skip.execution_id, "kind": skip.kind, "reason": skip.reason}


def harvest_data(result: HarvestResult, base: Path) -> dict[str, Any]:
    return {
        "agent": result.agent,
        "folder": shown_path(result.folder, base),
        "dry_run": result.dry_run,
        "written": [promoted_data(promoted, base) for promoted in result.written],
        "skipped": [_skipped_data(skip) for skip in result.skipped],
        "stopped_at_limit": result.stopped_at_limit,
        "scan_limited": result.scan_limited,
        "warnings": list(result.warnings),
    }
