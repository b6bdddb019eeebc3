"""Tables behind the figures: monthly means with 95% bands, cumulative sums, totals by locality.

Pure pandas on a :class:`~carecoord.results.Results`; nothing is drawn here, so the numbers a figure
shows can be checked in a test or reused in a notebook.

Example:
    >>> monthly_band(results, "emergency_admissions")  # arm, date, mean, low, high
"""

from __future__ import annotations

import pandas as pd

from carecoord.plots.style import band
from carecoord.results import ALL, Results, month_start


def per_replication(results: Results, metric: str, locality: str = ALL) -> pd.DataFrame:
    """Monthly values as a wide table: index (arm, replication), one column per month."""
    rows = results.monthly[(results.monthly["metric"] == metric) & (results.monthly["locality"] == locality)]
    return rows.pivot_table(index=["arm", "replication"], columns="month", values="value", sort=True)


def complete_per_replication(results: Results, metric: str, locality: str = ALL) -> pd.DataFrame:
    """:func:`per_replication` without the months only partly inside the results window (a 1-day month is no dip)."""
    wide = per_replication(results, metric, locality)
    complete = set(results.complete_months())
    return wide[[m for m in wide.columns if m in complete]]


def monthly_band(
    results: Results, metric: str, locality: str = ALL, cumulative: bool = False, per_30_days: bool = False
) -> pd.DataFrame:
    """Per arm and month: the mean across replications and its 95% CI (``cumulative``: running totals).

    ``per_30_days`` scales each month's count to a 30-day month, so February (28 days) does not look like
    a 7-10% dip in admissions or bed days that is only the calendar.
    """
    if cumulative:  # running totals count every day, partial months included
        wide = per_replication(results, metric, locality)
    else:  # a month only partly inside the run would look like a fall or a rise
        wide = complete_per_replication(results, metric, locality)
        if per_30_days:
            days = pd.PeriodIndex(wide.columns, freq="M").days_in_month.to_numpy()
            wide = wide * (30.0 / days)
    return band_table(results, wide, cumulative)


def band_table(results: Results, wide: pd.DataFrame, cumulative: bool = False) -> pd.DataFrame:
    """Per arm and month of a :func:`per_replication`-shaped table: mean and 95% CI across replications."""
    frames = []
    for arm in results.arms:
        if arm not in wide.index.get_level_values("arm"):
            continue
        values = wide.loc[arm]
        if cumulative:
            values = values.cumsum(axis=1)
        stats = band(values).reset_index(names="month")
        stats.insert(0, "arm", arm)
        frames.append(stats)
    out = pd.concat(frames, ignore_index=True)
    out["date"] = month_start(out["month"])
    return out


def total_band(results: Results, metric: str, by: str = "locality") -> pd.DataFrame:
    """Whole-window totals per arm and locality, mean and 95% CI across replications."""
    rows = results.replications[results.replications["metric"] == metric]
    frames = []
    for (arm, key), block in rows.groupby(["arm", by], sort=False):
        stats = band(block[["value"]]).iloc[0]
        frames.append({"arm": arm, by: key, "mean": stats["mean"], "low": stats["low"], "high": stats["high"]})
    return pd.DataFrame(frames)
