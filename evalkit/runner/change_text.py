"""What ``--changed-since`` selected, in words: the lines the terminal prints before and after
a run, and the Markdown and HTML reports show (from the summary's ``change_selection``)."""

from __future__ import annotations

from evalkit.runner.results import ChangeSelection, SuiteChange

#: reasons of one suite shown in a line; the summary keeps them all
SHOWN_REASONS = 3
_SHORT_COMMIT = 12


def nothing_to_run(selection: ChangeSelection) -> str:
    """The outcome of a run that ``--changed-since`` left without an example."""
    return f"nothing to run: no suite changed since {selection.since}"


def gates_not_checked_note(selection: ChangeSelection) -> str:
    return f"not checked: no example ran (no suite changed since {selection.since})"


def heading(selection: ChangeSelection) -> str:
    """One line: what was compared, and what it selected."""
    base = f" (merge base {selection.base[:_SHORT_COMMIT]})" if selection.base else ""
    if selection.everything is not None:
        return (
            f"--changed-since {selection.since}{base}: every suite runs, because "
            f"{selection.everything}"
        )
    ran, skipped = len(selection.changed), len(selection.skipped)
    return (
        f"changes since {selection.since}{base}: {ran} suite(s) changed, "
        f"{skipped} skipped by change selection"
    )


def changed_line(change: SuiteChange) -> str:
    return f"changed: {change.suite} ({reasons_text(change)})"


def skipped_line(change: SuiteChange) -> str:
    """``skipped by change selection: invoices-agent (unchanged since origin/main)``."""
    return f"skipped by change selection: {change.suite} ({reasons_text(change)})"


def reasons_text(change: SuiteChange) -> str:
    shown = "; ".join(change.reasons[:SHOWN_REASONS])
    more = len(change.reasons) - SHOWN_REASONS
    return shown + (f"; and {more} more" if more > 0 else "")


def selection_lines(selection: ChangeSelection | None) -> list[str]:
    """The heading, each changed suite and each skipped one, one line each."""
    if selection is None:
        return []
    return [
        heading(selection),
        *warning_lines(selection),
        *(changed_line(change) for change in selection.changed),
        *(skipped_line(change) for change in selection.skipped),
    ]


def warning_lines(selection: ChangeSelection) -> list[str]:
    return [f"warning: {warning}" for warning in selection.warnings]


def skipped_lines(selection: ChangeSelection | None) -> list[str]:
    """What the closing summary says: the suites left out, and a fallback to everything."""
    if selection is None:
        return []
    if selection.everything is not None:
        return [heading(selection), *warning_lines(selection)]
    return [*warning_lines(selection), *(skipped_line(change) for change in selection.skipped)]
