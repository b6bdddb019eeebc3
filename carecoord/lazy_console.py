"""Rich consoles created on first use, so that ``carecoord --help`` does not import rich.

Importing ``rich.console`` costs about a tenth of a second, more than the rest of the command
line's start-up; most invocations (``--help``, ``--json`` output, errors) never print through it.

Example:
    >>> console = LazyConsole(wide_when_piped=True)
    >>> console.print("only now is rich imported")
"""

from __future__ import annotations

from typing import Any


class LazyConsole:
    """Stands in for a ``rich.console.Console`` and builds it on the first attribute access."""

    def __init__(self, stderr: bool = False, wide_when_piped: bool = False):
        self._stderr = stderr
        self._wide_when_piped = wide_when_piped
        self._console: Any = None

    @property
    def console(self) -> Any:
        """The real console (for APIs that need one, such as ``rich.progress.Progress``)."""
        if self._console is None:
            from rich.console import Console

            console = Console(stderr=self._stderr)
            if self._wide_when_piped and not console.is_terminal:
                from carecoord.printout import piped_width

                # piped or logged: COLUMNS if given, else wide enough for a two-arm comparison table;
                # prose is never broken across lines (a log reader greps whole sentences)
                console = Console(stderr=self._stderr, width=piped_width(), soft_wrap=True)
            self._console = console
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.console, name)
