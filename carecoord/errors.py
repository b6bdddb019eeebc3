"""Exceptions that carry enough context to tell a user what to fix.

Example:
    >>> raise ScenarioError("scenarios/x.yaml", ["cohort.tiers: at least one tier is required (line 12)"])
"""

from __future__ import annotations


class CarecoordError(Exception):
    """Base class for every error carecoord raises on purpose."""


class ScenarioError(CarecoordError):
    """A scenario file (or an override of it) is not valid.

    Each problem is one line ``field.path: what is wrong (line N)``; ``str()`` prefixes every
    line with the file name so that the CLI can print it as is.
    """

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


class OutputError(CarecoordError):
    """An output folder cannot be written without losing existing results."""
