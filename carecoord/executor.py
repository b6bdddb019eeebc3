"""Where units of work run: in this process, in local worker processes, or on a Dask cluster.

A unit is one call ``fn(*args)`` whose result depends only on its arguments (for carecoord: one
replication of one scenario, whose numbers depend only on the scenario, the seed and the
replication number). Results come back to the caller as they finish, in any order, through
``on_done(key, result)``; the caller decides the order of its tables, so serial, process and Dask
runs give identical numbers.

Worker lifecycle. Local worker processes watch their parent: if the main process disappears
(``kill -9``, a closed terminal) each worker notices within a second and exits, so no worker is
left idling. Workers ignore Ctrl-C, which only the main process handles (one message, no
tracebacks from every worker). Dask's own local workers exit when their parent's pipe closes.

Example:
    >>> run_units(pow, {"a": (2, 3), "b": (3, 2)}, Backend(workers=2), lambda key, value: print(key, value))
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

PARENT_POLL_SECONDS = 0.5
"""How often a worker checks that the process that started it is still alive."""


def default_workers(replications: int, arms: int = 1) -> int:
    """Local workers for a run: one per core, up to the units of work there are.

    Units are replications, or arms of replications when there are fewer replications than cores
    (:func:`carecoord.experiment.run_replications`), so one long replication of two arms uses two cores.
    """
    return max(1, min(replications * arms, os.cpu_count() or 1))


@dataclass(frozen=True)
class Backend:
    """How to run units: ``workers`` local processes (1: in this process), or Dask.

    ``dask_local`` starts a Dask LocalCluster of that many single-threaded worker processes on
    the loopback interface; ``scheduler`` connects to an existing Dask scheduler (``tcp://host:8786``).
    """

    workers: int = 1
    dask_local: int | None = None
    scheduler: str | None = None

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1 (got {self.workers})")
        if self.dask_local is not None and self.dask_local < 1:
            raise ValueError(f"dask_local must be at least 1 (got {self.dask_local})")
        if self.dask_local is not None and self.scheduler is not None:
            raise ValueError("choose either a local Dask cluster or a scheduler address, not both")

    @property
    def uses_dask(self) -> bool:
        return self.dask_local is not None or self.scheduler is not None

    def describe(self) -> str:
        if self.scheduler:
            return f"Dask scheduler {self.scheduler}"
        if self.dask_local:
            return f"Dask LocalCluster, {self.dask_local} workers"
        return "serial" if self.workers == 1 else f"{self.workers} local worker processes"


OnDone = Callable[[Hashable, Any], None]


def run_units(fn: Callable[..., Any], units: Mapping[Hashable, tuple], backend: Backend, on_done: OnDone) -> None:
    """Run ``fn(*args)`` for every ``key: args`` in ``units``, calling ``on_done(key, result)`` as each finishes.

    An exception in a unit is raised here after the units still running are cancelled; units already
    reported stay reported (the caller has saved them).
    """
    if not units:
        return
    if backend.uses_dask:
        _run_dask(fn, units, backend, on_done)
    elif backend.workers == 1 or len(units) == 1:
        for key, args in units.items():
            on_done(key, fn(*args))
    else:
        _run_processes(fn, units, min(backend.workers, len(units)), on_done)


def _run_processes(fn: Callable[..., Any], units: Mapping[Hashable, tuple], workers: int, on_done: OnDone) -> None:
    """A process pool fed a few units ahead of the workers (so Ctrl-C has little to cancel)."""
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_setup, initargs=(os.getpid(),))
    todo = iter(units.items())
    running: dict[Future, Hashable] = {}
    try:
        for key, args in todo:
            running[pool.submit(fn, *args)] = key
            if len(running) >= 2 * workers:
                break
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                key = running.pop(future)
                on_done(key, future.result())
                nxt = next(todo, None)
                if nxt is not None:
                    running[pool.submit(fn, *nxt[1])] = nxt[0]
    except BaseException:
        # Ctrl-C or a failed unit: stop the workers now rather than wait for the units they are running
        # (unfinished units are not saved anyway). ProcessPoolExecutor has no public way before Python 3.14.
        for process in dict(getattr(pool, "_processes", None) or {}).values():
            process.terminate()
        # Then wait for the pool's manager thread to see them gone and clean up (quick: none is working).
        # Left running (``wait=False``), it finishes at interpreter exit, where it can hang after workers
        # that ended abnormally (CPython issues 83386 and 132969, fixed in Python 3.14).
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _worker_setup(parent_pid: int) -> None:
    """In each worker: leave Ctrl-C to the main process and exit when the main process is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch_parent(parent_pid)


def watch_parent(parent_pid: int, interval: float = PARENT_POLL_SECONDS) -> threading.Thread:
    """Start a daemon thread that ends this process as soon as ``parent_pid`` is no longer its parent.

    A worker orphaned by ``kill -9`` of the main process is re-parented (to init or a subreaper), so
    its parent pid changes; polling it is portable across POSIX systems and needs no signals.
    """

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(1)
            time.sleep(interval)

    thread = threading.Thread(target=watch, name="carecoord-parent-watch", daemon=True)
    thread.start()
    return thread


def _run_dask(fn: Callable[..., Any], units: Mapping[Hashable, tuple], backend: Backend, on_done: OnDone) -> None:
    """Submit every unit to a Dask cluster (started here on loopback, or an existing scheduler)."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # pragma: no cover - distributed is a dependency
        raise RuntimeError("Dask backends need the 'distributed' package: pip install 'dask[distributed]'") from exc

    cluster = None
    if backend.dask_local is not None:
        cluster = LocalCluster(
            n_workers=backend.dask_local,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,  # no warnings about workers being stopped at close
        )
        client = Client(cluster)
    else:
        client = Client(backend.scheduler)
    try:
        futures = {client.submit(fn, *args, pure=False): key for key, args in units.items()}
        try:
            for future in as_completed(futures):
                on_done(futures[future], future.result())
        finally:
            client.cancel(list(futures))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
