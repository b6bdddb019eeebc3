"""The results store: one Parquet file per finished unit, so an interrupted experiment resumes.

A unit is one replication of one point. Its rows are written to ``units/pPPPPP-rRRRRR.parquet``
through a temporary file renamed into place (``os.replace`` is atomic), so after Ctrl-C, ``kill -9``
or a lost worker a unit file is either complete or absent: re-running skips the units on disk,
and nothing is lost or counted twice. ``store.json`` holds the experiment's fingerprint (a hash of
every point's resolved scenario and of the design); a folder holding another experiment is refused.

Example:
    >>> store = ResultsStore.open(Path("results/caseload"), fingerprint, {"name": "caseload"})
    >>> store.finished()
    {(0, 0), (0, 1)}
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from carecoord.errors import OutputError

STORE_FILE = "store.json"
UNITS = "units"
_UNIT_NAME = re.compile(r"^p(\d{5,})-r(\d{5,})\.parquet$")


class ResultsStore:
    """A folder of finished units; open it with :meth:`open`."""

    def __init__(self, folder: Path, fingerprint: str):
        self.folder = folder
        self.fingerprint = fingerprint

    @classmethod
    def open(cls, folder: Path, fingerprint: str, description: dict[str, Any]) -> ResultsStore:
        """Create the store, or reopen it if it holds the same experiment; refuse anything else."""
        folder = Path(folder)
        marker = folder / STORE_FILE
        if folder.exists() and not folder.is_dir():
            raise OutputError(f"{folder}: exists and is not a folder")
        if marker.is_file():
            try:
                held = json.loads(marker.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise OutputError(f"{marker}: cannot be read ({exc}); choose another --out") from None
            if held.get("fingerprint") != fingerprint:
                raise OutputError(
                    f"{folder}: holds results of a different experiment or model version ('{held.get('name', '?')}', "
                    f"{held.get('experiment_file', '?')}, carecoord commit {(held.get('commit') or '?')[:12]}); "
                    "choose another --out (nothing was changed)"
                )
        elif folder.is_dir() and any(folder.iterdir()):
            raise OutputError(
                f"{folder}: already holds files that are not a carecoord results store; choose another --out"
            )
        else:
            folder.mkdir(parents=True, exist_ok=True)
            write_atomic(marker, json.dumps({**description, "fingerprint": fingerprint}, indent=2, default=str) + "\n")
        (folder / UNITS).mkdir(exist_ok=True)
        store = cls(folder, fingerprint)
        store._remove_partial_files()
        return store

    def _remove_partial_files(self) -> None:
        """Temporary files of units that were being written when the run was killed."""
        for tmp in (self.folder / UNITS).glob(".tmp-*"):
            tmp.unlink(missing_ok=True)

    def unit_path(self, point: int, replication: int) -> Path:
        return self.folder / UNITS / f"p{point:05d}-r{replication:05d}.parquet"

    def finished(self) -> set[tuple[int, int]]:
        """(point, replication) of every unit on disk."""
        out = set()
        for path in (self.folder / UNITS).iterdir():
            match = _UNIT_NAME.match(path.name)
            if match:
                out.add((int(match.group(1)), int(match.group(2))))
        return out

    def save(self, point: int, replication: int, rows: pd.DataFrame) -> None:
        """Write one unit's rows atomically."""
        target = self.unit_path(point, replication)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".parquet", dir=target.parent)
        os.close(fd)
        try:
            rows.to_parquet(tmp, index=False)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def load(self, units: list[tuple[int, int]]) -> pd.DataFrame:
        """The rows of the given units, in the order given (the caller's order, not the disk's)."""
        frames = [pd.read_parquet(self.unit_path(p, r)) for p, r in units]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def write_atomic(path: Path, text: str) -> None:
    """Write a text file through a temporary sibling renamed into place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_table_atomic(frame: pd.DataFrame, path: Path) -> None:
    """Write a table as CSV or Parquet (by suffix) through a temporary file renamed into place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        if path.suffix == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
