"""Printing to a terminal or a pipe: prose that the reader's screen wraps, tables without trailing spaces.

In a terminal rich wraps prose at words to the window. Piped into a file, a pager or an email, any
fixed width is wrong for someone, so prose is written one line per paragraph (soft wrap) and every
line loses its trailing padding. The width of a piped table is ``COLUMNS`` when set, else
:data:`PIPED_WIDTH`; the comparison table falls back to one table per arm when it does not fit.

Example:
    >>> say(console, "Results written to results/pilot")
"""

from __future__ import annotations

import os
from typing import Any

PIPED_WIDTH = 120  # columns of a piped table when COLUMNS is not set (fits baseline + one arm side by side)


def piped_width() -> int:
    """``COLUMNS`` if it is a positive number, else :data:`PIPED_WIDTH`."""
    text = os.environ.get("COLUMNS", "")
    return int(text) if text.isdigit() and int(text) > 0 else PIPED_WIDTH


def say(console: Any, text: str, style: str | None = None) -> None:
    """One paragraph of prose: wrapped at words in a terminal, one line when piped."""
    console.print(text, style=style, markup=False, highlight=False, soft_wrap=not console.is_terminal)


def show(console: Any, renderable: Any) -> None:
    """A table: as rich draws it in a terminal; piped, the same lines without trailing spaces."""
    if console.is_terminal:
        console.print(renderable)
        return
    with console.capture() as captured:
        console.print(renderable)
    console.file.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
