"""Per-point summaries of a sweep's tidy table (pure functions of the table).

Every point runs the same replication numbers on the same random streams (common random numbers
across points as well as across arms), so two kinds of difference are paired replication by
replication: an arm against the baseline arm of the same point, and a point against the first
point (the base of a one-at-a-time design, the first value of a grid) for the same arm.

Example:
    >>> summary = summarise_points(tidy)
    >>> summary.query("arm == 'integrated' and metric == 'admissions_avoided'")
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

ALL = "all"
SUMMARY_COLUMNS = [
    "point",
    "arm",
    "metric",
    "replications",
    "mean",
    "ci_low",
    "ci_high",
    "diff_vs_baseline",
    "diff_ci_low",
    "diff_ci_high",
    "diff_vs_first_point",
    "first_point_ci_low",
    "first_point_ci_high",
]


def mean_ci_columns(values: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Mean and t-based CI of each column of a (replication x group) table, ignoring missing cells."""
    n = values.count()
    mean = values.mean()
    sd = values.std(ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stats.t.ppf(0.5 + level / 2, (n - 1).clip(lower=1))
        half = pd.Series(np.where(n >= 2, t * sd / np.sqrt(n), np.nan), index=values.columns)
    return pd.DataFrame({"n": n, "mean": mean, "low": mean - half, "high": mean + half})


def summarise_points(tidy: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Mean and CI per point, arm and metric (whole scenario), the paired difference vs the baseline arm,
    and the paired difference vs the first point (when both ran the same replication numbers)."""
    whole = tidy[tidy["locality"] == ALL]
    wide = whole.pivot(index="replication", columns=["point", "arm", "metric"], values="value")
    own = mean_ci_columns(wide, level)
    base = wide.xs("baseline", level="arm", axis=1, drop_level=False)
    base.columns = base.columns.droplevel("arm")
    diffs = wide - base.reindex(columns=pd.MultiIndex.from_tuples([(p, m) for p, _, m in wide.columns])).to_numpy()
    vs_base = mean_ci_columns(diffs, level)
    first = wide.columns.get_level_values("point").min()
    first_block = wide.xs(first, level="point", axis=1)
    keys = pd.MultiIndex.from_tuples([(a, m) for _, a, m in wide.columns])
    aligned = first_block.reindex(columns=keys).to_numpy()
    vs_first = mean_ci_columns(wide - aligned, level)
    table = pd.DataFrame(
        {
            "replications": own["n"].astype(int),
            "mean": own["mean"],
            "ci_low": own["low"],
            "ci_high": own["high"],
            "diff_vs_baseline": vs_base["mean"],
            "diff_ci_low": vs_base["low"],
            "diff_ci_high": vs_base["high"],
            "diff_vs_first_point": vs_first["mean"],
            "first_point_ci_low": vs_first["low"],
            "first_point_ci_high": vs_first["high"],
        }
    )
    table.index.names = ["point", "arm", "metric"]
    table = table.reset_index()
    if whole.groupby("point")["replication"].apply(frozenset).nunique() > 1:  # PSA draws: not paired
        table[["diff_vs_first_point", "first_point_ci_low", "first_point_ci_high"]] = np.nan
    metric_order = {m: i for i, m in enumerate(dict.fromkeys(whole["metric"]))}
    arm_order = {a: i for i, a in enumerate(dict.fromkeys(whole["arm"]))}
    table = table.assign(_arm=table["arm"].map(arm_order), _metric=table["metric"].map(metric_order))
    table = table.sort_values(["point", "_arm", "_metric"], kind="stable")
    return table[SUMMARY_COLUMNS].reset_index(drop=True)


def relative_half_width(summary: pd.DataFrame, arm: str, metric: str = "admissions_avoided") -> pd.Series:
    """CI half-width / |mean| of an arm's metric at every point (infinite where the mean is 0)."""
    rows = summary[(summary["arm"] == arm) & (summary["metric"] == metric)].set_index("point")
    half = (rows["ci_high"] - rows["ci_low"]) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return (half / rows["mean"].abs()).fillna(np.inf)
