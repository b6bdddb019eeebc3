"""Exceptions that carry enough context to tell a user what to fix.

Example:
    >>> raise ScenarioError("scenarios/x.yaml", ["cohort.tiers: at least one tier is required (line 12)"])
"""

from __future__ import annotations


class CarecoordError(Exception):
    """Base class for every error carecoord raises on purpose."""


class ScenarioError(CarecoordError):
    """A scenario file (or an override of it, or a file it names) is not valid.

    Each problem is one line ``field.path: what is wrong (line N)``; ``str()`` prefixes every
    line with the file it is in (``files[i]``, by default ``source``) so that the CLI can print
    it as is. The error pickles (``__reduce__``), so a worker process can hand it back intact
    instead of dying as a broken pool.
    """

    def __init__(self, source: str, problems: list[str], files: list[str] | None = None):
        self.source = str(source)
        self.problems = [_one_line(p) for p in problems]
        self.files = list(files) if files is not None else [self.source] * len(self.problems)
        super().__init__("\n".join(f"{f}: {p}" for f, p in zip(self.files, self.problems, strict=True)))

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[str, list[str], list[str]]]:
        return (type(self), (self.source, self.problems, self.files))


def _one_line(text: str) -> str:
    """The problem on one printable line: a newline or control character in a key or value is escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class OutputError(CarecoordError):
    """An output folder cannot be written without losing existing results."""


class RunTooLargeError(CarecoordError):
    """A run is estimated to need more time or memory than allowed without ``--yes``."""
