"""Writing a run's folder: tables, manifest, nothing half-written, nothing lost.

Files are written into a temporary sibling folder and renamed into place at the end, so a
failed run leaves no partial folder. An existing folder is never overwritten silently: the
caller must ask to replace it, and the old one is then kept beside it as ``NAME.previous-<time>``.

Example:
    >>> write_results(result, Path("results/pilot"), manifest)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from carecoord.build_info import model_compiled
from carecoord.errors import OutputError
from carecoord.event_log import event_files
from carecoord.experiment import ExperimentResult
from carecoord.scenario.costs import price_basis
from carecoord.utilisation import staff_utilisation

TABLES = ("summary", "replications", "monthly")


def build_manifest(
    result: ExperimentResult,
    scenario_path: str | Path | None,
    scenario_hash: str | None,
    command: list[str],
    started: dt.datetime,
    finished: dt.datetime,
    workers: int,
) -> dict[str, Any]:
    """Everything needed to regenerate the folder."""
    scenario = result.scenario
    return {
        "carecoord_version": _version("carecoord"),
        "model_compiled": model_compiled(),  # mypyc build or plain Python: same numbers, other speed
        "scenario_file": str(Path(scenario_path).resolve()) if scenario_path else None,  # report from any folder
        "scenario_file_sha256": scenario_hash,
        "scenario": json.loads(scenario.model_dump_json()),
        "seed": scenario.simulation.seed,
        "replications": int(result.replications["replication"].nunique()),
        "workers": workers,
        "command": command,
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "elapsed_seconds": round((finished - started).total_seconds(), 2),
        "git_commit": _git_commit(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": {"processor": platform.machine(), "cpus": _cpu_count()},
        "libraries": {name: _version(name) for name in ("simpy", "numpy", "pandas", "pydantic", "scipy")},
        "files": {name: f"{name}.csv" for name in TABLES},
        "warnings": [w.as_dict() for w in result.warnings],
        "prices": price_basis(scenario.costs),
    }


def check_destination(out: Path, overwrite: bool) -> None:
    """Refuse, before any work, to replace an existing non-empty folder unless asked."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise OutputError(
            f"{out}: already holds results; choose another --out or pass --overwrite (the old folder is kept)"
        )


def write_results(
    result: ExperimentResult,
    out: Path,
    manifest: dict[str, Any],
    overwrite: bool = False,
    parquet: bool = False,
) -> Path | None:
    """Write the folder atomically; returns where an overwritten folder was kept, if any."""
    check_destination(out, overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.incomplete-", dir=out.parent))  # never read as results
    try:
        _ordinary_permissions(tmp)
        extra = {"capacity": "capacity.csv", "tiers": "tiers.csv", "before_after": "before_after.csv"}
        if not result.events.empty:
            extra["events"] = "events.csv"
        layouts = event_files(result.events, str(result.scenario.simulation.start_date))
        layouts["staff_utilisation"] = staff_utilisation(result)  # derived table: carecoord.utilisation
        extra.update({name: f"{name}.csv" for name in layouts})  # pm4py and vidigi: carecoord.event_log
        for name in (*TABLES, *extra):
            frame = layouts[name] if name in layouts else getattr(result, name)
            frame.to_csv(tmp / f"{name}.csv", index=False)
            if parquet:  # every table, in both formats
                frame.to_parquet(tmp / f"{name}.parquet", index=False)
        manifest = {**manifest, "files": {**manifest["files"], **extra}}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
        kept = None
        if out.exists():
            if any(out.iterdir()):
                kept = _free_name(out)
                out.rename(kept)
            else:
                out.rmdir()
        tmp.rename(out)
        return kept
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _ordinary_permissions(folder: Path) -> None:
    """Give a folder made by ``mkdtemp`` (always 0700) the mode a plain ``mkdir`` would: 0777 minus the umask."""
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)


def _free_name(out: Path) -> Path:
    """``NAME.previous-<time>``, with a counter if that name is taken (two runs in one second)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = out.with_name(f"{out.name}.previous-{stamp}")
    n = 2
    while candidate.exists():
        candidate = out.with_name(f"{out.name}.previous-{stamp}-{n}")
        n += 1
    return candidate


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _git_commit() -> str | None:
    try:
        here = Path(__file__).resolve().parent
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5, check=False
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _cpu_count() -> int | None:
    return os.cpu_count()
