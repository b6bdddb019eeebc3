"""Progress of long runs: a bar with an ETA on a terminal, plain lines in a log, nothing with --quiet.

On a terminal, rich draws a bar (done/total, elapsed, time left) on stderr that disappears at the
end. When stderr is not a terminal (a pipe, a batch job's log), one plain line is written when a
unit finishes, at most every ``interval`` seconds, and always for the last one, so a long run is
never silent. ``quiet`` writes nothing.

Example:
    >>> with ProgressReporter("caseload sweep", total=180) as progress:
    ...     progress.update(1)
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

PLAIN_INTERVAL_SECONDS = 5.0
"""Least time between two plain progress lines (the last unit is always reported)."""


class ProgressReporter:
    """Reports ``done of total`` units; use as a context manager and call :meth:`update`."""

    def __init__(
        self,
        description: str,
        total: int,
        quiet: bool = False,
        stream: TextIO | None = None,
        interval: float = PLAIN_INTERVAL_SECONDS,
        unit: str = "units",
        already: int = 0,
    ):
        self.description = description
        self.total = total
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.interval = interval
        self.unit = unit
        self._bar: Progress | None = None
        self._task = None
        self._started = time.monotonic()
        self._last_line = -float("inf")
        self.already = already  # done before this run (resumed): not counted in the rate
        self._baseline: tuple[int, float] | None = None

    def __enter__(self) -> ProgressReporter:
        self._started = time.monotonic()
        if self.quiet:
            return self
        console = Console(file=self.stream)
        if console.is_terminal:
            self._bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("left"),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task(self.description, total=self.total, completed=self.already)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)

    def set_total(self, total: int) -> None:
        """Change the total (more replications were asked for)."""
        self.total = total
        if self._bar is not None:
            self._bar.update(self._task, total=total)

    def update(self, done: int, total: int | None = None) -> None:
        """``done`` units of ``total`` are finished (units already on disk count as done)."""
        if total is not None and total != self.total:
            self.set_total(total)
        now = time.monotonic()
        if self._baseline is None:  # the rate is measured from the first report (units found on disk excluded)
            self._baseline = (done, now)
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.update(self._task, completed=done)
            return
        if done < self.total and now - self._last_line < self.interval:
            return
        self._last_line = now
        self.stream.write(self.line(done, now - self._started) + "\n")
        self.stream.flush()

    def line(self, done: int, elapsed: float) -> str:
        """``description: 12/180 units (7%), 0:01:23 elapsed, about 0:17:10 left``."""
        share = done / self.total if self.total else 1.0
        text = f"{self.description}: {done}/{self.total} {self.unit} ({share:.0%}), {_clock(elapsed)} elapsed"
        first_done, first_time = self._baseline or (self.already, self._started)
        fresh = done - first_done
        if fresh > 0 and done < self.total:
            rate = (time.monotonic() - first_time) / fresh
            text += f", about {_clock(rate * (self.total - done))} left"
        return text


def _clock(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
