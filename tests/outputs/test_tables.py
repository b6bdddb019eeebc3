"""Tables an analyst can use directly: a complete monthly grid, locality ``all``, admissions avoided by
month, every table as Parquet, and a folder with ordinary permissions."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pandas as pd

from carecoord.monthly import MONTHLY_METRICS
from carecoord.scenario import Scenario


def test_monthly_is_a_complete_grid(results_dir: Path, tiny: Scenario) -> None:
    """One row per replication x arm x locality (with 'all') x month x metric, zeros included."""
    monthly = pd.read_csv(results_dir / "monthly.csv")
    months = monthly["month"].nunique()
    localities = 1 + len(tiny.localities)
    assert set(monthly["locality"]) == {"all", *(loc.name for loc in tiny.localities)}
    assert set(monthly["metric"]) == set(MONTHLY_METRICS)
    assert len(monthly) == 3 * len(tiny.arm_names) * localities * months * len(MONTHLY_METRICS)
    assert not monthly.duplicated(["replication", "arm", "locality", "month", "metric"]).any()
    assert (monthly["value"] == 0).any()  # zero months are kept, not dropped


def test_monthly_adds_up_to_the_replication_totals(results_dir: Path) -> None:
    """Summed over months, 'all' and each locality give replications.csv's totals (incl. admissions avoided)."""
    monthly = pd.read_csv(results_dir / "monthly.csv")
    totals = pd.read_csv(results_dir / "replications.csv").set_index(["replication", "arm", "locality", "metric"])
    for metric in ("emergency_admissions", "admissions_avoided", "bed_days", "cost_total"):
        sums = monthly[monthly["metric"] == metric].groupby(["replication", "arm", "locality"])["value"].sum()
        for key, value in sums.items():
            assert abs(value - totals.loc[(*key, metric), "value"]) <= 1e-6 * max(1.0, abs(value)), (key, metric)


def test_all_is_the_sum_of_localities(results_dir: Path) -> None:
    """Locality 'all' equals the sum of the named localities, month by month."""
    monthly = pd.read_csv(results_dir / "monthly.csv")
    keys = ["replication", "arm", "month", "metric"]
    whole = monthly[monthly["locality"] == "all"].set_index(keys)["value"]
    parts = monthly[monthly["locality"] != "all"].groupby(keys)["value"].sum()
    pd.testing.assert_series_equal(whole.sort_index(), parts.sort_index(), check_names=False)


def test_admissions_avoided_by_month_is_baseline_minus_arm(results_dir: Path) -> None:
    """admissions_avoided = baseline's emergency admissions - the arm's, same replication, locality, month."""
    monthly = pd.read_csv(results_dir / "monthly.csv")
    wide = monthly.pivot_table(index=["replication", "locality", "month", "metric"], columns="arm", values="value")
    admissions = wide.xs("emergency_admissions", level="metric")
    avoided = wide.xs("admissions_avoided", level="metric")
    for arm in wide.columns:
        expected = admissions["baseline"] - admissions[arm]
        pd.testing.assert_series_equal(avoided[arm], expected, check_names=False)


DATES = {"events_pm4py": ["time:timestamp", "start_timestamp"]}  # Parquet keeps them as timestamps


def test_parquet_holds_every_table(results_dir: Path) -> None:
    """--parquet writes every CSV table (events included) as Parquet with the same content."""
    manifest = json.loads((results_dir / "manifest.json").read_text(encoding="utf-8"))
    csvs = sorted(p.stem for p in results_dir.glob("*.csv"))
    assert sorted(manifest["files"]) == csvs
    assert "events" in csvs
    for name in csvs:  # CSV cannot tell an empty string from a missing value; Parquet can
        pd.testing.assert_frame_equal(
            pd.read_parquet(results_dir / f"{name}.parquet").replace("", None),
            pd.read_csv(results_dir / f"{name}.csv", parse_dates=DATES.get(name)),
            check_dtype=False,
        )


def test_results_folder_respects_the_umask(results_dir: Path) -> None:
    """Under umask 022 the folder is 0755 like any mkdir, not mkdtemp's 0700."""
    assert stat.S_IMODE(results_dir.stat().st_mode) == 0o755
