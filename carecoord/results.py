"""Reading a results folder back: the one loader behind ``carecoord plot``, ``carecoord report`` and
the Python plotting API.

A folder written by ``carecoord run`` holds tidy tables and ``manifest.json`` (with the resolved
scenario). :func:`load` reads them (CSV, always written; Parquet when only that is present) and
answers the questions every figure asks: which arms, which localities, when each went live, what the months are.

Example:
    >>> from carecoord.results import load
    >>> results = load("results/pilot")
    >>> results.monthly.query("metric == 'admissions_avoided' and locality == 'all'")
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from carecoord.errors import OutputError
from carecoord.monthly import ALL_LOCALITIES

REQUIRED = ("summary", "replications", "monthly")
OPTIONAL = ("capacity", "tiers", "before_after", "events", "staff_utilisation")
BASELINE = "baseline"  # the separate-services arm every other arm is compared with
ALL = ALL_LOCALITIES  # the locality label of whole-scenario rows


@dataclass(frozen=True)
class Results:
    """The tables and manifest of one results folder (see the README's table of files)."""

    folder: Path
    manifest: dict[str, Any]
    summary: pd.DataFrame
    replications: pd.DataFrame
    monthly: pd.DataFrame
    capacity: pd.DataFrame = field(default_factory=pd.DataFrame)
    tiers: pd.DataFrame = field(default_factory=pd.DataFrame)
    before_after: pd.DataFrame = field(default_factory=pd.DataFrame)
    events: pd.DataFrame = field(default_factory=pd.DataFrame)
    staff_utilisation: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def scenario(self) -> dict[str, Any]:
        """The resolved scenario the run used (as recorded in the manifest)."""
        return self.manifest.get("scenario", {})

    @property
    def name(self) -> str:
        return str(self.scenario.get("name", self.folder.name))

    @property
    def arms(self) -> list[str]:
        """Arm names, baseline first, in the scenario's order."""
        names = [arm["name"] for arm in self.scenario.get("arms", [])]
        return names or list(dict.fromkeys(self.summary["arm"]))

    @property
    def compared_arms(self) -> list[str]:
        """Every arm but the baseline."""
        return [arm for arm in self.arms if arm != BASELINE]

    @property
    def localities(self) -> list[str]:
        return [loc["name"] for loc in self.scenario.get("localities", [])]

    @property
    def replication_count(self) -> int:
        return int(self.replications["replication"].nunique())

    @property
    def start_date(self) -> dt.date:
        return dt.date.fromisoformat(self.scenario["simulation"]["start_date"])

    @property
    def results_start(self) -> dt.date:
        """First day of the results window (after the warm-up)."""
        return self.start_date + dt.timedelta(days=int(self.scenario["simulation"]["warm_up_days"]))

    @property
    def end_date(self) -> dt.date:
        """The day after the last simulated day."""
        sim = self.scenario["simulation"]
        if sim.get("duration_days") is not None:
            return self.start_date + dt.timedelta(days=int(sim["duration_days"]))
        return dt.date.fromisoformat(sim["end_date"])

    def complete_months(self) -> list[str]:
        """``YYYY-MM`` labels of the months wholly inside the results window (partial ones would look like dips)."""
        first = pd.Timestamp(self.results_start)
        end = pd.Timestamp(self.end_date)
        months = pd.period_range(first, end - pd.Timedelta(days=1), freq="M")
        return [str(m) for m in months if m.start_time >= first and m.end_time < end]

    @property
    def go_live(self) -> dict[str, dt.date]:
        """Each locality's go-live date (the end of the warm-up where the scenario gives none)."""
        dates = {}
        for loc in self.scenario.get("localities", []):
            given = loc.get("go_live")
            dates[loc["name"]] = dt.date.fromisoformat(given) if given else self.results_start
        return dates

    @property
    def warnings(self) -> list[str]:
        """Warnings the run recorded (saturation, implausible results), if any."""
        return [
            str(w) if not isinstance(w, dict) else w.get("message", str(w)) for w in self.manifest.get("warnings", [])
        ]

    def arm_description(self, arm: str) -> str:
        for spec in self.scenario.get("arms", []):
            if spec["name"] == arm:
                return str(spec.get("description") or "")
        return ""

    def active_mechanisms(self, arm: str) -> list[str]:
        """Names of the mechanisms switched on in an arm."""
        for spec in self.scenario.get("arms", []):
            if spec["name"] == arm:
                mechanisms = spec.get("mechanisms") or {}
                return [name for name, value in mechanisms.items() if value and value.get("enabled", True)]
        return []


def month_start(label: pd.Series) -> pd.Series:
    """``YYYY-MM`` month labels as the first day of each month (for real-date axes)."""
    return pd.to_datetime(label + "-01")


def load(folder: str | Path) -> Results:
    """Read a results folder; raises :class:`OutputError` naming the folder if it is not one."""
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not folder.is_dir():
        raise OutputError(f"{folder}: no such results folder")
    if not manifest_path.is_file():
        raise OutputError(f"{folder}: not a carecoord results folder (no manifest.json)")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OutputError(f"{manifest_path}: cannot be read ({exc})") from exc
    tables = {name: _table(folder, name, required=True) for name in REQUIRED}
    tables.update({name: _table(folder, name, required=False) for name in OPTIONAL})
    return Results(folder=folder, manifest=manifest, **tables)


def _table(folder: Path, name: str, required: bool) -> pd.DataFrame:
    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    try:
        if csv.is_file():  # always written; Parquet only with --parquet (and needs pyarrow)
            return pd.read_csv(csv)
        if parquet.is_file():
            return pd.read_parquet(parquet)
    except (OSError, ValueError, ImportError) as exc:
        raise OutputError(f"{folder}: {name} table cannot be read ({exc})") from exc
    if required:
        raise OutputError(f"{folder}: {name}.csv is missing; rerun `carecoord run` to rebuild the folder")
    return pd.DataFrame()
