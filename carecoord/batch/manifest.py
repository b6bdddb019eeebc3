"""The manifest and tables of a sweep or comparison folder, written without losing anything.

Tables are rebuilt from the unit files at the end of every run (a resumed run rewrites them whole);
each is written to a temporary file renamed into place, so a table on disk is always complete.

Example:
    >>> write_outputs(out, tidy, summary, points, {"sensitivity": indices}, manifest)
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from carecoord.batch.runner import PointsRun, ScenarioPoint
from carecoord.batch.store import ResultsStore, write_atomic, write_table_atomic
from carecoord.executor import Backend
from carecoord.output import _git_commit, _version

CRN_NOTE = (
    "Every point runs the same replication numbers with the same seed, so the same patients and random "
    "streams (common random numbers across points and arms): differences between arms and between points "
    "are paired by replication. PSA draws are the exception: draw i runs replication i."
)


def batch_manifest(
    kind: str,
    name: str,
    question: str | None,
    files: dict[str, Path | None],
    hashes: dict[str, str | None],
    points: list[ScenarioPoint],
    arms: list[str],
    run: PointsRun,
    backend: Backend,
    store: ResultsStore,
    started: dt.datetime,
    elapsed: float,
    command: list[str] | None,
    extra: dict[str, Any],
) -> dict[str, Any]:
    """Everything needed to regenerate the folder, and how this run went (resumed units, stopping rule)."""
    seeds = sorted({p.scenario.simulation.seed for p in points})
    return {
        "kind": kind,
        "name": name,
        "question": question,
        "carecoord_version": _version("carecoord"),
        "git_commit": _git_commit(),
        "files": {k: str(v) if v else None for k, v in files.items()},
        "file_sha256": hashes,
        "fingerprint": store.fingerprint,
        "points": len(points),
        "arms": arms,
        "replications_per_point": run.replications,
        "seed": seeds[0] if len(seeds) == 1 else seeds,
        "common_random_numbers": CRN_NOTE,
        "units_computed_this_run": run.computed_units,
        "units_reused_from_store": run.reused_units,
        "precision": run.stopping or None,
        "backend": backend.describe(),
        "command": command,
        "started": started.isoformat(timespec="seconds"),
        "elapsed_seconds_this_run": round(elapsed, 2),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "libraries": {
            n: _version(n) for n in ("simpy", "numpy", "pandas", "pydantic", "scipy", "salib", "distributed")
        },
        **extra,
    }


def write_outputs(
    out: Path,
    tidy: pd.DataFrame,
    summary: pd.DataFrame,
    points: pd.DataFrame,
    extra: dict[str, pd.DataFrame],
    manifest: dict[str, Any],
) -> None:
    """replications.parquet/.csv, summary.csv, points.csv, the design's tables and manifest.json."""
    files = {"replications": ["replications.parquet", "replications.csv"], "summary": ["summary.csv"]}
    write_table_atomic(tidy, out / "replications.parquet")
    write_table_atomic(tidy, out / "replications.csv")
    write_table_atomic(summary, out / "summary.csv")
    write_table_atomic(points, out / "points.csv")
    files["points"] = ["points.csv"]
    for stem, frame in extra.items():
        write_table_atomic(frame, out / f"{stem}.csv")
        files[stem] = [f"{stem}.csv"]
    manifest = {**manifest, "outputs": files, "units_folder": "units/ (one Parquet file per point x replication)"}
    write_atomic(out / "manifest.json", json.dumps(manifest, indent=2, default=str) + "\n")
