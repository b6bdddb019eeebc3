"""Ctrl-C during a run: one line on stderr, exit 130, and only complete files left behind.

Results are written to a temporary folder and renamed into place only when complete
(``output.write_results``), so stopping at any moment leaves either the finished folder or none.
What this module adds is the quiet stop: worker processes forked while it is active exit at
once and silently on SIGINT (instead of printing one traceback each), and the main process turns
the interruption, or the broken pool it causes, into a single line.

Example:
    >>> with stop_quietly("nothing written"):
    ...     result = run_experiment(scenario)
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C


class Interrupted(Exception):
    """The user stopped the run (carries the one line to print)."""


@contextmanager
def stop_quietly(what_is_left: str) -> Iterator[None]:
    """Run the block; on Ctrl-C raise :class:`Interrupted` with one line saying what was kept."""
    main = os.getpid()
    stopped = False

    def on_sigint(signum: int, frame: object) -> None:
        nonlocal stopped
        if os.getpid() != main:  # a forked worker: leave without a traceback
            os._exit(EXIT_INTERRUPTED)
        stopped = True
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    except KeyboardInterrupt:
        raise Interrupted(f"Interrupted: {what_is_left}") from None
    except BrokenProcessPool:
        if not stopped:
            raise
        raise Interrupted(f"Interrupted: {what_is_left}") from None
    finally:
        signal.signal(signal.SIGINT, previous)
        sys.stderr.flush()
