"""The progress of ``evalkit run`` on standard error: a live bar in a terminal, a line per
finished example elsewhere (CI logs). The bar's module (``rich.progress``) is imported only in
a terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from evalkit.cli import output
from evalkit.runner.results import Counts, ExampleResult, Verdict

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class ProgressView:
    """A live bar with pass/partial/fail/error counts and ETA in a terminal; a plain line per
    finished example otherwise (CI logs). Both go to standard error."""

    def __init__(self) -> None:
        self.total = 0
        self.done = 0
        self.counts = Counts()
        self.problems: list[ExampleResult] = []
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> ProgressView:
        return self

    def begin(self, total: int) -> None:
        """The run knows how many examples it runs: the bar appears (in a terminal)."""
        self.total = total
        if output.stderr.is_terminal:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[counts]}"),
                TimeRemainingColumn(),
                console=output.stderr,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("running", total=self.total, counts="")

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """The bar goes (before anything else is printed or asked; again: nothing)."""
        if self._bar is not None:
            self._bar.stop()

    def finished(self, result: ExampleResult) -> None:
        # (imported by the run's warm-up while its first executions are away: not before)
        from evalkit.runner.summary_text import MAX_PROBLEM_ROWS, counts_text, progress_line

        self.done += 1
        self.counts.add(result.verdict)
        if result.verdict is not Verdict.PASS and len(self.problems) < MAX_PROBLEM_ROWS:
            self.problems.append(result)
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, advance=1, counts=counts_text(self.counts))
        else:
            output.note(progress_line(self.done, self.total, result))
