"""What an accept would write and what it did: each example's change (its files before and
after, the differences accepted, what a rule still rejects), the examples not accepted and why,
and the plan's diff as ``git diff`` will show it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalkit.errors import RunError
from evalkit.exit_codes import ExitCode, RunStatus
from evalkit.manifest.paths import display_path
from evalkit.runner.accept_write import FileWrite, diff_text
from evalkit.runner.results import Verdict

#: run statuses after which ``evalkit run --update`` accepts: the run ended, its gates passed
#: or not (not a platform failure, not an interrupt)
UPDATABLE = (RunStatus.PASSED, RunStatus.GATE_FAILED)


class AcceptError(RunError):
    """Accept cannot go ahead as asked (exit 2): the message says why and what to do."""


@dataclass(frozen=True)
class ExampleChange:
    """What accepting one example changes."""

    kind: str
    suite: str
    example: str
    verdict: Verdict
    writes: tuple[FileWrite, ...]
    #: the differences of the run accepted, as the report shows them
    differences: tuple[str, ...] = ()
    #: differences that remain: a rule, not the expected value, rejects the output
    left: tuple[str, ...] = ()
    #: where the output comes from, when that needs saying (one attempt of several)
    note: str | None = None

    @property
    def label(self) -> str:
        return f"{self.suite}/{self.example}"


@dataclass(frozen=True)
class NotAccepted:
    """A selected example that did not pass and is not accepted, and why."""

    kind: str
    suite: str
    example: str
    verdict: Verdict
    reason: str

    @property
    def label(self) -> str:
        return f"{self.suite}/{self.example}"


@dataclass(frozen=True)
class AcceptPlan:
    """What an accept would write, example by example."""

    run_dir: Path
    run_id: str | None
    #: the manifest's folder: the diff names files from it, as ``git diff`` does
    root: Path = Path()
    changes: tuple[ExampleChange, ...] = ()
    #: did not pass in the run, but the rules in force now find nothing to change
    unchanged: tuple[str, ...] = ()
    refused: tuple[NotAccepted, ...] = ()
    #: selected examples that passed: nothing to accept
    passed: int = 0

    @property
    def writes(self) -> list[FileWrite]:
        return [write for change in self.changes for write in change.writes]

    @property
    def complete(self) -> bool:
        """Every selected example that did not pass is accepted whole: the next run of the
        same outputs passes them."""
        return not self.refused and not any(change.left for change in self.changes)

    def diff(self) -> str:
        """Each example's change as unified diffs, the way ``git diff`` will show them."""
        parts = []
        for change in self.changes:
            head = f"{change.label} ({change.verdict.value})"
            if change.note:
                head += f": {change.note}"
            parts.append(head + "\n")
            parts += [f"  {line}\n" for line in change.differences]
            parts += [
                diff_text(write, _shown_path(write.path, self.root)) for write in change.writes
            ]
            parts += [f"  still different (a rule decides): {line}\n" for line in change.left]
        return "".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_dir": str(self.run_dir),
            "run_id": self.run_id,
            "accepted": [
                {
                    "kind": change.kind,
                    "agent": change.suite,
                    "example": change.example,
                    "verdict": change.verdict.value,
                    "files": [
                        {"path": str(write.path), "action": write.action} for write in change.writes
                    ],
                    "differences": list(change.differences),
                    "left": list(change.left),
                    "note": change.note,
                }
                for change in self.changes
            ],
            "unchanged": list(self.unchanged),
            "not_accepted": [
                {
                    "kind": item.kind,
                    "agent": item.suite,
                    "example": item.example,
                    "verdict": item.verdict.value,
                    "reason": item.reason,
                }
                for item in self.refused
            ],
            "passed": self.passed,
        }


@dataclass(frozen=True)
class AcceptOutcome:
    plan: AcceptPlan
    #: the files were written (False: nothing to write, or the change was declined)
    written: bool
    declined: bool = False

    @property
    def exit_code(self) -> int:
        """0: everything that did not pass is accepted (or nothing needed it); 1: declined, or
        some examples could not be accepted (or not whole)."""
        if self.declined or not self.plan.complete:
            return ExitCode.FAILURE
        return ExitCode.OK


def _shown_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return display_path(path)
